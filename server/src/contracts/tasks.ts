// The 待办 inbox (C9): what a person has to do, from four sources, grouped by when it is due.
import { z } from 'zod';

export const INBOX_SOURCES = { task: '待办', follow_up: '待跟进', approval: '待审批' } as const;
export type InboxSource = keyof typeof INBOX_SOURCES;
export const INBOX_GROUPS = { overdue: '逾期', today: '今天', later: '以后' } as const;
export type InboxGroup = keyof typeof INBOX_GROUPS;

export const CreateTask = z.object({
  userId: z.number().int().positive().optional(),
  title: z.string().trim().min(1, { error: '请填写待办内容' }).max(100),
  note: z.string().trim().max(500).optional(),
  customerId: z.number().int().positive().optional(),
  dueAt: z.iso.datetime({ offset: true, error: '请选择截止时间' }),
});
export type CreateTaskInput = z.infer<typeof CreateTask>;

export const SnoozeTask = z.object({ until: z.iso.datetime({ offset: true, error: '请选择推迟到的时间' }) });
