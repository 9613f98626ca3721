// Loans through the HTTP API on a real database (C16, C17): disbursement (stage history, schedule,
// ledger, event, notices, idempotency, permissions, scope), payments (allocation penalty →
// interest → principal, partial, overpayment refused, reference idempotency, settlement), early
// settlement (quote rule, stale quote refused, waiver) and reversals (payment, settled loan
// reopened, disbursement frees the application).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { count, customerRow, exec, expectError, expectValidation, rows } from '../helpers/fixtures';
import { SMALL, submitted } from '../helpers/applications';
import { approvedAndSigned, as, disbursementInput, disburseLoan, pay, type LoanDetail } from '../helpers/loans';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { addMonthsClamped, daysBetween, roundHalfUp } from '../../server/src/modules/loans/schedule';

let t: TestApp;
let sun: Client; // 财务
let zhang: Client; // 信贷员 杭州一部, owner of the customers
let he: Client; // 信贷员 杭州二部
let wu: Client; // 团队主管 杭州一部
const T = shanghaiDate();

beforeAll(async () => {
  t = await createTestApp();
  [sun, zhang, he, wu] = await Promise.all(['孙丽', '张伟', '何丹', '吴婷'].map((n) => as(t, n)));
});
afterAll(() => t?.close());

const stagesOf = async (customerId: number) =>
  (await rows(t, 'SELECT from_stage, to_stage FROM customer_stage_changes WHERE customer_id = ? ORDER BY id', [customerId])).map((r) => `${r.from_stage}→${r.to_stage}`);
const loanRow = async (id: number) => (await rows(t, 'SELECT * FROM loans WHERE id = ?', [id]))[0]!;
const instRows = (loanId: number) => rows(t, 'SELECT * FROM installments WHERE loan_id = ? ORDER BY seq', [loanId]);
const n = (v: unknown) => Number(v);

describe('disbursement (放款)', () => {
  it('creates the loan, its schedule and the ledger entry, moves the customer 已签约 → 已放款 → 还款中, emits LoanDisbursed and notifies owner and team', async () => {
    const { applicationId, customerId } = await approvedAndSigned(t);
    expect((await sun.get('/api/v1/loans/disbursable')).body.map((a: { applicationId: number }) => a.applicationId)).toContain(applicationId);
    const input = disbursementInput(applicationId, { principalFen: 10_000_000, annualRatePpm: 0, monthlyRatePpm: 10_000, termMonths: 12, firstDueOn: addDays(T, 20) });
    const res = await sun.post('/api/v1/loans', input).set('Idempotency-Key', 'disb-1');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const loan = res.body as LoanDetail;
    expect(loan).toMatchObject({
      status: 'active', statusName: '还款中', principalFen: 10_000_000, outstandingPrincipalFen: 10_000_000, annualRatePpm: 120_000, monthlyRatePpm: 10_000,
      customerId, applicationId, lenderLoanNo: input.lenderLoanNo, repaymentMethodName: '等额本息', maturityOn: addMonthsClamped(input.firstDueOn, 11),
    });
    expect(loan.loanNo).toBe(`L${T.replace(/-/g, '')}${String(loan.id).padStart(6, '0')}`);
    // 10万 at 1 % a month over 12: 8,884.88 a month, principal summing to the loan exactly
    expect(loan.installments).toHaveLength(12);
    expect(loan.installments[0]).toMatchObject({ seq: 1, dueOn: input.firstDueOn, principalFen: 788_488, interestFen: 100_000, status: 'pending' });
    expect(loan.installments.reduce((s, i) => s + i.principalFen, 0)).toBe(10_000_000);
    expect(loan.entries).toEqual([expect.objectContaining({ kind: 'disbursement', amountFen: 10_000_000, principalFen: 10_000_000, reversible: true })]);

    expect(await stagesOf(customerId)).toEqual(['null→lead', 'lead→intent', 'intent→due_diligence', 'due_diligence→under_approval', 'under_approval→signed', 'signed→disbursed', 'disbursed→repaying']);
    expect((await customerRow(t, customerId)).stage).toBe('repaying');
    const [ev] = await rows(t, "SELECT payload FROM domain_events WHERE type = 'loan.disbursed' AND aggregate_id = ?", [String(loan.id)]);
    const payload = typeof ev!.payload === 'string' ? JSON.parse(ev!.payload) : ev!.payload;
    expect(payload).toMatchObject({ loanId: loan.id, customerId, principalFen: 10_000_000, ownerId: await t.userId('张伟'), channel: 'douyin', disbursedOn: T });
    expect(typeof payload.departmentId).toBe('number');
    const notices = await rows(t, "SELECT recipient_user_id, department_id FROM bot_messages WHERE kind = 'loan_disbursed' AND ref_id = ?", [String(loan.id)]);
    expect(notices.some((m) => n(m.recipient_user_id) === payload.ownerId)).toBe(true); // the owner
    expect(notices.some((m) => m.recipient_user_id === null && n(m.department_id) === payload.departmentId)).toBe(true); // the team
    expect(await count(t, 'audit_logs', "action = 'disburse' AND entity_id = ?", [String(loan.id)])).toBe(1);
    // No longer waiting for disbursement.
    expect((await sun.get('/api/v1/loans/disbursable')).body.map((a: { applicationId: number }) => a.applicationId)).not.toContain(applicationId);

    // A double tap with the same key returns the same loan; another attempt is refused.
    const again = await sun.post('/api/v1/loans', input).set('Idempotency-Key', 'disb-1');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: loan.id, replayed: true });
    expectError(await sun.post('/api/v1/loans', input).set('Idempotency-Key', 'disb-2'), 409, 'LOAN_ALREADY_DISBURSED');
    expectError(await sun.post('/api/v1/loans', input), 409, 'LOAN_ALREADY_DISBURSED');
    expect(await count(t, 'loans', 'application_id = ?', [applicationId])).toBe(1);
    expect(await count(t, 'installments', 'loan_id = ?', [loan.id])).toBe(12);
    expect(await count(t, 'domain_events', "type = 'loan.disbursed' AND aggregate_id = ?", [String(loan.id)])).toBe(1);
  });

  it('the 放款 list starts from the signed contract: its amount, rate, term and method', async () => {
    const { applicationId, customerId } = await approvedAndSigned(t);
    await exec(t, `INSERT INTO contracts (contract_no, application_id, customer_id, product_id, template_id, status, amount_fen, annual_rate_ppm, term_months, repayment_method,
      file_name, storage_key, size_bytes, sha256, provider, generated_by, signed_at, created_at, updated_at)
      VALUES (?, ?, ?, 1, 1, 'signed', 28000000, 86000, 24, 'equal_principal', 'c.docx', 'k', 1, ?, 'manual', 1, ?, ?, ?)`,
      [`HT${applicationId}`, applicationId, customerId, 'a'.repeat(64), new Date(), new Date(), new Date()]);
    const item = (await sun.get('/api/v1/loans/disbursable')).body.find((a: { applicationId: number }) => a.applicationId === applicationId);
    expect(item).toMatchObject({ contractNo: `HT${applicationId}`, amountFen: 28_000_000, annualRatePpm: 86_000, termMonths: 24, repaymentMethod: 'equal_principal', customerName: '测试客户' });
  });

  it('two simultaneous requests create one loan', async () => {
    const { applicationId } = await approvedAndSigned(t);
    const input = disbursementInput(applicationId);
    const [a, b] = await Promise.all([sun.post('/api/v1/loans', input).set('Idempotency-Key', 'race'), sun.post('/api/v1/loans', input).set('Idempotency-Key', 'race')]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(await count(t, 'loans', 'application_id = ?', [applicationId])).toBe(1);
  });

  it('only finance and admin disburse; only an approved application of a signed customer; bad input is 422 and writes nothing', async () => {
    const { applicationId } = await approvedAndSigned(t);
    const pending = await submitted(zhang); // submitted, not approved: finance does not even see it
    const before = { loans: await count(t, 'loans'), events: await count(t, 'domain_events'), stages: await count(t, 'customer_stage_changes') };
    expectError(await zhang.post('/api/v1/loans', disbursementInput(applicationId)), 403, 'FORBIDDEN');
    expectError(await wu.post('/api/v1/loans', disbursementInput(applicationId)), 403, 'FORBIDDEN');
    expectError(await zhang.get('/api/v1/loans/disbursable'), 403, 'FORBIDDEN');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { firstDueOn: T })), 'firstDueOn');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { principalFen: 0 })), 'principalFen');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { principalFen: 100.5 })), 'principalFen');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { repaymentMethod: 'monthly' })), 'repaymentMethod');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { termMonths: 361 })), 'termMonths');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { annualRatePpm: 8.5 })), 'annualRatePpm');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { lenderLoanNo: ' ' })), 'lenderLoanNo');
    expectValidation(await sun.post('/api/v1/loans', disbursementInput(applicationId, { disbursedOn: addDays(T, 1), firstDueOn: addDays(T, 30) })), 'disbursedOn');

    expectError(await sun.post('/api/v1/loans', disbursementInput(pending.id)), 404, 'NOT_FOUND');
    expectError(await (await as(t, '王敏')).post('/api/v1/loans', disbursementInput(pending.id)), 409, 'APPLICATION_NOT_DISBURSABLE');
    expect((await customerRow(t, pending.customerId)).stage).toBe('under_approval');
    expect({ loans: await count(t, 'loans'), events: await count(t, 'domain_events'), stages: await count(t, 'customer_stage_changes') }).toEqual(before);
  });

  it('an approved application whose customer has not signed is refused', async () => {
    const app = await submitted(zhang);
    await (await as(t, '吴婷')).post(`/api/v1/applications/${app.id}/decide`, { action: 'approve' });
    await (await as(t, '李娜')).post(`/api/v1/applications/${app.id}/decide`, { action: 'approve' });
    const res = await sun.post('/api/v1/loans', disbursementInput(app.id));
    expectError(res, 409, 'CUSTOMER_NOT_SIGNED');
    expect(res.body.error.message).toContain('已签约');
    expect(await count(t, 'loans', 'application_id = ?', [app.id])).toBe(0);
  });

  it('reads follow the customer scope: another team reads 404, the owner and finance read it, an officer cannot act', async () => {
    const loan = await disburseLoan(t);
    expect((await zhang.get(`/api/v1/loans/${loan.id}`)).status).toBe(200);
    expect((await zhang.get(`/api/v1/loans/${loan.id}`)).body.permissions).toEqual({ recordPayment: false, earlySettle: false, reverse: false });
    expect((await sun.get(`/api/v1/loans/${loan.id}`)).body.permissions).toEqual({ recordPayment: true, earlySettle: true, reverse: true });
    expectError(await he.get(`/api/v1/loans/${loan.id}`), 404, 'NOT_FOUND');
    expectError(await (await as(t, '郑浩')).get(`/api/v1/loans/${loan.id}`), 404, 'NOT_FOUND');
    expect((await he.get(`/api/v1/loans?customerId=${loan.customerId}`)).status).toBe(404);
    expect((await he.get('/api/v1/loans')).body.items.map((l: { id: number }) => l.id)).not.toContain(loan.id);
    expect((await zhang.get(`/api/v1/loans?customerId=${loan.customerId}`)).body.items.map((l: { id: number }) => l.id)).toEqual([loan.id]);
    expect((await wu.get('/api/v1/loans')).body.items.map((l: { id: number }) => l.id)).toContain(loan.id);
    expectError(await zhang.post(`/api/v1/loans/${loan.id}/payments`, { amountFen: 100, paidOn: T }), 403, 'FORBIDDEN');
    expectError(await sun.get('/api/v1/loans/999999'), 404, 'NOT_FOUND');
  });
});

describe('payments (还款)', () => {
  // 12,000 元 等额本金 at 12 %: principal 1,000 a month, interest 120, 110, 100, …; installments
  // 1 and 2 already past due, 3 the current period.
  let loan: LoanDetail;
  beforeAll(async () => {
    loan = await disburseLoan(t, { amountFen: 1_200_000, input: { principalFen: 1_200_000, repaymentMethod: 'equal_principal', disbursedOn: addDays(T, -75), firstDueOn: addDays(T, -45) } });
    // What the nightly overdue job would have charged on installment 1.
    await exec(t, 'UPDATE installments SET penalty_fen = 500 WHERE loan_id = ? AND seq = 1', [loan.id]);
  });

  it('the schedule of a back-dated loan marks installments already past due as overdue', () => {
    expect(loan.installments.slice(0, 3).map((i) => [i.principalFen, i.interestFen, i.status])).toEqual([[100_000, 12_000, 'overdue'], [100_000, 11_000, 'overdue'], [100_000, 10_000, 'pending']]);
  });

  it('a partial payment goes to penalty, then interest, then principal of the oldest installment', async () => {
    const res = await pay(t, loan.id, 5_000);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [i1] = await instRows(loan.id);
    expect([n(i1!.paid_penalty_fen), n(i1!.paid_interest_fen), n(i1!.paid_principal_fen), i1!.status]).toEqual([500, 4_500, 0, 'overdue']);
    const [entry] = await rows(t, "SELECT * FROM loan_entries WHERE loan_id = ? AND kind = 'payment'", [loan.id]);
    expect([n(entry!.amount_fen), n(entry!.penalty_fen), n(entry!.interest_fen), n(entry!.principal_fen), entry!.source]).toEqual([5_000, 500, 4_500, 0, 'manual']);
    expect(await count(t, 'loan_allocations', 'entry_id = ?', [entry!.id])).toBe(1);
    expect(res.body.loan.outstandingPrincipalFen).toBe(1_200_000);
  });

  it('the next payment finishes installment 1 and moves on to installment 2', async () => {
    const res = await pay(t, loan.id, 120_000);
    expect(res.status).toBe(201);
    const [i1, i2, i3] = await instRows(loan.id);
    expect([n(i1!.paid_interest_fen), n(i1!.paid_principal_fen), i1!.status, i1!.paid_on]).toEqual([12_000, 100_000, 'paid', T]);
    expect([n(i2!.paid_interest_fen), n(i2!.paid_principal_fen), i2!.status]).toEqual([11_000, 1_500, 'overdue']);
    expect(i3!.status).toBe('pending');
    expect(n((await loanRow(loan.id)).outstanding_principal_fen)).toBe(1_200_000 - 101_500);
    const allocs = await rows(t, 'SELECT a.* FROM loan_allocations a JOIN loan_entries e ON e.id = a.entry_id WHERE e.loan_id = ? ORDER BY a.id', [loan.id]);
    expect(allocs.map((a) => [n(a.penalty_fen), n(a.interest_fen), n(a.principal_fen)])).toEqual([[500, 4_500, 0], [0, 7_500, 100_000], [0, 11_000, 1_500]]);
  });

  it('more than what is due plus the current installment is refused with the maximum, and writes nothing', async () => {
    const before = await count(t, 'loan_entries');
    const res = await pay(t, loan.id, 98_500 + 110_000 + 1);
    expectError(res, 422, 'PAYMENT_EXCEEDS_DUE');
    expect(res.body.error.details.maxFen).toBe(98_500 + 110_000);
    expect(res.body.error.message).toContain('2,085.00');
    expect(await count(t, 'loan_entries')).toBe(before);
    expectValidation(await pay(t, loan.id, 100, addDays(T, 1)), 'paidOn');
    expectValidation(await pay(t, loan.id, 100, addDays(T, -76)), 'paidOn');
    expectValidation(await pay(t, loan.id, 0), 'amountFen');
    expectValidation(await pay(t, loan.id, 10.5), 'amountFen');
    expect(await count(t, 'loan_entries')).toBe(before);
  });

  it('the same reference twice records one payment; the same reference with another amount is a conflict', async () => {
    const first = await pay(t, loan.id, 1_000, T, { externalRef: 'BANK-001' });
    expect(first.status).toBe(201);
    const again = await pay(t, loan.id, 1_000, T, { externalRef: 'BANK-001' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ replayed: true, entryId: first.body.entryId });
    expectError(await pay(t, loan.id, 2_000, T, { externalRef: 'BANK-001' }), 409, 'IDEMPOTENCY_KEY_REUSED');
    expect(await count(t, 'loan_entries', 'loan_id = ? AND external_ref = ?', [loan.id, 'BANK-001'])).toBe(1);
    // A client Idempotency-Key (double tap) works the same way.
    const k1 = await (await as(t, '孙丽')).post(`/api/v1/loans/${loan.id}/payments`, { amountFen: 500, paidOn: T }).set('Idempotency-Key', 'tap-1');
    const k2 = await (await as(t, '孙丽')).post(`/api/v1/loans/${loan.id}/payments`, { amountFen: 500, paidOn: T }).set('Idempotency-Key', 'tap-1');
    expect(k2.body).toMatchObject({ replayed: true, entryId: k1.body.entryId });
  });

  it('paying all that is due plus the current installment clears installments 1–3; the loan stays active', async () => {
    const d = (await sun.get(`/api/v1/loans/${loan.id}`)).body as LoanDetail;
    const owe = (i: LoanDetail['installments'][0]) => i.principalFen + i.interestFen + i.penaltyFen - i.paidPrincipalFen - i.paidInterestFen - i.paidPenaltyFen - i.waivedFen;
    const max = d.installments.slice(0, 3).reduce((s, i) => s + owe(i), 0);
    expect((await pay(t, loan.id, max)).status).toBe(201);
    const after = (await sun.get(`/api/v1/loans/${loan.id}`)).body as LoanDetail;
    expect(after.installments.map((i) => i.status).slice(0, 4)).toEqual(['paid', 'paid', 'paid', 'pending']);
    expect(after.status).toBe('active');
    expect(after.outstandingPrincipalFen).toBe(900_000);
    // Installment 4 is beyond the current period (3): paying it now is an early settlement.
    const more = await pay(t, loan.id, 100);
    expectError(more, 409, 'NOTHING_DUE');
    expect(more.body.error.message).toContain('提前结清');
  });
});

describe('concurrent payments', () => {
  it('two payments at the same moment are both recorded, one after the other, with consistent allocations', async () => {
    const loan = await disburseLoan(t, { amountFen: 1_200_000, input: { principalFen: 1_200_000, repaymentMethod: 'equal_principal', disbursedOn: addDays(T, -45), firstDueOn: addDays(T, -15) } });
    const [a, b] = await Promise.all([pay(t, loan.id, 60_000, T, { externalRef: 'C-1' }), pay(t, loan.id, 60_000, T, { externalRef: 'C-2' })]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const insts = await instRows(loan.id);
    // 120,000 in all: installment 1 (12,000 + 100,000) in full, then 8,000 of installment 2's interest.
    expect(insts.slice(0, 2).map((i) => [n(i.paid_interest_fen), n(i.paid_principal_fen), i.status])).toEqual([[12_000, 100_000, 'paid'], [8_000, 0, 'partial']]);
    const [sum] = await rows(t, 'SELECT SUM(a.interest_fen + a.principal_fen + a.penalty_fen) AS s FROM loan_allocations a JOIN loan_entries e ON e.id = a.entry_id WHERE e.loan_id = ?', [loan.id]);
    expect(n(sum!.s)).toBe(120_000);
  });
});

describe('settling a loan', () => {
  it('the last payment of a 1-month loan settles it: loan settled, customer 已结清, LoanSettled emitted', async () => {
    const loan = await disburseLoan(t, { amountFen: 500_000, input: { principalFen: 500_000, termMonths: 1, repaymentMethod: 'bullet', disbursedOn: addDays(T, -40), firstDueOn: addDays(T, -10) } });
    expect(loan.installments).toEqual([expect.objectContaining({ principalFen: 500_000, interestFen: 5_000, status: 'overdue' })]);
    expect((await pay(t, loan.id, 200_000)).status).toBe(201);
    expect((await loanRow(loan.id)).status).toBe('active');
    const res = await pay(t, loan.id, 305_000, T, { externalRef: 'LAST-1' });
    expect(res.status).toBe(201);
    // The settling payment sent again (a retry) is the same payment, not an error.
    expect((await pay(t, loan.id, 305_000, T, { externalRef: 'LAST-1' })).body).toMatchObject({ replayed: true, entryId: res.body.entryId });
    expect(res.body.loan).toMatchObject({ status: 'settled', settledOn: T, outstandingPrincipalFen: 0 });
    expect((await customerRow(t, loan.customerId)).stage).toBe('settled');
    expect((await stagesOf(loan.customerId)).slice(-1)).toEqual(['repaying→settled']);
    expect(await count(t, 'domain_events', "type = 'loan.settled' AND aggregate_id = ?", [String(loan.id)])).toBe(1);
    expectError(await pay(t, loan.id, 100), 409, 'LOAN_NOT_ACTIVE');
  });
});

describe('early settlement (提前结清)', () => {
  it('quotes principal + interest accrued to the date + penalty, refuses a stale amount, settles and waives the rest', async () => {
    // 12,000 元 等额本金 12 %: installment 1 due 15 days ago (owed in full), installment 2's period
    // began then, so 15 of its days have run.
    const loan = await disburseLoan(t, { amountFen: 1_200_000, input: { principalFen: 1_200_000, repaymentMethod: 'equal_principal', disbursedOn: addDays(T, -45), firstDueOn: addDays(T, -15) } });
    await exec(t, 'UPDATE installments SET penalty_fen = 300 WHERE loan_id = ? AND seq = 1', [loan.id]);
    const i2 = loan.installments[1]!;
    const accrued = Number(roundHalfUp(BigInt(i2.interestFen) * 15n, BigInt(daysBetween(addDays(T, -15), i2.dueOn))));
    const scheduledInterest = loan.installments.reduce((s, i) => s + i.interestFen, 0);
    const res = await sun.get(`/api/v1/loans/${loan.id}/settlement-quote`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ loanId: loan.id, on: T, principalFen: 1_200_000, interestFen: 12_000 + accrued, penaltyFen: 300, totalFen: 1_200_000 + 12_000 + accrued + 300, waivedFen: scheduledInterest - 12_000 - accrued });
    // On the disbursement date nothing has accrued; earlier is refused.
    expect((await sun.get(`/api/v1/loans/${loan.id}/settlement-quote?on=${addDays(T, -45)}`)).body).toMatchObject({ interestFen: 0, principalFen: 1_200_000 });
    expectValidation(await sun.get(`/api/v1/loans/${loan.id}/settlement-quote?on=${addDays(T, -46)}`), 'on');
    expectError(await zhang.get(`/api/v1/loans/${loan.id}/settlement-quote`), 403, 'FORBIDDEN');

    const before = await count(t, 'loan_entries', 'loan_id = ?', [loan.id]);
    const stale = await sun.post(`/api/v1/loans/${loan.id}/early-settlement`, { settledOn: T, amountFen: res.body.totalFen - 1 });
    expectError(stale, 409, 'SETTLEMENT_QUOTE_CHANGED');
    expect(stale.body.error.details.quote.totalFen).toBe(res.body.totalFen);
    expect(await count(t, 'loan_entries', 'loan_id = ?', [loan.id])).toBe(before);

    const done = await sun.post(`/api/v1/loans/${loan.id}/early-settlement`, { settledOn: T, amountFen: res.body.totalFen });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(done.body.loan).toMatchObject({ status: 'settled', outstandingPrincipalFen: 0, settledOn: T });
    const entries = await rows(t, "SELECT * FROM loan_entries WHERE loan_id = ? AND kind = 'early_settlement'", [loan.id]);
    expect(entries).toHaveLength(1);
    expect([n(entries[0]!.amount_fen), n(entries[0]!.principal_fen), n(entries[0]!.interest_fen), n(entries[0]!.penalty_fen)]).toEqual([res.body.totalFen, 1_200_000, 12_000 + accrued, 300]);
    const insts = await instRows(loan.id);
    expect(insts.every((i) => i.status === 'paid')).toBe(true);
    expect(insts.reduce((s, i) => s + n(i.waived_fen), 0)).toBe(res.body.waivedFen);
    expect(insts.reduce((s, i) => s + n(i.paid_principal_fen), 0)).toBe(1_200_000);
    expect((await customerRow(t, loan.customerId)).stage).toBe('settled');
    expectError(await sun.post(`/api/v1/loans/${loan.id}/early-settlement`, { settledOn: T, amountFen: res.body.totalFen }), 409, 'LOAN_NOT_ACTIVE');
  });
});

describe('reversals (冲正)', () => {
  it('reversing a payment adds a negated entry and gives the installments their amounts back', async () => {
    const loan = await disburseLoan(t, { amountFen: 1_200_000, input: { principalFen: 1_200_000, repaymentMethod: 'equal_principal', disbursedOn: addDays(T, -45), firstDueOn: addDays(T, -15) } });
    const p1 = (await pay(t, loan.id, 50_000)).body.entryId as number;
    const p2 = (await pay(t, loan.id, 70_000)).body.entryId as number;
    expect((await instRows(loan.id))[0]!.status).toBe('paid');
    expectValidation(await sun.post(`/api/v1/loans/${loan.id}/entries/${p1}/reverse`, { reason: '' }), 'reason');
    const res = await sun.post(`/api/v1/loans/${loan.id}/entries/${p1}/reverse`, { reason: '录错金额' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rev = res.body.entries.find((e: { kind: string }) => e.kind === 'reversal');
    expect(rev).toMatchObject({ amountFen: -50_000, interestFen: -12_000, principalFen: -38_000, reversesEntryId: p1, note: '录错金额', reversible: false });
    // Never an edit in place: the original payment entry keeps its kind and amounts, only linked to its reversal.
    expect(res.body.entries.find((e: { id: number }) => e.id === p1)).toMatchObject({ kind: 'payment', amountFen: 50_000, interestFen: 12_000, principalFen: 38_000, reversedByEntryId: rev.id, reversible: false });
    const [orig] = await rows(t, 'SELECT kind, amount_fen FROM loan_entries WHERE id = ?', [p1]);
    expect([orig!.kind, n(orig!.amount_fen)]).toEqual(['payment', 50_000]);
    // Only the second payment stands, where it was allocated: 62,000 principal of installment 1
    // and 8,000 interest of installment 2. Installment 1 owes again what the first had paid.
    const [i1, i2] = await instRows(loan.id);
    expect([n(i1!.paid_interest_fen), n(i1!.paid_principal_fen), i1!.status]).toEqual([0, 62_000, 'overdue']);
    expect([n(i2!.paid_interest_fen), n(i2!.paid_principal_fen), i2!.status]).toEqual([8_000, 0, 'partial']);
    expect(n((await loanRow(loan.id)).outstanding_principal_fen)).toBe(1_200_000 - 62_000);
    expectError(await sun.post(`/api/v1/loans/${loan.id}/entries/${p1}/reverse`, { reason: '再冲一次' }), 409, 'ENTRY_ALREADY_REVERSED');
    expectError(await sun.post(`/api/v1/loans/${loan.id}/entries/${rev.id}/reverse`, { reason: '冲正的冲正' }), 422, 'ENTRY_NOT_REVERSIBLE');
    expectError(await zhang.post(`/api/v1/loans/${loan.id}/entries/${p2}/reverse`, { reason: '越权' }), 403, 'FORBIDDEN');
    expect(await count(t, 'domain_events', "type = 'loan.entry_reversed' AND aggregate_id = ?", [String(loan.id)])).toBe(1);

    // The disbursement cannot be reversed while a payment stands (and is not offered for it).
    const disb = loan.entries[0]!.id;
    expect(res.body.entries.find((e: { id: number }) => e.id === disb).reversible).toBe(false);
    expectError(await sun.post(`/api/v1/loans/${loan.id}/entries/${disb}/reverse`, { reason: '放款登记错误' }), 409, 'LOAN_HAS_PAYMENTS');
    expect((await sun.post(`/api/v1/loans/${loan.id}/entries/${p2}/reverse`, { reason: '同上' })).status).toBe(200);
    const insts = await instRows(loan.id);
    expect(insts.every((i) => n(i.paid_principal_fen) === 0 && n(i.paid_interest_fen) === 0)).toBe(true);

    // Now it can: the loan is reversed, the application free again, the customer back at 已签约.
    const gone = await sun.post(`/api/v1/loans/${loan.id}/entries/${disb}/reverse`, { reason: '放款登记错误' });
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ status: 'reversed', statusName: '已冲正', outstandingPrincipalFen: 0 });
    expect((await loanRow(loan.id)).live_application_id).toBeNull();
    expect((await customerRow(t, loan.customerId)).stage).toBe('signed');
    expect((await stagesOf(loan.customerId)).slice(-1)).toEqual(['repaying→signed']);
    expectError(await pay(t, loan.id, 100), 409, 'LOAN_NOT_ACTIVE');
    // The application can be disbursed again, as a new loan.
    const again = await sun.post('/api/v1/loans', disbursementInput(loan.applicationId));
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.id).not.toBe(loan.id);
    expect((await customerRow(t, loan.customerId)).stage).toBe('repaying');
  });

  it('reversing the payment that settled a loan reopens it and the customer goes back to 还款中', async () => {
    const loan = await disburseLoan(t, { amountFen: SMALL, input: { principalFen: 100_000, termMonths: 1, repaymentMethod: 'bullet', disbursedOn: addDays(T, -40), firstDueOn: addDays(T, -10) } });
    const p = (await pay(t, loan.id, 101_000)).body;
    expect(p.loan.status).toBe('settled');
    expect((await customerRow(t, loan.customerId)).stage).toBe('settled');
    const res = await sun.post(`/api/v1/loans/${loan.id}/entries/${p.entryId}/reverse`, { reason: '银行退票' });
    expect(res.body).toMatchObject({ status: 'active', settledOn: null, outstandingPrincipalFen: 100_000 });
    expect(res.body.installments[0]).toMatchObject({ status: 'overdue', paidPrincipalFen: 0 });
    expect((await customerRow(t, loan.customerId)).stage).toBe('repaying');
  });

  it('reversing an early settlement takes the waiver back too', async () => {
    const loan = await disburseLoan(t, { amountFen: 1_200_000, input: { principalFen: 1_200_000, repaymentMethod: 'equal_installment', disbursedOn: addDays(T, -10), firstDueOn: addDays(T, 20) } });
    const q = (await sun.get(`/api/v1/loans/${loan.id}/settlement-quote`)).body;
    const s = await sun.post(`/api/v1/loans/${loan.id}/early-settlement`, { settledOn: T, amountFen: q.totalFen });
    expect(s.status).toBe(201);
    expect((await instRows(loan.id)).reduce((x, i) => x + n(i.waived_fen), 0)).toBe(q.waivedFen);
    const res = await sun.post(`/api/v1/loans/${loan.id}/entries/${s.body.entryId}/reverse`, { reason: '客户撤回结清' });
    expect(res.body.status).toBe('active');
    const insts = await instRows(loan.id);
    expect(insts.every((i) => n(i.waived_fen) === 0 && n(i.paid_principal_fen) === 0 && i.status === 'pending')).toBe(true);
    expect((await sun.get(`/api/v1/loans/${loan.id}/settlement-quote`)).body.totalFen).toBe(q.totalFen);
  });
});
