// What the API shows of a loan: money stays integer fen (the H5 formats it with formatFen), every
// status and kind comes with its Chinese name.
import { INSTALLMENT_STATUSES, LOAN_ENTRY_KINDS, LOAN_STATUSES, OVERDUE_BUCKETS, ppmToPercent, REPAYMENT_METHODS } from '../../contracts/loans';
import type { Installment, Loan, LoanEntry } from './loan.model';

export function loanSummary(l: Loan, names: { customerName: string | null; productName: string | null; lenderName: string | null; ownerName: string | null }) {
  return {
    id: Number(l.id),
    loanNo: l.loanNo,
    lenderLoanNo: l.lenderLoanNo,
    applicationId: Number(l.applicationId),
    customerId: Number(l.customerId),
    customerName: names.customerName,
    productId: l.productId === null ? null : Number(l.productId),
    productName: names.productName,
    lenderName: names.lenderName,
    ownerId: l.ownerId,
    ownerName: names.ownerName,
    principalFen: Number(l.principalFen),
    outstandingPrincipalFen: Number(l.outstandingPrincipalFen),
    annualRatePpm: l.annualRatePpm,
    annualRatePercent: ppmToPercent(l.annualRatePpm),
    monthlyRatePpm: l.monthlyRatePpm,
    termMonths: l.termMonths,
    repaymentMethod: l.repaymentMethod,
    repaymentMethodName: REPAYMENT_METHODS[l.repaymentMethod],
    disbursedOn: l.disbursedOn,
    firstDueOn: l.firstDueOn,
    maturityOn: l.maturityOn,
    penaltyDailyRatePpm: l.penaltyDailyRatePpm,
    status: l.status,
    statusName: LOAN_STATUSES[l.status],
    daysPastDue: l.daysPastDue,
    overdueBucket: l.overdueBucket,
    overdueBucketName: OVERDUE_BUCKETS[l.overdueBucket],
    settledOn: l.settledOn,
  };
}

export function installmentView(i: Installment) {
  return {
    id: Number(i.id),
    seq: i.seq,
    dueOn: i.dueOn,
    principalFen: Number(i.principalFen),
    interestFen: Number(i.interestFen),
    penaltyFen: Number(i.penaltyFen),
    paidPrincipalFen: Number(i.paidPrincipalFen),
    paidInterestFen: Number(i.paidInterestFen),
    paidPenaltyFen: Number(i.paidPenaltyFen),
    waivedFen: Number(i.waivedFen),
    status: i.status,
    statusName: INSTALLMENT_STATUSES[i.status],
    paidOn: i.paidOn,
  };
}

const REVERSIBLE = new Set(['disbursement', 'payment', 'early_settlement']);

export function entryView(e: LoanEntry, users: Map<number, { name: string }>, mayReverse: boolean) {
  return {
    id: Number(e.id),
    kind: e.kind,
    kindName: LOAN_ENTRY_KINDS[e.kind],
    occurredOn: e.occurredOn,
    amountFen: Number(e.amountFen),
    principalFen: Number(e.principalFen),
    interestFen: Number(e.interestFen),
    penaltyFen: Number(e.penaltyFen),
    source: e.source,
    // Client idempotency keys are plumbing, not a reference anyone typed.
    externalRef: e.externalRef && !e.externalRef.startsWith('key:') && !e.externalRef.startsWith('stmt:') ? e.externalRef : null,
    note: e.note,
    reversesEntryId: e.reversesEntryId === null ? null : Number(e.reversesEntryId),
    reversedByEntryId: e.reversedByEntryId === null ? null : Number(e.reversedByEntryId),
    createdByName: e.createdBy ? (users.get(e.createdBy)?.name ?? null) : null,
    createdAt: e.createdAt,
    reversible: mayReverse && REVERSIBLE.has(e.kind) && e.reversedByEntryId === null,
  };
}
