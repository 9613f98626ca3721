// Risk pre-checks (风控预检): the rule set and blacklist admin, the queue of blocked submissions
// and the override; shapes as server/src/modules/risk/risk.service.ts returns them.
import type { BlacklistKind, RiskLevel, RiskRuleKind, UpdateRiskRuleInput } from '@contracts/risk';
import { get, http, patch, post } from '@/utils/request';

export interface RiskRuleResultView {
  kind: RiskRuleKind;
  name: string;
  level: RiskLevel;
  levelName: string;
  missing?: boolean;
  reason: string;
}

export interface RiskCheckView {
  id: number;
  round: number;
  outcome: 'submitted' | 'blocked';
  blocked: boolean;
  level: RiskLevel;
  levelName: string;
  businessDate: string;
  results: RiskRuleResultView[];
  summary: string;
  override: { userId: number | null; userName: string; reason: string | null; at: string } | null;
  checkedAt: string;
}

export interface RiskRuleView {
  kind: RiskRuleKind;
  name: string;
  description: string;
  enabled: boolean;
  level: RiskLevel;
  levelName: string;
  params: Record<string, unknown>;
  updatedAt: string;
  updatedByName: string | null;
}

export interface BlacklistEntryView {
  id: number;
  kind: BlacklistKind;
  kindName: string;
  hint: string;
  reason: string;
  createdByName: string | null;
  createdAt: string;
}

export interface BlockedApplication {
  applicationId: number;
  product: string;
  amountFen: number;
  termMonths: number;
  customerName: string | null;
  applicantName: string | null;
  check: RiskCheckView;
}

export const riskApi = {
  rules: () => get<RiskRuleView[]>('/admin/risk/rules', { silent: true }),
  updateRule: (kind: RiskRuleKind, body: UpdateRiskRuleInput) => patch<RiskRuleView>(`/admin/risk/rules/${kind}`, body, { silent: true }),
  blacklist: () => get<BlacklistEntryView[]>('/admin/risk/blacklist', { silent: true }),
  addBlacklist: (body: { kind: BlacklistKind; value: string; reason: string }) => post<BlacklistEntryView>('/admin/risk/blacklist', body, { silent: true }),
  removeBlacklist: async (id: number) => {
    await http.delete(`/admin/risk/blacklist/${id}`, { data: {} });
  },
  blocked: () => get<BlockedApplication[]>('/risk/blocked', { silent: true }),
  override: (applicationId: number, reason: string) => post<RiskCheckView>(`/applications/${applicationId}/risk-override`, { reason }, { silent: true }),
};
