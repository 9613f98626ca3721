// Overdue and collections (C19) on the real databases: the nightly pass (dpd, buckets, overdue
// installments, penalty once per day, LoanOverdueChanged), collection records with promises to pay
// (a broken promise → one task), write-off (坏账), data scope and permissions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type Client } from '../helpers/test-app';
import { count, createCustomer, expectError, expectValidation, rows } from '../helpers/fixtures';
import { insertLoan, insertPayment, setStage } from '../helpers/collections';
import { createOverdueService } from '../../server/src/modules/collections/overdue.service';
import { overdueJob } from '../../bot/src/jobs/overdue.job';

const at = (day: string) => Date.parse(`${day}T02:00:00Z`); // 10:00 Shanghai
let now = at('2026-11-23');
let a: TestApp;
let zw: Client; // officer, 杭州一部, owns the customer
let loanId: number;
let customerId: number;

const run = () => createOverdueService(a.deps).run();
const loan = async () => (await rows(a, 'SELECT * FROM loans WHERE id = ?', [loanId]))[0]!;
const penaltyTotal = async (id = loanId) => Number((await rows(a, 'SELECT COALESCE(SUM(penalty_fen), 0) AS p FROM installments WHERE loan_id = ?', [id]))[0]!.p);

beforeAll(async () => {
  a = await createTestApp({ build: { bot: { now: () => now } } });
  zw = await a.loginAs('张伟');
  customerId = (await createCustomer(zw, { name: '逾期客户甲' })).id;
  await setStage(a, customerId, 'repaying');
  loanId = await insertLoan(a, {
    customerId, disbursedOn: '2026-09-10', penaltyDailyRatePpm: 500,
    installments: [
      { dueOn: '2026-10-10', principalFen: 100_000, interestFen: 5_000 },
      { dueOn: '2026-11-10', principalFen: 100_000, interestFen: 5_000 },
      { dueOn: '2026-12-10', principalFen: 100_000, interestFen: 5_000 },
    ],
  });
});
afterAll(async () => a?.close());

describe('the nightly overdue pass', () => {
  it('sets days past due, the bucket, overdue installments and today’s penalty, and emits the bucket change', async () => {
    const r = await run();
    expect(r).toMatchObject({ today: '2026-11-23', scanned: 1, updated: 1, bucketChanges: 1 });
    expect(await loan()).toMatchObject({ days_past_due: 44, overdue_bucket: 'M2', overdue_since: '2026-10-11' });
    const inst = await rows(a, 'SELECT seq, status, penalty_fen FROM installments WHERE loan_id = ? ORDER BY seq', [loanId]);
    // 1000 元 × 0.05 % a day: 44 days on the first, 13 on the second; the third is not due yet.
    expect(inst.map((i) => [i.status, Number(i.penalty_fen)])).toEqual([['overdue', 2200], ['overdue', 650], ['pending', 0]]);
    const entries = await rows(a, "SELECT amount_fen, external_ref FROM loan_entries WHERE loan_id = ? AND kind = 'penalty_accrual'", [loanId]);
    expect(entries.map((e) => [Number(e.amount_fen), e.external_ref])).toEqual([[2850, 'penalty:2026-11-23']]);
    const ev = await rows(a, "SELECT payload FROM domain_events WHERE type = 'loan.overdue_changed' AND aggregate_id = ?", [String(loanId)]);
    expect(ev).toHaveLength(1);
    expect(JSON.parse(String(ev[0]!.payload))).toMatchObject({ loanId, from: 'current', to: 'M2', daysPastDue: 44 });
    expect(r.penaltyFen).toBe(2850);
  });

  it('a rerun the same day, even two at once, adds nothing', async () => {
    const [r1, r2] = await Promise.all([run(), run()]);
    expect(r1.updated + r2.updated).toBe(0);
    expect(await penaltyTotal()).toBe(2850);
    expect(await count(a, 'loan_entries', "loan_id = ? AND kind = 'penalty_accrual'", [loanId])).toBe(1);
    expect(await count(a, 'domain_events', "type = 'loan.overdue_changed'")).toBe(1);
  });

  it('the next day charges one more day; a missed night is caught up', async () => {
    now = at('2026-11-24');
    await run();
    expect(await penaltyTotal()).toBe(2850 + 100);
    expect(await loan()).toMatchObject({ days_past_due: 45, overdue_bucket: 'M2' });
    now = at('2026-11-26'); // the 25th was missed
    await overdueJob.run(a.deps);
    expect(await penaltyTotal()).toBe(2950 + 200);
    expect(await count(a, 'loan_entries', "loan_id = ? AND kind = 'penalty_accrual'", [loanId])).toBe(3);
    const lease = await overdueJob.run(a.deps);
    expect(lease).toMatch(/更新 0 笔/);
  });

  it('a loan without a penalty rate is bucketed but not charged; a paid-up loan goes back to 正常', async () => {
    const other = (await createCustomer(zw, { name: '无罚息客户' })).id;
    await setStage(a, other, 'repaying');
    const id = await insertLoan(a, { customerId: other, disbursedOn: '2026-10-01', installments: [{ dueOn: '2026-11-01', principalFen: 50_000 }, { dueOn: '2026-12-01', principalFen: 50_000 }] });
    await run();
    expect((await rows(a, 'SELECT days_past_due, overdue_bucket FROM loans WHERE id = ?', [id]))[0]).toMatchObject({ days_past_due: 25, overdue_bucket: 'M1' });
    expect(await penaltyTotal(id)).toBe(0);
    await insertPayment(a, id, '2026-11-26', 50_000);
    await run();
    expect((await rows(a, 'SELECT days_past_due, overdue_bucket, overdue_since FROM loans WHERE id = ?', [id]))[0]).toMatchObject({ days_past_due: 0, overdue_bucket: 'current', overdue_since: null });
    const ev = await rows(a, "SELECT payload FROM domain_events WHERE type = 'loan.overdue_changed' AND aggregate_id = ? ORDER BY id", [String(id)]);
    expect(ev.map((e) => JSON.parse(String(e.payload)).to)).toEqual(['M1', 'current']);
  });
});

describe('collection records and promises to pay', () => {
  it('records a call with a promise; a retried submission (same client key) adds nothing', async () => {
    const body = { action: 'phone', result: '客户称月底发工资后还款', promiseDate: '2026-11-28', promiseAmountFen: 50_000, nextActionOn: '2026-11-29', clientKey: 'tap-0001-abcdef' };
    const res = await zw.post(`/api/v1/collections/loans/${loanId}/records`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ action: 'phone', actionLabel: '电话', promiseStatus: 'pending', daysPastDue: 47, recordedOn: '2026-11-26', createdByName: '张伟' });
    const again = await zw.post(`/api/v1/collections/loans/${loanId}/records`, body);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(res.body.id);
    expect(await count(a, 'collection_records', 'loan_id = ?', [loanId])).toBe(1);
    expect(await count(a, 'domain_events', "type = 'collection.recorded'")).toBe(1);
    expect(await count(a, 'audit_logs', "entity_type = 'collection_record'")).toBe(1);
  });

  it('rejects a promise with a date but no amount, a past promise date, an unknown action — and writes nothing', async () => {
    const before = await count(a, 'collection_records');
    expectValidation(await zw.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'phone', result: '承诺还款', promiseDate: '2026-11-30' }), 'promiseAmountFen');
    expectValidation(await zw.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'phone', result: '承诺还款', promiseDate: '2026-11-20', promiseAmountFen: 100 }), 'promiseDate');
    expectValidation(await zw.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'email', result: 'x' }), 'action');
    expectValidation(await zw.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'visit', result: '  ' }), 'result');
    expect(await count(a, 'collection_records')).toBe(before);
  });

  it('a broken promise becomes one task for the owner; a kept one none', async () => {
    await insertPayment(a, loanId, '2026-11-27', 20_000); // less than promised
    now = at('2026-11-28');
    await run();
    expect(await count(a, 'tasks', "kind = 'collection'")).toBe(0); // the promise date is today: not yet broken
    now = at('2026-11-29');
    const r = await run();
    expect(r.promisesBroken).toBe(1);
    await run();
    const tasks = await rows(a, "SELECT user_id, title, customer_id, source_key FROM tasks WHERE kind = 'collection'");
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ user_id: await a.userId('张伟'), customer_id: customerId });
    expect(String(tasks[0]!.title)).toContain('承诺 2026-11-28 还款 500.00 元未兑现');
    const inbox = await zw.get('/api/v1/tasks');
    expect(inbox.body.overdue.concat(inbox.body.today).some((i: { title: string }) => i.title.includes('未兑现'))).toBe(true);
    expect((await rows(a, 'SELECT promise_status FROM collection_records WHERE loan_id = ?', [loanId]))[0]!.promise_status).toBe('broken');

    const kept = await zw.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'sms', result: '短信提醒,客户承诺明天还 100 元', promiseDate: '2026-11-30', promiseAmountFen: 10_000 });
    expect(kept.status).toBe(201);
    await insertPayment(a, loanId, '2026-11-30', 10_000);
    now = at('2026-12-01');
    expect((await run()).promisesKept).toBe(1);
    expect(await count(a, 'tasks', "kind = 'collection'")).toBe(1);
    expect((await rows(a, 'SELECT promise_status FROM collection_records WHERE id = ?', [kept.body.id]))[0]!.promise_status).toBe('kept');
  });

  it('the loan’s collection view lists records newest first with what is late', async () => {
    const res = await zw.get(`/api/v1/collections/loans/${loanId}`);
    expect(res.status).toBe(200);
    expect(res.body.loan).toMatchObject({ id: loanId, bucket: 'M2', customerName: '逾期客户甲' });
    expect(res.body.records.map((r: { action: string }) => r.action)).toEqual(['sms', 'phone']);
    expect(res.body.installments.length).toBeGreaterThan(0);
    expect(res.body.permissions).toEqual({ record: true, writeOff: false });
  });
});

describe('the overdue list, scope and permissions', () => {
  it('lists overdue loans in scope with bucket, team and officer filters', async () => {
    const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((i) => i.id);
    expect(ids(await zw.get('/api/v1/collections/overdue'))).toContain(loanId);
    expect(ids(await zw.get('/api/v1/collections/overdue?bucket=M2'))).toEqual([loanId]);
    expect(ids(await zw.get('/api/v1/collections/overdue?bucket=M1'))).not.toContain(loanId);
    const lead = await a.loginAs('吴婷');
    const item = (await lead.get('/api/v1/collections/overdue')).body.items.find((i: { id: number }) => i.id === loanId);
    expect(item).toMatchObject({ customerName: '逾期客户甲', ownerName: '张伟', bucket: 'M2' });
    expect(item.overdueFen).toBeGreaterThan(0);
    expect(ids(await lead.get(`/api/v1/collections/overdue?ownerId=${await a.userId('刘洋')}`))).toEqual([]);
    const hz2 = (await rows(a, "SELECT id FROM departments WHERE name = '杭州二部'"))[0]!.id;
    const admin = await a.loginAs('王敏');
    expect(ids(await admin.get(`/api/v1/collections/overdue?departmentId=${hz2}`))).not.toContain(loanId);
    expect(ids(await admin.get('/api/v1/collections/overdue'))).toContain(loanId);
    expectValidation(await admin.get('/api/v1/collections/overdue?bucket=M9'), 'bucket');
  });

  it('another team reads the loan as not found and cannot record on it', async () => {
    const hd = await a.loginAs('何丹');
    expectError(await hd.get(`/api/v1/collections/loans/${loanId}`), 404, 'NOT_FOUND');
    expectError(await hd.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'phone', result: '试图记录' }), 404, 'NOT_FOUND');
    expect((await hd.get('/api/v1/collections/overdue')).body.items.map((i: { id: number }) => i.id)).not.toContain(loanId);
    const otherLead = await a.loginAs('郑浩');
    expectError(await otherLead.get(`/api/v1/collections/loans/${loanId}`), 404, 'NOT_FOUND');
  });

  it('a director may not record collections; an officer may not write off', async () => {
    const director = await a.loginAs('陈刚');
    expectError(await director.post(`/api/v1/collections/loans/${loanId}/records`, { action: 'phone', result: 'x' }), 403, 'FORBIDDEN');
    expectError(await zw.post(`/api/v1/loans/${loanId}/write-off`, { reason: '无力偿还' }), 403, 'FORBIDDEN');
    expect((await loan()).status).toBe('active');
  });
});

describe('write-off', () => {
  it('finance writes the loan off: 已核销, a write_off entry, the customer to 坏账, the event and the audit — once', async () => {
    const finance = await a.loginAs('孙丽');
    expectValidation(await finance.post(`/api/v1/loans/${loanId}/write-off`, {}), 'reason');
    const res = await finance.post(`/api/v1/loans/${loanId}/write-off`, { reason: '客户失联超过 90 天' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'written_off', writtenOffOn: '2026-12-01' });
    expect(await loan()).toMatchObject({ status: 'written_off', written_off_on: '2026-12-01' });
    const entry = await rows(a, "SELECT amount_fen, principal_fen, note FROM loan_entries WHERE loan_id = ? AND kind = 'write_off'", [loanId]);
    expect(entry).toHaveLength(1);
    expect(Number(entry[0]!.amount_fen)).toBe(Number((await loan()).outstanding_principal_fen));
    expect((await rows(a, 'SELECT stage FROM customers WHERE id = ?', [customerId]))[0]!.stage).toBe('bad_debt');
    expect(await count(a, 'customer_stage_changes', "customer_id = ? AND to_stage = 'bad_debt'", [customerId])).toBe(1);
    expect(await count(a, 'domain_events', "type = 'loan.written_off' AND aggregate_id = ?", [String(loanId)])).toBe(1);
    expect(await count(a, 'audit_logs', "action = 'write_off' AND entity_id = ?", [String(loanId)])).toBe(1);

    expectError(await finance.post(`/api/v1/loans/${loanId}/write-off`, { reason: '再核销一次' }), 409, 'LOAN_NOT_ACTIVE');
    expect(await count(a, 'loan_entries', "loan_id = ? AND kind = 'write_off'", [loanId])).toBe(1);
    // A written-off loan leaves the overdue list and the nightly pass.
    expect((await finance.get('/api/v1/collections/overdue')).body.items.map((i: { id: number }) => i.id)).not.toContain(loanId);
    const before = await penaltyTotal();
    now = at('2026-12-02');
    await run();
    expect(await penaltyTotal()).toBe(before);
  });

  it('a branch manager may not write off (403); a director may', async () => {
    const other = (await createCustomer(await a.loginAs('何丹'), { name: '他组客户' })).id;
    await setStage(a, other, 'repaying');
    const id = await insertLoan(a, { customerId: other, installments: [{ dueOn: '2026-09-01', principalFen: 10_000 }] });
    const szMgr = await a.loginAs('马超');
    expectError(await szMgr.post(`/api/v1/loans/${id}/write-off`, { reason: '测试范围' }), 403, 'FORBIDDEN');
    const director = await a.loginAs('陈刚');
    const res = await director.post(`/api/v1/loans/${id}/write-off`, { reason: '总监核销' });
    expect(res.status).toBe(200);
  });
});
