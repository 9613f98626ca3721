// Channel commission rules and monthly statements (C20) API.
import { get, post, http } from '@/utils/request';
import type { CommissionBeneficiary, CommissionEntryKind, CommissionRuleKind, CommissionTier } from '@contracts/commissions';

export interface CommissionRuleView {
  id: number;
  name: string;
  beneficiary: CommissionBeneficiary;
  channel: string | null;
  productId: number | null;
  kind: CommissionRuleKind;
  ratePpm: number | null;
  fixedFen: number | null;
  tiers: CommissionTier[] | null;
  clawbackMonths: number | null;
  validFrom: string;
  validTo: string | null;
  priority: number;
  enabled: boolean;
}
export type CommissionRuleBody = Omit<CommissionRuleView, 'id'>;

export interface StatementSummary {
  period: string;
  beneficiary: CommissionBeneficiary;
  items: { statementNo: string; beneficiaryKey: string; beneficiaryName: string; loans: number; totalFen: number }[];
}

export interface Statement {
  statementNo: string;
  period: string;
  beneficiary: CommissionBeneficiary;
  beneficiaryKey: string;
  beneficiaryName: string;
  lines: {
    loanId: number; loanNo: string; customerName: string | null; productName: string | null; disbursedOn: string; principalFen: number; amountFen: number;
    entries: { id: number; kind: CommissionEntryKind; kindLabel: string; occurredOn: string; ratePpm: number | null; amountFen: number }[];
  }[];
  totals: { loans: number; accrualFen: number; reversalFen: number; clawbackFen: number; totalFen: number };
}

export const commissionsApi = {
  rules: () => get<{ items: CommissionRuleView[] }>('/commissions/rules', { silent: true }),
  createRule: (body: CommissionRuleBody) => post<CommissionRuleView>('/commissions/rules', body, { silent: true }),
  updateRule: async (id: number, body: CommissionRuleBody) => (await http.put<CommissionRuleView>(`/commissions/rules/${id}`, body, { silent: true })).data,
  statements: (period: string, beneficiary: CommissionBeneficiary) => get<StatementSummary>('/commissions/statements', { params: { period, beneficiary }, silent: true }),
  statement: (beneficiary: CommissionBeneficiary, key: string, period: string) => get<Statement>(`/commissions/statements/${beneficiary}/${encodeURIComponent(key)}`, { params: { period }, silent: true }),
  exportUrl: (beneficiary: CommissionBeneficiary, key: string, period: string) => `/api/v1/commissions/statements/${beneficiary}/${encodeURIComponent(key)}/export?period=${period}`,
};
