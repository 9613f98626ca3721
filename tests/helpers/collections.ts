// Loans for collection and commission tests, inserted straight into the loans tables (the way the
// loans module stores them) with a disbursement entry, and LoanDisbursed emitted in the same
// transaction as the loans module does, so in-transaction subscribers (commission accrual) run.
import { expect } from 'vitest';
import { EVENT_TYPES } from '../../server/src/modules/events/events.service';
import type { TestApp } from './test-app';
import { exec } from './fixtures';

export interface LoanSpec {
  customerId: number;
  channel?: string;
  productId?: number | null;
  principalFen?: number;
  disbursedOn?: string;
  penaltyDailyRatePpm?: number | null;
  /** Due dates with principal/interest (fen) and what is already paid. */
  installments: { dueOn: string; principalFen: number; interestFen?: number; paidPrincipalFen?: number; paidInterestFen?: number; status?: string }[];
}

let seq = 0;

export async function insertLoan(a: TestApp, spec: LoanSpec): Promise<number> {
  const { Loan, Installment, LoanEntry, Customer } = a.deps.db.models;
  const c = await Customer.findByPk(spec.customerId);
  expect(c).toBeTruthy();
  const principal = spec.principalFen ?? spec.installments.reduce((s, i) => s + i.principalFen, 0);
  const disbursedOn = spec.disbursedOn ?? '2026-08-01';
  return a.deps.db.transaction(async (t) => {
    seq++;
    const loan = await Loan.create({
      loanNo: `LT${process.pid}${String(seq).padStart(5, '0')}`, applicationId: 900_000 + seq, liveApplicationId: 900_000 + seq, customerId: spec.customerId, productId: spec.productId ?? null,
      ownerId: c!.ownerId, departmentId: c!.departmentId, channel: spec.channel ?? c!.channel, lenderLoanNo: `B${seq}`, principalFen: principal,
      annualRatePpm: 120_000, monthlyRatePpm: 10_000, termMonths: spec.installments.length, repaymentMethod: 'equal_installment',
      disbursedOn, firstDueOn: spec.installments[0]!.dueOn, maturityOn: spec.installments[spec.installments.length - 1]!.dueOn,
      penaltyDailyRatePpm: spec.penaltyDailyRatePpm ?? null, status: 'active',
      outstandingPrincipalFen: principal - spec.installments.reduce((s, i) => s + (i.paidPrincipalFen ?? 0), 0), createdBy: 1,
    }, { transaction: t });
    await Installment.bulkCreate(spec.installments.map((i, n) => ({
      loanId: loan.id, seq: n + 1, dueOn: i.dueOn, principalFen: i.principalFen, interestFen: i.interestFen ?? 0,
      paidPrincipalFen: i.paidPrincipalFen ?? 0, paidInterestFen: i.paidInterestFen ?? 0, status: (i.status ?? 'pending') as 'pending',
    })), { transaction: t });
    await LoanEntry.create({ loanId: loan.id, kind: 'disbursement', occurredOn: disbursedOn, amountFen: principal, principalFen: principal, source: 'manual', createdBy: 1 }, { transaction: t });
    await a.deps.events.emit({ type: EVENT_TYPES.LoanDisbursed, aggregateType: 'loan', aggregateId: loan.id, actorId: 1, payload: { loanId: Number(loan.id), customerId: spec.customerId, principalFen: principal } }, t);
    return Number(loan.id);
  });
}

/** Moves a customer straight to a stage (test setup only: the stage table is tested elsewhere). */
export async function setStage(a: TestApp, customerId: number, stage: string) {
  await exec(a, 'UPDATE customers SET stage = ? WHERE id = ?', [stage, customerId]);
}

/** A payment entry on a loan (what the loans module records), applied to the first unpaid installment. */
export async function insertPayment(a: TestApp, loanId: number, occurredOn: string, amountFen: number) {
  const { LoanEntry, Installment } = a.deps.db.models;
  await LoanEntry.create({ loanId, kind: 'payment', occurredOn, amountFen, principalFen: amountFen, source: 'manual', externalRef: `pay:${loanId}:${occurredOn}:${amountFen}`, createdBy: 1 });
  const first = await Installment.findOne({ where: { loanId, status: ['pending', 'due', 'partial', 'overdue'] }, order: [['seq', 'ASC']] });
  if (first) {
    const paid = Number(first.paidPrincipalFen) + amountFen;
    await first.update({ paidPrincipalFen: paid, status: paid >= Number(first.principalFen) && Number(first.paidInterestFen) >= Number(first.interestFen) ? 'paid' : 'partial' });
  }
}
