// SMS reminders (C18): a customer's messages and opt-out; the admin's log, settings and resend.
import { get, http, post, cleanParams } from '@/utils/request';
import type { SmsPurpose, SmsStatus } from '@contracts/sms';

export interface SmsView {
  id: number;
  customerId: number;
  customerName?: string | null;
  loanId: number | null;
  installmentId: number | null;
  purpose: SmsPurpose;
  purposeLabel: string;
  phone: string;
  text: string;
  templateCode: string | null;
  status: SmsStatus;
  statusLabel: string;
  provider: string | null;
  providerCode: string | null;
  providerMessage: string | null;
  providerMessageId: string | null;
  deliveryCode: string | null;
  deliveredAt: string | null;
  attempts: number;
  nextAttemptAt: string;
  sentAt: string | null;
  createdAt: string;
}

export interface CustomerSms {
  optOut: boolean;
  phoneInvalid: boolean;
  items: SmsView[];
}

export interface SmsSettings {
  provider: 'console' | 'aliyun' | 'tencent';
  providerLabel: string;
  signName: string | null;
  daysBefore: number;
  allowedHours: string;
  templates: { purpose: SmsPurpose; label: string; code: string | null; params: { key: string; variable: string }[]; example: string }[];
}

export const smsApi = {
  forCustomer: (customerId: number) => get<CustomerSms>(`/customers/${customerId}/sms`, { silent: true }),
  setOptOut: async (customerId: number, optOut: boolean) => (await http.put<{ optOut: boolean }>(`/customers/${customerId}/sms-opt-out`, { optOut })).data,
  list: (q: { purpose?: SmsPurpose; status?: SmsStatus; page?: number }) =>
    get<{ total: number; page: number; pageSize: number; items: SmsView[] }>('/admin/sms', { params: cleanParams(q) }),
  settings: () => get<SmsSettings>('/admin/sms/settings'),
  resend: (id: number) => post<SmsView>(`/admin/sms/${id}/resend`, {}),
};

/** Vant tag type per status. */
export function smsTagType(s: SmsStatus): 'success' | 'primary' | 'warning' | 'danger' | 'default' {
  if (s === 'delivered' || s === 'sent') return 'success';
  if (s === 'queued' || s === 'sending') return 'primary';
  if (s === 'throttled') return 'warning';
  if (s === 'failed' || s === 'invalid') return 'danger';
  return 'default';
}
