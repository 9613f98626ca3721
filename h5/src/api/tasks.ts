// 待办 inbox (C9) and scheduled jobs admin (C35) API.
import { get, http, patch, post } from '@/utils/request';
import type { InboxGroup, InboxSource } from '@contracts/tasks';
import type { SubStatus } from '@contracts/ladder';

export interface InboxItem {
  key: string;
  source: InboxSource;
  id: number;
  title: string;
  note: string | null;
  customerId: number | null;
  customerName: string | null;
  due: string;
  group: InboxGroup;
  snoozedUntil: string | null;
  url: string | null;
}

export interface Inbox {
  counts: Record<InboxGroup, number>;
  overdue: InboxItem[];
  today: InboxItem[];
  later: InboxItem[];
}

export interface JobView {
  name: string;
  title: string;
  schedule: string | null;
  running: boolean;
  lastRunAt: string | null;
  lastDurationMs: number | null;
  lastOutcome: 'ok' | 'error' | null;
  lastResult: string | null;
}

export const tasksApi = {
  inbox: () => get<Inbox>('/tasks', { silent: true }),
  done: (id: number) => post<unknown>(`/tasks/${id}/done`),
  snooze: (id: number, until: string) => post<InboxItem>(`/tasks/${id}/snooze`, { until }),
};

export const jobsApi = {
  list: () => get<JobView[]>('/admin/jobs', { silent: true }),
  run: (name: string) => post<JobView>(`/admin/jobs/${name}/run`, {}, { timeout: 600_000 }),
};

export interface SubStatusView {
  id: number;
  subStatus: SubStatus | null;
  subStatusAt: string | null;
}

export const subStatusApi = {
  get: (customerId: number) => get<SubStatusView>(`/customers/${customerId}/sub-status`, { silent: true }),
  set: async (customerId: number, subStatus: SubStatus | null) => (await http.put<SubStatusView>(`/customers/${customerId}/sub-status`, { subStatus })).data,
};

export interface LadderActions {
  remindOwner?: boolean;
  copySupervisor?: boolean;
  releaseToPool?: boolean;
  smsCustomer?: boolean;
  createTask?: boolean;
}

export interface LadderStepView {
  id: number;
  code: string;
  name: string;
  trigger: 'idle' | 'sub_status';
  subStatus: SubStatus | null;
  waitValue: number;
  waitUnit: 'business_days' | 'hours';
  actions: LadderActions;
  enabled: boolean;
}

export const ladderApi = {
  steps: () => get<LadderStepView[]>('/admin/ladder/steps', { silent: true }),
  update: (id: number, body: Partial<Pick<LadderStepView, 'name' | 'waitValue' | 'enabled' | 'actions'>>) => patch<LadderStepView>(`/admin/ladder/steps/${id}`, body),
};
