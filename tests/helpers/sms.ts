// Test data for the SMS tests: a loan with its installments inserted directly (the loans module's
// disbursement flow is not needed to decide who gets a reminder).
import type { TestApp } from './test-app';

/** A loan of `customerId` with one installment per due date (1,234.56 元 each), inserted directly. */
export async function seedLoan(app: TestApp, customerId: number, ownerId: number, dues: { dueOn: string; status?: string; paid?: boolean }[], loanStatus = 'active') {
  const { Loan, Installment } = app.deps.db.models;
  const loan = await Loan.create({
    loanNo: `L${customerId}${Math.floor(Math.random() * 1e6)}`, applicationId: customerId, liveApplicationId: null, customerId, productId: null, ownerId, departmentId: null, channel: 'douyin',
    lenderLoanNo: `X${customerId}`, principalFen: 10_000_00, annualRatePpm: 120_000, monthlyRatePpm: 10_000, termMonths: dues.length, repaymentMethod: 'equal_installment',
    disbursedOn: '2026-10-01', firstDueOn: dues[0]!.dueOn, maturityOn: dues[dues.length - 1]!.dueOn, status: loanStatus as 'active', outstandingPrincipalFen: 10_000_00, createdBy: ownerId,
  });
  const insts = [];
  for (const [i, d] of dues.entries()) {
    insts.push(await Installment.create({
      loanId: loan.id, seq: i + 1, dueOn: d.dueOn, principalFen: 1_134_56, interestFen: 100_00, status: (d.status ?? 'pending') as 'pending',
      ...(d.paid ? { paidPrincipalFen: 1_134_56, paidInterestFen: 100_00, paidOn: '2026-11-30' } : {}),
    }));
  }
  return { loanId: Number(loan.id), installmentIds: insts.map((x) => Number(x.id)) };
}
