// SMS reminders (C18): purposes, statuses and the admin/officer inputs, shared by server and H5.
import { z } from 'zod';

export const SMS_PURPOSES = { repayment_due: '还款提醒', overdue: '逾期提醒', missing_documents: '补充资料提醒' } as const;
export type SmsPurpose = keyof typeof SMS_PURPOSES;
export const SMS_PURPOSE_KEYS = Object.keys(SMS_PURPOSES) as [SmsPurpose, ...SmsPurpose[]];

/**
 * queued → sending → sent → delivered | failed. `throttled` waits for its next_attempt_at;
 * `invalid` is a number the provider refused (never retried until the number is fixed);
 * `cancelled` was no longer needed when its turn came (installment paid, customer opted out).
 */
export const SMS_STATUSES = {
  queued: '待发送',
  sending: '发送中',
  sent: '已提交',
  delivered: '已送达',
  throttled: '限流待重试',
  failed: '失败',
  invalid: '号码无效',
  cancelled: '已取消',
} as const;
export type SmsStatus = keyof typeof SMS_STATUSES;
export const SMS_STATUS_KEYS = Object.keys(SMS_STATUSES) as [SmsStatus, ...SmsStatus[]];

export const SMS_PROVIDERS = { console: '控制台(不实际发送)', aliyun: '阿里云短信', tencent: '腾讯云短信' } as const;

export const ListSms = z.object({
  purpose: z.enum(SMS_PURPOSE_KEYS).optional(),
  status: z.enum(SMS_STATUS_KEYS).optional(),
  customerId: z.coerce.number().int().positive().optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListSmsInput = z.infer<typeof ListSms>;

export const SetSmsOptOut = z.object({ optOut: z.boolean() });
