import type { z } from 'zod';
import type { RecordFollowUp } from '@contracts/customer.schemas';
import { cleanParams, get, post } from '@/utils/request';
import type { FollowUp, FollowUpPage } from './types';

export type RecordFollowUpBody = z.input<typeof RecordFollowUp>;

export const followUpsApi = {
  list: (customerId: number, q: { before?: number | null; limit?: number } = {}) =>
    get<FollowUpPage>(`/customers/${customerId}/follow-ups`, { params: cleanParams(q), silent: !q.before }),
  record: (customerId: number, body: RecordFollowUpBody) => post<FollowUp>(`/customers/${customerId}/follow-ups`, body),
};
