// Auto-assignment rules (C7) admin API: ordered rules, edit, enable/disable, reorder, delete.
import { get, http, post } from '@/utils/request';
import type { AssignmentRuleInput } from '@contracts/assignment';
import type { RuleGroup } from '@contracts/rules';

export interface AssignmentRuleView {
  id: number;
  name: string;
  position: number;
  enabled: boolean;
  conditions: RuleGroup;
  targetType: 'team' | 'user';
  targetDepartmentId: number | null;
  targetUserId: number | null;
  strategy: 'round_robin' | 'least_loaded';
  dailyCap: number | null;
  workingHoursOnly: boolean;
  outsideHours: 'queue' | 'pool';
}

const base = '/admin/assignment-rules';
export const assignmentApi = {
  list: () => get<{ items: AssignmentRuleView[] }>(base, { silent: true }),
  create: (body: AssignmentRuleInput) => post<AssignmentRuleView>(base, body),
  update: async (id: number, body: AssignmentRuleInput) => (await http.put<AssignmentRuleView>(`${base}/${id}`, body)).data,
  setEnabled: (id: number, enabled: boolean) => post<AssignmentRuleView>(`${base}/${id}/enabled`, { enabled }),
  reorder: async (ids: number[]) => (await http.put<{ items: AssignmentRuleView[] }>(`${base}/order`, { ids })).data,
  remove: async (id: number) => (await http.delete<{ deleted: boolean }>(`${base}/${id}`)).data,
};
