// The report builder against the real databases: hand-computed counts on a small book, Shanghai
// date buckets, scope (a team lead never sees another team, a filter never widens), masked fields
// refused, every dataset × dimension runs, and the sharing rules of saved dashboards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { advanceTo, count, createCustomer, exec, expectValidation } from '../helpers/fixtures';
import { DATASETS, DATASET_KEYS, type DatasetDef } from '../../server/src/contracts/report-builder';

let t: TestApp;
let admin: Client, lead1: Client, lead2: Client, zhang: Client, liu: Client, he: Client, liang: Client;
const dept: Record<string, number> = {};
const ids: Record<string, number> = {};

type Body = { columns: { key: string; label: string }[]; rows: Record<string, any>[]; truncated: boolean; scope: string };
async function run(as: Client, definition: object): Promise<Body> {
  const res = await as.post('/api/v1/reports/builder/run', { definition });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
/** Rows as { label of the first dimension: first measure } for easy comparison. */
const byLabel = (b: Body) => Object.fromEntries(b.rows.map((r) => [r[b.columns[0].key].label, r[b.columns[1].key]]));

beforeAll(async () => {
  t = await createTestApp();
  [admin, lead1, lead2, zhang, liu, he, liang] = await Promise.all(['王敏', '吴婷', '郑浩', '张伟', '刘洋', '何丹', '梁宇'].map((n) => t.loginAs(n)));
  for (const d of await t.deps.db.models.Department.findAll({ raw: true })) dept[d.name] = d.id;

  // The book: 张伟 3 (2 抖音 杭州, 1 百度 苏州), 刘洋 1 (抖音) in 杭州一部; 何丹 2 (百度) in 杭州二部; 梁宇 1 (抖音) in 苏州一部.
  ids.z1 = (await createCustomer(zhang, { channel: 'douyin', city: '杭州', loanAmountFen: 30000000 })).id;
  ids.z2 = (await createCustomer(zhang, { channel: 'douyin', city: '杭州', loanAmountFen: 50000000 })).id;
  ids.z3 = (await createCustomer(zhang, { channel: 'baidu', city: '苏州', loanAmountFen: 10000000 })).id;
  ids.l1 = (await createCustomer(liu, { channel: 'douyin', city: '杭州', loanAmountFen: 20000000 })).id;
  ids.h1 = (await createCustomer(he, { channel: 'baidu', city: '杭州' })).id;
  ids.h2 = (await createCustomer(he, { channel: 'baidu', city: '宁波' })).id;
  ids.s1 = (await createCustomer(liang, { channel: 'douyin', city: '苏州' })).id;

  // Creation instants around Shanghai midnight: 2026-11-01 23:30 (a Sunday) and 2026-11-02 00:30 (Monday) in Shanghai.
  await exec(t, 'UPDATE customers SET created_at = ? WHERE id = ?', [new Date('2026-11-01T15:30:00Z'), ids.z1]);
  await exec(t, 'UPDATE customers SET created_at = ? WHERE id = ?', [new Date('2026-11-01T16:30:00Z'), ids.z2]);
  await exec(t, 'UPDATE customers SET created_at = ? WHERE id IN (?)', [new Date('2026-11-10T02:00:00Z'), [ids.z3, ids.l1, ids.h1, ids.h2, ids.s1]]);

  for (const [c, type] of [[ids.z1, 'call'], [ids.z1, 'visit'], [ids.z2, 'call']] as const) {
    const res = await zhang.post(`/api/v1/customers/${c}/follow-ups`, { type, content: '沟通了贷款需求' });
    expect(res.status).toBe(201);
  }
  const res = await he.post(`/api/v1/customers/${ids.h1}/follow-ups`, { type: 'call', content: '电话沟通' });
  expect(res.status).toBe(201);

  // Loans, written straight to the tables (the loans module is another issue's).
  const m = t.deps.db.models;
  const product = await m.Product.create({
    code: 'house-a', name: '房抵快贷', lenderKind: 'bank', lenderName: '某银行', type: 'house', rateMinPpm: 36000, rateMaxPpm: 120000,
    termMinMonths: 6, termMaxMonths: 36, amountMinFen: 1, amountMaxFen: 1e10, repaymentMethods: ['equal_installment'], requiredDocuments: [],
  } as never);
  const users = Object.fromEntries((await m.User.findAll({ raw: true })).map((u) => [u.name, u]));
  let n = 0;
  const loan = async (customerId: number, owner: string, principalFen: number, bucket: string, status = 'active') =>
    m.Loan.create({
      loanNo: `L${++n}`, applicationId: n, liveApplicationId: status === 'reversed' ? null : n, customerId, productId: product.id, ownerId: users[owner].id, departmentId: users[owner].departmentId,
      channel: 'douyin', lenderLoanNo: `X${n}`, principalFen, annualRatePpm: 72000, monthlyRatePpm: 6000, termMonths: 12, repaymentMethod: 'equal_installment',
      disbursedOn: '2026-11-05', firstDueOn: '2026-12-05', maturityOn: '2027-11-05', status, outstandingPrincipalFen: principalFen, daysPastDue: bucket === 'current' ? 0 : 20, overdueBucket: bucket, createdBy: users['王敏'].id,
    } as never);
  await loan(ids.z1, '张伟', 30000000, 'current');
  const late = await loan(ids.z2, '张伟', 50000000, 'M1');
  await loan(ids.l1, '刘洋', 20000001, 'current');
  const heLoan = await loan(ids.h1, '何丹', 99900000, 'current');
  // Collection records: two on 张伟's late loan (one with a promise), one on 何丹's.
  const rec = (loanId: number, customerId: number, action: string, by: string, promise: [string, number, string] | null) =>
    exec(t, 'INSERT INTO collection_records (loan_id, customer_id, action, result, recorded_on, days_past_due, promise_date, promise_amount_fen, promise_status, created_by, created_at) VALUES (?, ?, ?, ?, ?, 20, ?, ?, ?, ?, ?)',
      [loanId, customerId, action, '客户说下周还', '2026-11-20', promise?.[0] ?? null, promise?.[1] ?? null, promise?.[2] ?? null, users[by].id, new Date()]);
  await rec(late.id, ids.z2, 'phone', '张伟', ['2026-11-27', 500000, 'pending']);
  await rec(late.id, ids.z2, 'visit', '吴婷', null);
  await rec(heLoan.id, ids.h1, 'phone', '何丹', null);
  await loan(ids.z3, '张伟', 77700000, 'current', 'reversed'); // never happened as far as reports go
}, 120_000);

afterAll(async () => t?.close());

describe('report builder: numbers', () => {
  it('counts customers by channel for the admin (whole company)', async () => {
    const b = await run(admin, { dataset: 'customers', dimensions: [{ field: 'channel' }], measures: [{ fn: 'count' }], chart: 'bar' });
    expect(byLabel(b)).toEqual({ 抖音: 4, 百度推广: 3 });
    expect(b.scope).toBe('全公司');
    expect(b.columns.map((c) => c.label)).toEqual(['渠道', '客户数']);
  });

  it('a team lead sees only their team, by officer, with sums and rates', async () => {
    const b = await run(lead1, {
      dataset: 'customers', dimensions: [{ field: 'officer' }],
      measures: [{ fn: 'count' }, { fn: 'sum', field: 'loanAmount' }, { fn: 'avg', field: 'loanAmount' }, { fn: 'distinct', field: 'city' }],
    });
    expect(b.scope).toBe('杭州一部');
    expect(b.rows.map((r) => [r.officer.label, r.count_0, r.sum_loanAmount_1, r.avg_loanAmount_2, r.distinct_city_3])).toEqual([
      ['张伟', 3, 90000000, 30000000, 2],
      ['刘洋', 1, 20000000, 20000000, 1],
    ]);
  });

  it('a filter for another team gives nothing: filters narrow, never widen', async () => {
    const b = await run(lead1, { dataset: 'customers', dimensions: [{ field: 'team' }], measures: [{ fn: 'count' }], filters: [{ field: 'team', op: 'eq', value: dept['杭州二部'] }] });
    expect(b.rows).toEqual([]);
    const all = await run(lead1, { dataset: 'customers', dimensions: [{ field: 'team' }], measures: [{ fn: 'count' }] });
    expect(byLabel(all)).toEqual({ 杭州一部: 4 });
    const branch = await run(await t.loginAs('周强'), { dataset: 'customers', dimensions: [{ field: 'team' }], measures: [{ fn: 'count' }] });
    expect(byLabel(branch)).toEqual({ 杭州一部: 4, 杭州二部: 2 });
  });

  it('a funnel over stages reads in stage order, not by size', async () => {
    await advanceTo(liu, ids.l1, ['intent', 'due_diligence']);
    const b = await run(lead1, { dataset: 'customers', dimensions: [{ field: 'stage' }], measures: [{ fn: 'count' }], chart: 'funnel' });
    expect(b.rows.map((r) => [r.stage.label, r.count_0])).toEqual([['线索', 3], ['已尽调', 1]]);
    const bar = await run(lead1, { dataset: 'customers', dimensions: [{ field: 'stage' }], measures: [{ fn: 'count' }], chart: 'bar' });
    expect(bar.rows[0].stage.label).toBe('线索');
  });

  it('an officer sees their own customers only', async () => {
    const b = await run(zhang, { dataset: 'customers', measures: [{ fn: 'count' }] });
    expect(b.rows).toEqual([{ count_0: 3 }]);
  });

  it('buckets by the Shanghai day, Monday week and month; the period is in Shanghai days', async () => {
    const day = await run(zhang, { dataset: 'customers', dimensions: [{ field: 'date', bucket: 'day' }], measures: [{ fn: 'count' }], chart: 'line' });
    expect(byLabel(day)).toEqual({ '2026-11-01': 1, '2026-11-02': 1, '2026-11-10': 1 });
    const week = await run(zhang, { dataset: 'customers', dimensions: [{ field: 'date', bucket: 'week' }], measures: [{ fn: 'count' }] });
    expect(byLabel(week)).toEqual({ '2026-10-26': 1, '2026-11-02': 1, '2026-11-09': 1 });
    const month = await run(zhang, { dataset: 'customers', dimensions: [{ field: 'date', bucket: 'month' }], measures: [{ fn: 'count' }] });
    expect(byLabel(month)).toEqual({ '2026-11-01': 3 });
    const period = await run(zhang, { dataset: 'customers', measures: [{ fn: 'count' }], period: { from: '2026-11-02', to: '2026-11-02' } });
    expect(period.rows).toEqual([{ count_0: 1 }]);
    const first = await run(zhang, { dataset: 'customers', measures: [{ fn: 'count' }], period: { from: '2026-10-01', to: '2026-11-01' } });
    expect(first.rows).toEqual([{ count_0: 1 }]);
  });

  it('follow-ups by type, with a rate and distinct customers', async () => {
    const b = await run(lead1, { dataset: 'followups', dimensions: [{ field: 'type' }], measures: [{ fn: 'count' }, { fn: 'distinct', field: 'customer' }] });
    expect(b.rows.map((r) => [r.type.label, r.count_0, r.distinct_customer_1])).toEqual([['电话', 2, 2], ['面谈', 1, 1]]);
    const rate = await run(admin, { dataset: 'followups', measures: [{ fn: 'count' }, { fn: 'rate', field: 'visit' }] });
    expect(rate.rows).toEqual([{ count_0: 4, rate_visit_1: 0.25 }]);
  });

  it('loans by product: money in fen, reversed loans left out, overdue rate', async () => {
    const b = await run(admin, { dataset: 'loans', dimensions: [{ field: 'product' }], measures: [{ fn: 'count' }, { fn: 'sum', field: 'principal' }, { fn: 'rate', field: 'overdue' }, { fn: 'avg', field: 'principal' }] });
    expect(b.rows).toEqual([{ product: { value: expect.anything(), label: '房抵快贷' }, count_0: 4, sum_principal_1: 199900001, rate_overdue_2: 0.25, avg_principal_3: 49975000 }]);
    const lead = await run(lead1, { dataset: 'loans', dimensions: [{ field: 'bucket' }], measures: [{ fn: 'sum', field: 'outstanding' }], chart: 'pie' });
    expect(byLabel(lead)).toEqual({ M1: 50000000, 正常: 50000001 });
    const filtered = await run(admin, { dataset: 'loans', measures: [{ fn: 'count' }], filters: [{ field: 'principal', op: 'gte', value: 50000000 }, { field: 'officer', op: 'in', value: [await t.userId('张伟'), await t.userId('何丹')] }] });
    expect(filtered.rows).toEqual([{ count_0: 2 }]);
  });

  it('collection records by action, with the promise rate and promised amounts, in scope', async () => {
    const b = await run(lead1, { dataset: 'collections', dimensions: [{ field: 'stage' }], measures: [{ fn: 'count' }, { fn: 'sum', field: 'promiseAmount' }] });
    expect(b.rows.map((r) => [r.stage.label, r.count_0, r.sum_promiseAmount_1])).toEqual([['电话', 1, 500000], ['上门', 1, null]]);
    const all = await run(admin, { dataset: 'collections', measures: [{ fn: 'count' }, { fn: 'rate', field: 'promised' }, { fn: 'distinct', field: 'loan' }], period: { from: '2026-11-20', to: '2026-11-20' } });
    expect(all.rows).toEqual([{ count_0: 3, rate_promised_1: 0.3333, distinct_loan_2: 2 }]);
    const none = await run(admin, { dataset: 'collections', measures: [{ fn: 'count' }], period: { from: '2026-11-21', to: '2026-11-30' } });
    expect(none.rows).toEqual([{ count_0: 0 }]);
  });

  it('every dataset × dimension × measure runs on this database', async () => {
    for (const dataset of DATASET_KEYS) {
      const ds: DatasetDef = DATASETS[dataset];
      const measures = [
        { fn: 'count' },
        ...Object.keys(ds.numbers).flatMap((field) => [{ fn: 'sum', field }, { fn: 'avg', field }]),
        ...Object.keys(ds.distinct).map((field) => ({ fn: 'distinct', field })),
        ...Object.keys(ds.rates).map((field) => ({ fn: 'rate', field })),
      ];
      for (const [field, dim] of Object.entries(ds.dimensions)) {
        for (let i = 0; i < measures.length; i += 4) {
          const definition = { dataset, dimensions: [{ field, ...(dim.kind === 'date' ? { bucket: 'week' } : {}) }], measures: measures.slice(i, i + 4), period: { from: '2026-10-01', to: '2026-12-31' } };
          const res = await lead1.post('/api/v1/reports/builder/run', { definition });
          expect(res.status, `${dataset}.${field}: ${JSON.stringify(res.body)}`).toBe(200);
        }
      }
    }
  });
});

describe('report builder: refusals', () => {
  it('refuses masked fields and SQL in names with 422, naming the field', async () => {
    const masked = await zhang.post('/api/v1/reports/builder/run', { definition: { dataset: 'customers', dimensions: [{ field: 'phone' }], measures: [{ fn: 'count' }] } });
    expectValidation(masked, 'definition.dimensions.0.field');
    expect(masked.body.error.message).toBe('手机号为脱敏字段,不能用于报表');
    const idn = await zhang.post('/api/v1/reports/builder/run', { definition: { dataset: 'customers', measures: [{ fn: 'distinct', field: 'idNumber' }] } });
    expectValidation(idn);
    const injected = await zhang.post('/api/v1/reports/builder/run', { definition: { dataset: 'customers', dimensions: [{ field: 'stage; DROP TABLE customers' }], measures: [{ fn: 'count' }] } });
    expectValidation(injected);
    expect(await count(t, 'customers')).toBe(7);
  });
});

describe('saved reports and dashboards', () => {
  const def = { dataset: 'customers', dimensions: [{ field: 'officer' }], measures: [{ fn: 'count' }], chart: 'bar' };

  it('a personal report is only its owner’s', async () => {
    const res = await zhang.post('/api/v1/reports/builder/saved', { name: '我的客户', definition: def });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: '我的客户', visibility: 'personal', mine: true, ownerName: '张伟' });
    const mine = await zhang.get('/api/v1/reports/builder/saved');
    expect(mine.body.mine.map((r: any) => r.name)).toEqual(['我的客户']);
    expect((await liu.get(`/api/v1/reports/builder/saved/${res.body.id}`)).status).toBe(404);
    expect((await liu.post(`/api/v1/reports/builder/saved/${res.body.id}/run`)).status).toBe(404);
    expect((await liu.get('/api/v1/reports/builder/saved')).body).toEqual({ mine: [], sharedWithMe: [] });
  });

  it('an officer cannot share; nothing is stored', async () => {
    const before = await count(t, 'saved_reports');
    const res = await zhang.post('/api/v1/reports/builder/saved', { name: '共享试试', visibility: 'shared', definition: def });
    expect(res.status).toBe(403);
    expect(await count(t, 'saved_reports')).toBe(before);
  });

  it('a team lead shares with their team; each viewer runs it in their own scope; other teams do not see it', async () => {
    const res = await lead1.post('/api/v1/reports/builder/saved', { name: '团队客户', visibility: 'shared', definition: def });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.sharedWithDepartmentId).toBe(dept['杭州一部']);
    const id = res.body.id;
    expect((await count(t, 'audit_logs', "action = 'report.save' AND entity_id = ?", [String(id)]))).toBe(1);

    const asLead = await lead1.post(`/api/v1/reports/builder/saved/${id}/run`);
    expect(byLabel(asLead.body.result)).toEqual({ 张伟: 3, 刘洋: 1 });
    const asZhang = await zhang.post(`/api/v1/reports/builder/saved/${id}/run`);
    expect(asZhang.status).toBe(200);
    expect(byLabel(asZhang.body.result)).toEqual({ 张伟: 3 }); // his scope, not the lead's
    expect((await zhang.get('/api/v1/reports/builder/saved')).body.sharedWithMe.map((r: any) => r.name)).toEqual(['团队客户']);

    expect((await he.get('/api/v1/reports/builder/saved')).body.sharedWithMe).toEqual([]);
    expect((await he.post(`/api/v1/reports/builder/saved/${id}/run`)).status).toBe(404);
    expect((await lead2.get(`/api/v1/reports/builder/saved/${id}`)).status).toBe(404);

    // Only the owner changes it.
    expect((await zhang.patch(`/api/v1/reports/builder/saved/${id}`, { name: '改名' })).status).toBe(403);
    expect((await zhang.agent.delete(`/api/v1/reports/builder/saved/${id}`).set('X-Requested-With', 'XMLHttpRequest')).status).toBe(403);
    const renamed = await lead1.patch(`/api/v1/reports/builder/saved/${id}`, { name: '团队客户(按人)' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('团队客户(按人)');
  });

  it('a branch manager’s share reaches its teams; the admin’s reaches everyone', async () => {
    const branch = await (await t.loginAs('周强')).post('/api/v1/reports/builder/saved', { name: '分公司看板', visibility: 'shared', definition: def });
    expect(branch.status).toBe(201);
    const all = await admin.post('/api/v1/reports/builder/saved', { name: '全公司看板', visibility: 'shared', definition: def });
    expect(all.body.sharedWithDepartmentId).toBeNull();
    const names = async (c: Client) => (await c.get('/api/v1/reports/builder/saved')).body.sharedWithMe.map((r: any) => r.name).sort();
    expect(await names(he)).toEqual(['全公司看板', '分公司看板'].sort());
    expect(await names(liang)).toEqual(['全公司看板']);
    const asLiang = await liang.post(`/api/v1/reports/builder/saved/${all.body.id}/run`);
    expect(byLabel(asLiang.body.result)).toEqual({ 梁宇: 1 });
  });

  it('deleting removes it for everyone; bad input changes nothing', async () => {
    const res = await lead2.post('/api/v1/reports/builder/saved', { name: '临时', visibility: 'shared', definition: def });
    const before = await count(t, 'saved_reports');
    expectValidation(await lead2.post('/api/v1/reports/builder/saved', { name: '', definition: def }), 'name');
    expectValidation(await lead2.post('/api/v1/reports/builder/saved', { name: '坏的', definition: { ...def, dimensions: [{ field: 'phone' }] } }));
    expectValidation(await lead2.patch(`/api/v1/reports/builder/saved/${res.body.id}`, { definition: { ...def, measures: [] } }));
    expect(await count(t, 'saved_reports')).toBe(before);
    const del = await lead2.agent.delete(`/api/v1/reports/builder/saved/${res.body.id}`).set('X-Requested-With', 'XMLHttpRequest');
    expect(del.status).toBe(204);
    expect((await he.get(`/api/v1/reports/builder/saved/${res.body.id}`)).status).toBe(404);
  });
});
