// Overdue loans and collection records (C19) API.
import { get, post, cleanParams } from '@/utils/request';
import type { CollectionAction, PromiseStatus } from '@contracts/collections';
import type { OverdueBucket } from '@contracts/loans';

export interface OverdueItem {
  id: number;
  loanNo: string;
  customerId: number;
  customerName: string;
  ownerId: number | null;
  ownerName: string | null;
  principalFen: number;
  outstandingPrincipalFen: number;
  overdueFen: number;
  daysPastDue: number;
  bucket: OverdueBucket;
  overdueSince: string | null;
  lastAction: { action: CollectionAction; actionLabel: string; recordedOn: string; nextActionOn: string | null; promiseDate: string | null; promiseStatus: PromiseStatus | null } | null;
}

export interface CollectionRecordView {
  id: number;
  loanId: number;
  action: CollectionAction;
  actionLabel: string;
  result: string;
  recordedOn: string;
  daysPastDue: number;
  promiseDate: string | null;
  promiseAmountFen: number | null;
  promiseStatus: PromiseStatus | null;
  promiseStatusLabel: string | null;
  nextActionOn: string | null;
  createdBy: number;
  createdByName: string | null;
  createdAt: string;
}

export interface CollectionLoanView {
  loan: {
    id: number; loanNo: string; customerId: number; customerName: string | null; status: string; statusLabel: string;
    principalFen: number; outstandingPrincipalFen: number; disbursedOn: string; daysPastDue: number; bucket: OverdueBucket;
    overdueSince: string | null; penaltyDailyRatePpm: number | null; writtenOffOn: string | null;
  };
  installments: { id: number; seq: number; dueOn: string; status: string; statusLabel: string; principalFen: number; interestFen: number; penaltyFen: number; paidFen: number }[];
  records: CollectionRecordView[];
  permissions: { record: boolean; writeOff: boolean };
}

export interface RecordCollectionBody {
  action: CollectionAction;
  result: string;
  promiseDate?: string | null;
  promiseAmountFen?: number | null;
  nextActionOn?: string | null;
  clientKey?: string;
}

export const collectionsApi = {
  overdue: (q: { bucket?: OverdueBucket | null; departmentId?: number; ownerId?: number; cursor?: string | null; limit?: number }) =>
    get<{ items: OverdueItem[]; nextCursor: string | null }>('/collections/overdue', { params: cleanParams(q), silent: true }),
  loan: (id: number) => get<CollectionLoanView>(`/collections/loans/${id}`, { silent: true }),
  record: (id: number, body: RecordCollectionBody) => post<CollectionRecordView>(`/collections/loans/${id}/records`, body, { silent: true }),
  writeOff: (id: number, reason: string) => post<{ id: number; status: string; writtenOffOn: string }>(`/loans/${id}/write-off`, { reason }, { silent: true }),
};
