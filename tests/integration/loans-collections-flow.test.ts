// Collections and commissions on loans made the real way (POST /loans as finance): the commission
// accrues in the disbursement's transaction, the overdue pass buckets the loan and charges penalty
// that the payment allocation then collects first, a write-off claws the commission back, and a
// reversed disbursement takes it back with a reversal row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { count, rows } from '../helpers/fixtures';
import { as, disburseLoan, pay } from '../helpers/loans';
import { createOverdueService } from '../../server/src/modules/collections/overdue.service';

let a: TestApp;
beforeAll(async () => {
  a = await createTestApp();
  const res = await (await as(a, '孙丽')).post('/api/v1/commissions/rules', { name: '全部渠道 1%', beneficiary: 'channel', kind: 'percent', ratePpm: 10_000, clawbackMonths: 6, validFrom: '2026-01-01' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});
afterAll(async () => a?.close());

describe('on loans disbursed through the loans API', () => {
  let loanId: number;

  it('accrues the channel commission with the disbursement', async () => {
    const loan = await disburseLoan(a, { input: { disbursedOn: '2026-08-15', firstDueOn: '2026-09-15', termMonths: 6, penaltyDailyRatePpm: 500 } });
    loanId = loan.id;
    const acc = await rows(a, 'SELECT beneficiary, kind, period, amount_fen FROM commission_accruals WHERE loan_id = ?', [loanId]);
    expect(acc.map((r) => [r.beneficiary, r.kind, r.period, Number(r.amount_fen)])).toEqual([['channel', 'accrual', '2026-08', 300_000]]);
  });

  it('the overdue pass buckets it and charges penalty when the product has a rate; a payment collects penalty first', async () => {
    const r = await createOverdueService(a.deps).run({ today: '2026-11-23' });
    expect(r.updated).toBeGreaterThanOrEqual(1);
    const [l] = await rows(a, 'SELECT days_past_due, overdue_bucket, penalty_daily_rate_ppm FROM loans WHERE id = ?', [loanId]);
    expect(l).toMatchObject({ days_past_due: 69, overdue_bucket: 'M3' });
    const penalty = Number((await rows(a, 'SELECT SUM(penalty_fen) AS p FROM installments WHERE loan_id = ?', [loanId]))[0]!.p);
    expect(l!.penalty_daily_rate_ppm).toBe(500);
    expect(penalty).toBeGreaterThan(0);
    const ledger = Number((await rows(a, "SELECT SUM(penalty_fen) AS p FROM loan_entries WHERE loan_id = ? AND kind = 'penalty_accrual'", [loanId]))[0]!.p);
    expect(ledger).toBe(penalty);
    const detail = (await (await as(a, '孙丽')).get(`/api/v1/loans/${loanId}`)).body;
    const first = detail.installments[0];
    expect(first.penaltyFen).toBeGreaterThan(0);
    const res = await pay(a, loanId, first.penaltyFen + first.interestFen + first.principalFen, '2026-11-23');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const after = (await (await as(a, '孙丽')).get(`/api/v1/loans/${loanId}`)).body.installments[0];
    expect(after).toMatchObject({ paidPenaltyFen: first.penaltyFen, paidInterestFen: first.interestFen, paidPrincipalFen: first.principalFen, status: 'paid' });
    await createOverdueService(a.deps).run({ today: '2026-11-24' });
    expect((await rows(a, 'SELECT days_past_due, overdue_bucket FROM loans WHERE id = ?', [loanId]))[0]).toMatchObject({ days_past_due: 40, overdue_bucket: 'M2' });
  });

  it('the collection view and a write-off work on it; the write-off claws the commission back', async () => {
    const zw = await as(a, '张伟');
    expect((await zw.get(`/api/v1/collections/loans/${loanId}`)).body.loan).toMatchObject({ id: loanId, bucket: 'M2' });
    expect((await zw.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'phone', result: '客户承诺本周内还款' })).status).toBe(201);
    const res = await (await as(a, '孙丽')).post(`/api/v1/loans/${loanId}/write-off`, { reason: '客户失联' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const acc = await rows(a, 'SELECT kind, amount_fen FROM commission_accruals WHERE loan_id = ? ORDER BY id', [loanId]);
    expect(acc.map((r) => [r.kind, Number(r.amount_fen)])).toEqual([['accrual', 300_000], ['clawback', -300_000]]);
    expect((await (await as(a, '孙丽')).get(`/api/v1/loans/${loanId}`)).body.status).toBe('written_off');
  });

  it('a disbursement reversed through the loans API takes its commission back', async () => {
    const loan = await disburseLoan(a, {});
    const entry = loan.entries.find((e) => e.kind === 'disbursement')!;
    const res = await (await as(a, '孙丽')).post(`/api/v1/loans/${loan.id}/entries/${entry.id}/reverse`, { reason: '放款金额录错' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const acc = await rows(a, 'SELECT kind, amount_fen FROM commission_accruals WHERE loan_id = ? ORDER BY id', [loan.id]);
    expect(acc.map((r) => [r.kind, Number(r.amount_fen)])).toEqual([['accrual', 300_000], ['reversal', -300_000]]);
    expect(await count(a, 'commission_accruals', "kind = 'reversal'")).toBe(1);
  });
});
