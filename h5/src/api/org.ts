import { get, post } from '@/utils/request';
import type { StaffUser, StaffWithBook } from './types';

export const orgApi = {
  assignable: () => get<StaffUser[]>('/users/assignable', { silent: true }),
  staff: () => get<StaffWithBook[]>('/users', { silent: true }),
  transferCustomers: (fromUserId: number, body: { toUserId: number; reason?: string; disableUser: boolean }) =>
    post<{ transferred: number; fromUserId: number; toUserId: number; disabled: boolean }>(`/users/${fromUserId}/transfer-customers`, body),
};
