// Loans API (C16, C17): disbursement, the loan page, payments, early settlement, reversals and
// the statement import. Money is integer fen both ways; the pages format it with formatFen.
import { get, post, http, cleanParams } from '@/utils/request';
import type { DisburseLoanInput, EarlySettleInput, ImportRow, RecordPaymentInput } from '@contracts/loan-ops';
import { XLSX_MIME } from '@contracts/loan-ops';
import type { InstallmentStatus, LoanEntryKind, LoanStatus, RepaymentMethod } from '@contracts/loans';

export interface LoanListItem {
  id: number; loanNo: string; lenderLoanNo: string; customerId: number; customerName: string;
  principalFen: number; outstandingPrincipalFen: number; termMonths: number; repaymentMethod: RepaymentMethod;
  disbursedOn: string; maturityOn: string; status: LoanStatus; overdueBucket: string; daysPastDue: number;
}

export interface InstallmentView {
  id: number; seq: number; dueOn: string; principalFen: number; interestFen: number; penaltyFen: number;
  paidPrincipalFen: number; paidInterestFen: number; paidPenaltyFen: number; waivedFen: number;
  status: InstallmentStatus; statusName: string; paidOn: string | null;
}

export interface EntryView {
  id: number; kind: LoanEntryKind; kindName: string; occurredOn: string; amountFen: number; principalFen: number; interestFen: number; penaltyFen: number;
  source: 'manual' | 'import' | 'system'; externalRef: string | null; note: string | null;
  reversesEntryId: number | null; reversedByEntryId: number | null; createdByName: string | null; reversible: boolean;
}

export interface LoanDetail {
  id: number; loanNo: string; lenderLoanNo: string; applicationId: number; customerId: number; customerName: string | null;
  productName: string | null; lenderName: string | null; ownerName: string | null;
  principalFen: number; outstandingPrincipalFen: number; annualRatePercent: string; monthlyRatePpm: number; termMonths: number;
  repaymentMethod: RepaymentMethod; repaymentMethodName: string; disbursedOn: string; firstDueOn: string; maturityOn: string;
  status: LoanStatus; statusName: string; daysPastDue: number; overdueBucket: string; overdueBucketName: string; settledOn: string | null;
  dueNowFen: number; nextDue: { seq: number; dueOn: string; amountFen: number } | null;
  installments: InstallmentView[]; entries: EntryView[];
  permissions: { recordPayment: boolean; earlySettle: boolean; reverse: boolean };
}

export interface Disbursable {
  applicationId: number; customerId: number; customerName: string; product: string; productId: number | null; lenderName: string | null; contractNo: string | null;
  amountFen: number; termMonths: number; repaymentMethod: RepaymentMethod | null;
  annualRatePpm: number | null; monthlyRatePpm: number | null; penaltyDailyRatePpm: number | null; decidedAt: string | null;
}

export interface SettlementQuote { loanId: number; on: string; principalFen: number; interestFen: number; penaltyFen: number; totalFen: number; waivedFen: number }
export interface ImportSummary { total: number; ok: number; duplicate: number; error: number; amountFen: number }

const key = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

export const loansApi = {
  list: (q: { customerId?: number; status?: LoanStatus; q?: string } = {}) => get<{ items: LoanListItem[] }>('/loans', { params: cleanParams(q) }),
  get: (id: number) => get<LoanDetail>(`/loans/${id}`),
  disbursable: () => get<Disbursable[]>('/loans/disbursable'),
  /** One idempotency key per form submission: a double tap creates one loan. */
  disburse: (body: DisburseLoanInput, idemKey = key()) => post<LoanDetail>('/loans', body, { headers: { 'Idempotency-Key': idemKey }, silent: true }),
  pay: (id: number, body: RecordPaymentInput, idemKey = key()) => post<{ entryId: number; loan: LoanDetail }>(`/loans/${id}/payments`, body, { headers: { 'Idempotency-Key': idemKey }, silent: true }),
  quote: (id: number, on?: string) => get<SettlementQuote>(`/loans/${id}/settlement-quote`, { params: cleanParams({ on }) }),
  settle: (id: number, body: EarlySettleInput, idemKey = key()) => post<{ entryId: number; loan: LoanDetail }>(`/loans/${id}/early-settlement`, body, { headers: { 'Idempotency-Key': idemKey }, silent: true }),
  reverse: (id: number, entryId: number, reason: string) => post<LoanDetail>(`/loans/${id}/entries/${entryId}/reverse`, { reason }, { silent: true }),
  previewImport: async (file: Blob) => (await http.post<{ rows: ImportRow[]; summary: ImportSummary }>('/loan-imports/preview', file, { headers: { 'Content-Type': XLSX_MIME } })).data,
  confirmImport: async (file: Blob) => (await http.post<{ imported: number; duplicate: number; error: number; amountFen: number }>('/loan-imports', file, { headers: { 'Content-Type': XLSX_MIME } })).data,
};
