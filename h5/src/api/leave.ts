import { get, http } from '@/utils/request';
import type { StaffLeave } from './types';

export interface SetLeaveBody {
  onLeave: boolean;
  leaveFrom?: string | null;
  leaveUntil?: string | null;
  note?: string | null;
}

export const leaveApi = {
  list: () => get<StaffLeave[]>('/staff/leave', { silent: true }),
  set: async (userId: number, body: SetLeaveBody) => (await http.put<StaffLeave>(`/staff/${userId}/leave`, body)).data,
};
