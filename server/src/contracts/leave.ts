// Staff leave (请假/休假): auto-assignment skips a person on leave (C7). The flag may carry an
// inclusive range of Asia/Shanghai business dates; without one the person is on leave until the
// flag is cleared. Shared by the server (picker, views) and the H5 (form, badges).
import { z } from 'zod';
import { isValidDate } from './dates';

const day = z
  .string()
  .refine(isValidDate, { message: '日期格式应为 YYYY-MM-DD' })
  .nullable()
  .optional();

export const SetLeave = z
  .object({
    onLeave: z.boolean({ message: '请选择是否休假' }),
    leaveFrom: day,
    leaveUntil: day,
    note: z.string().trim().max(50, { message: '备注最多 50 个字' }).nullable().optional(),
  })
  .refine((v) => !v.leaveFrom || !v.leaveUntil || v.leaveFrom <= v.leaveUntil, { message: '结束日期不能早于开始日期', path: ['leaveUntil'] });
export type SetLeaveInput = z.infer<typeof SetLeave>;

export interface LeaveFields {
  onLeave: boolean;
  leaveFrom: string | null;
  leaveUntil: string | null;
}

/** Whether the person is on leave on this Shanghai business date (YYYY-MM-DD). */
export function onLeaveOn(u: LeaveFields, date: string): boolean {
  return !!u.onLeave && (!u.leaveFrom || u.leaveFrom <= date) && (!u.leaveUntil || date <= u.leaveUntil);
}

/** 休假中 / 即将休假 / null (over or none), for badges where staff are listed. */
export function leaveLabel(u: LeaveFields, today: string): string | null {
  if (!u.onLeave || (u.leaveUntil && u.leaveUntil < today)) return null;
  const [from, until] = [u.leaveFrom?.slice(5), u.leaveUntil?.slice(5)];
  const range = from && until ? (from === until ? from : `${from}–${until}`) : from ? `${from} 起` : until ? `至 ${until}` : '';
  const state = onLeaveOn(u, today) ? '休假中' : '将休假';
  return range ? `${state} ${range}` : state;
}
