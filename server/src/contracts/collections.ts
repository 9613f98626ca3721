// Overdue tracking and collections (C19): the names and commands shared by server, H5 and bot.
import { z } from 'zod';
import { isValidDate } from './dates';
import { OVERDUE_BUCKETS, type OverdueBucket } from './loans';

export const COLLECTION_ACTIONS = { phone: '电话', sms: '短信', visit: '上门', outsource: '委外', legal: '法诉' } as const;
export type CollectionAction = keyof typeof COLLECTION_ACTIONS;
export const COLLECTION_ACTION_KEYS = Object.keys(COLLECTION_ACTIONS) as [CollectionAction, ...CollectionAction[]];

/** A promise to pay: pending until its date has passed, then kept (paid at least the amount since) or broken. */
export const PROMISE_STATUSES = { pending: '待兑现', kept: '已兑现', broken: '已违约' } as const;
export type PromiseStatus = keyof typeof PROMISE_STATUSES;

/** Buckets that are overdue (the list filter). */
export const OVERDUE_BUCKET_KEYS = (Object.keys(OVERDUE_BUCKETS) as OverdueBucket[]).filter((b) => b !== 'current') as [OverdueBucket, ...OverdueBucket[]];

const day = (msg: string) => z.string({ error: msg }).refine(isValidDate, { error: msg });

export const RecordCollection = z
  .object({
    action: z.enum(COLLECTION_ACTION_KEYS, { error: '请选择催收方式' }),
    result: z.string({ error: '请填写催收结果' }).trim().min(1, { error: '请填写催收结果' }).max(500, { error: '催收结果最多 500 字' }),
    promiseDate: day('承诺还款日期格式不正确').nullish(),
    promiseAmountFen: z.number({ error: '承诺还款金额格式不正确' }).int({ error: '承诺还款金额格式不正确' }).positive({ error: '承诺还款金额必须大于 0' }).max(1e13).nullish(),
    nextActionOn: day('下次催收日期格式不正确').nullish(),
    /** The client's key for this submission: a retried tap (weak network) adds nothing. */
    clientKey: z.string().trim().min(8).max(64).optional(),
  })
  .superRefine((v, ctx) => {
    // A promise is a date and an amount together; one without the other cannot be checked.
    if (!!v.promiseDate !== !!v.promiseAmountFen) {
      ctx.addIssue({ code: 'custom', path: [v.promiseDate ? 'promiseAmountFen' : 'promiseDate'], message: '承诺还款需同时填写日期和金额' });
    }
  });
export type RecordCollectionInput = z.infer<typeof RecordCollection>;

export const WriteOffLoan = z.object({
  reason: z.string({ error: '请填写核销原因' }).trim().min(2, { error: '请填写核销原因' }).max(200, { error: '核销原因最多 200 字' }),
});
export type WriteOffLoanInput = z.infer<typeof WriteOffLoan>;

export const ListOverdue = z.object({
  bucket: z.enum(OVERDUE_BUCKET_KEYS, { error: '逾期分组不正确' }).optional(),
  departmentId: z.coerce.number().int().positive().optional(),
  ownerId: z.coerce.number().int().positive().optional(),
  /** Keyset cursor: the last row's "dpd:id" from the previous page. */
  cursor: z.string().regex(/^\d+:\d+$/, { error: '分页参数不正确' }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type ListOverdueQuery = z.infer<typeof ListOverdue>;
