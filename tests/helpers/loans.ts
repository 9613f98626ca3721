// Helpers for loan tests (issue #6): an application approved through the default flow for a
// customer at 已签约, and a loan disbursed from it through the API as finance, so every helper's
// tests (overdue, collections, commissions, reports) start from a loan made the real way.
import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { Client, TestApp } from './test-app';
import { advanceTo, rows } from './fixtures';
import { approve, SMALL, submitted } from './applications';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';

const clients = new WeakMap<TestApp, Map<string, Client>>();
/** Signed-in clients cached per test app (login is an HTTP round trip). */
export async function as(t: TestApp, name: string): Promise<Client> {
  let m = clients.get(t);
  if (!m) clients.set(t, (m = new Map()));
  let c = m.get(name);
  if (!c) m.set(name, (c = await t.loginAs(name)));
  return c;
}

/**
 * An application of 张伟's (or `officer`'s) customer, approved by 吴婷 and 李娜 (≤ 50万 needs no
 * 总监), the customer moved on to 已签约.
 */
export async function approvedAndSigned(t: TestApp, opts: { officer?: string; amountFen?: number; overrides?: Record<string, unknown> } = {}) {
  const officer = await as(t, opts.officer ?? '张伟');
  const app = await submitted(officer, { amountFen: opts.amountFen ?? SMALL, ...opts.overrides });
  await approve(await as(t, '吴婷'), app.id);
  await approve(await as(t, '李娜'), app.id);
  const [row] = await rows(t, 'SELECT status FROM applications WHERE id = ?', [app.id]);
  expect(row.status).toBe('approved');
  await advanceTo(officer, app.customerId, ['signed']);
  return { applicationId: app.id, customerId: app.customerId };
}

export function disbursementInput(applicationId: number, overrides: Record<string, unknown> = {}) {
  const disbursedOn = shanghaiDate();
  return {
    applicationId,
    principalFen: SMALL,
    disbursedOn,
    lenderLoanNo: `JJ${crypto.randomBytes(5).toString('hex').toUpperCase()}`,
    repaymentMethod: 'equal_installment',
    annualRatePpm: 120_000, // 12 %: 1 % a month
    termMonths: 12,
    firstDueOn: addDays(disbursedOn, 30),
    ...overrides,
  };
}

/**
 * A loan disbursed through POST /loans as 孙丽 (财务); returns the loan detail (schedule,
 * entries) plus the customer and application ids. `input` overrides the disbursement form,
 * e.g. `{ disbursedOn: '2026-01-15', firstDueOn: '2026-02-15' }` for a loan with installments
 * already due.
 */
export async function disburseLoan(t: TestApp, opts: { officer?: string; amountFen?: number; input?: Record<string, unknown>; finance?: string } = {}) {
  const { applicationId, customerId } = await approvedAndSigned(t, opts);
  const finance = await as(t, opts.finance ?? '孙丽');
  const res = await finance.post('/api/v1/loans', disbursementInput(applicationId, { principalFen: opts.amountFen ?? SMALL, ...opts.input }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...res.body, applicationId, customerId } as LoanDetail;
}

/** Records a payment as 孙丽. */
export async function pay(t: TestApp, loanId: number, amountFen: number, paidOn = shanghaiDate(), extra: Record<string, unknown> = {}) {
  return (await as(t, '孙丽')).post(`/api/v1/loans/${loanId}/payments`, { amountFen, paidOn, ...extra });
}

export interface LoanDetail {
  id: number;
  loanNo: string;
  lenderLoanNo: string;
  customerId: number;
  applicationId: number;
  principalFen: number;
  outstandingPrincipalFen: number;
  status: string;
  installments: { id: number; seq: number; dueOn: string; principalFen: number; interestFen: number; penaltyFen: number; paidPrincipalFen: number; paidInterestFen: number; paidPenaltyFen: number; waivedFen: number; status: string }[];
  entries: { id: number; kind: string; amountFen: number; principalFen: number; interestFen: number; penaltyFen: number; reversedByEntryId: number | null; reversible: boolean }[];
  [k: string]: unknown;
}
