// Metrics (issue #7, C21): every number against hand-computed expectations on a small fixed
// dataset, rollups equal to the raw computation after random event sequences, scope, drill-down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { advanceTo, createCustomer, exec, rows } from '../helpers/fixtures';
import { applicationInput, approve, decide, SMALL } from '../helpers/applications';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { EVENT_TYPES } from '../../server/src/modules/events/events.service';
import { createRollupService } from '../../server/src/modules/reports/rollup.service';
import { prng } from '../../sql/seeds/demo';

let app: TestApp;
let zhang: Client, liu: Client, he: Client, wu: Client, zheng: Client, li: Client, chen: Client, admin: Client;
const today = shanghaiDate();
const yesterday = addDays(today, -1);

beforeAll(async () => {
  app = await createTestApp();
  [zhang, liu, he, wu, zheng, li, chen, admin] = await Promise.all(['张伟', '刘洋', '何丹', '吴婷', '郑浩', '李娜', '陈刚', '王敏'].map((n) => app.loginAs(n)));
});
afterAll(async () => app?.close());

const rollups = () => createRollupService(app.deps);

/**
 * A loan as the loans module leaves it (loan row, schedule, ledger), written directly with the
 * event it emits, so these tests do not depend on the disbursement API's details.
 */
async function disburse(applicationId: number, principalFen: number, installments: { dueOn: string; principalFen: number; interestFen: number }[]) {
  const [a] = await rows(app, 'SELECT a.customer_id, c.owner_id, c.department_id, c.channel FROM applications a JOIN customers c ON c.id = a.customer_id WHERE a.id = ?', [applicationId]);
  const { db, events } = app.deps;
  return db.transaction(async (t) => {
    const now = new Date();
    const q = (text: string, params: unknown[]) => db.sequelize.query(text, { replacements: params, transaction: t });
    await q(
      `INSERT INTO loans (loan_no, application_id, live_application_id, customer_id, product_id, owner_id, department_id, channel, lender_loan_no, principal_fen, annual_rate_ppm, monthly_rate_ppm, term_months, repayment_method,
        disbursed_on, first_due_on, maturity_on, status, outstanding_principal_fen, days_past_due, overdue_bucket, created_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, 120000, 10000, ?, 'equal_installment', ?, ?, ?, 'active', ?, 0, 'current', 1, ?, ?)`,
      [`L${applicationId}`, applicationId, applicationId, a.customer_id, a.owner_id, a.department_id, a.channel, `JJ${applicationId}`, principalFen, installments.length, yesterday, installments[0].dueOn, installments.at(-1)!.dueOn, principalFen, now, now],
    );
    const [l] = (await db.sequelize.query('SELECT id FROM loans WHERE application_id = ?', { replacements: [applicationId], transaction: t, type: 'SELECT' })) as { id: number }[];
    let seq = 0;
    for (const i of installments) {
      await q("INSERT INTO installments (loan_id, seq, due_on, principal_fen, interest_fen, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)", [l.id, ++seq, i.dueOn, i.principalFen, i.interestFen, now, now]);
    }
    await q("INSERT INTO loan_entries (loan_id, kind, occurred_on, amount_fen, principal_fen, source, created_at) VALUES (?, 'disbursement', ?, ?, ?, 'manual', ?)", [l.id, yesterday, principalFen, principalFen, now]);
    await events.emit({ type: EVENT_TYPES.LoanDisbursed, aggregateType: 'loan', aggregateId: l.id, payload: { loanId: Number(l.id), customerId: Number(a.customer_id) } }, t);
    return Number(l.id);
  });
}

/** A payment of principal + interest onto installment `seq`, dated `on`. */
async function pay(loanId: number, seq: number, on: string, principalFen: number, interestFen: number) {
  const { db, events } = app.deps;
  await db.transaction(async (t) => {
    const now = new Date();
    const q = (text: string, params: unknown[]) => db.sequelize.query(text, { replacements: params, transaction: t });
    await q("INSERT INTO loan_entries (loan_id, kind, occurred_on, amount_fen, principal_fen, interest_fen, source, created_at) VALUES (?, 'payment', ?, ?, ?, ?, 'manual', ?)", [loanId, on, principalFen + interestFen, principalFen, interestFen, now]);
    await q("UPDATE installments SET paid_principal_fen = paid_principal_fen + ?, paid_interest_fen = paid_interest_fen + ?, status = 'partial' WHERE loan_id = ? AND seq = ?", [principalFen, interestFen, loanId, seq]);
    await q('UPDATE loans SET outstanding_principal_fen = outstanding_principal_fen - ? WHERE id = ?', [principalFen, loanId]);
    await events.emit({ type: EVENT_TYPES.LoanPaymentRecorded, aggregateType: 'loan', aggregateId: loanId, payload: { loanId } }, t);
  });
}

/** The nightly overdue job's effect on a loan: days past due and bucket. */
async function markOverdue(loanId: number, days: number, bucket: string) {
  const { db, events } = app.deps;
  await db.transaction(async (t) => {
    await db.sequelize.query('UPDATE loans SET days_past_due = ?, overdue_bucket = ? WHERE id = ?', { replacements: [days, bucket, loanId], transaction: t });
    await events.emit({ type: EVENT_TYPES.LoanOverdueChanged, aggregateType: 'loan', aggregateId: loanId, payload: { loanId } }, t);
  });
}

const period = (from = today, to = today, extra = '') => `from=${from}&to=${to}${extra}`;
async function get(as: Client, path: string) {
  const res = await as.get(`/api/v1/reports/${path}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('report endpoints', () => {
  it('validates the period: 422 with a Chinese message for a reversed or too long range', async () => {
    const bad = await wu.get('/api/v1/reports/overview?from=2026-11-10&to=2026-11-01');
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('开始日期不能晚于结束日期');
    const long = await wu.get('/api/v1/reports/overview?from=2025-01-01&to=2026-11-01');
    expect(long.status).toBe(422);
    const noKey = await wu.get(`/api/v1/reports/drill?${period()}&metric=follow_ups&dim=type`);
    expect(noKey.status).toBe(422);
    const ok = await wu.get(`/api/v1/reports/overview?${period()}`);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.newCustomers).toBe(0);
  });
});

describe('a small fixed dataset, hand-computed', () => {
  let c1: number, c2: number, c3: number, c4: number, a1: number, a2: number, loanId: number;
  let hz1: number, hz2: number;

  beforeAll(async () => {
    hz1 = Number((await rows(app, "SELECT id FROM departments WHERE name = '杭州一部'"))[0].id);
    hz2 = Number((await rows(app, "SELECT id FROM departments WHERE name = '杭州二部'"))[0].id);
    // 张伟 (杭州一部): three leads, two from 抖音, one from 百度; 何丹 (杭州二部): one from 抖音.
    c1 = (await createCustomer(zhang, { channel: 'douyin', name: '客户一' })).id;
    c2 = (await createCustomer(zhang, { channel: 'douyin', name: '客户二' })).id;
    c3 = (await createCustomer(zhang, { channel: 'baidu', name: '客户三' })).id;
    c4 = (await createCustomer(he, { channel: 'douyin', name: '客户四' })).id;
    await advanceTo(zhang, c1, ['intent', 'due_diligence']);
    await advanceTo(zhang, c2, ['intent']);
    // Rejected, then a new application for the same customer, approved.
    let res = await zhang.post('/api/v1/applications', applicationInput(c1, { submit: true }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    a1 = res.body.id;
    expect((await decide(wu, a1, 'reject', '收入证明不足')).status).toBe(200);
    res = await zhang.post('/api/v1/applications', applicationInput(c1, { submit: true }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    a2 = res.body.id;
    await approve(wu, a2);
    await approve(li, a2);
    // Follow-ups: two calls with 客户一 (one customer touched), WeChat with 客户二; 何丹 visits 客户四.
    for (const [as, id, type] of [[zhang, c1, 'call'], [zhang, c1, 'call'], [zhang, c2, 'wechat'], [he, c4, 'visit']] as const) {
      const r = await as.post(`/api/v1/customers/${id}/follow-ups`, { type, content: '沟通贷款需求' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // A loan of 1,000.00 yuan: 600.00 + 10.00 due yesterday (partly paid: 300.00), 400.00 + 5.00 due in 30 days.
    loanId = await disburse(a2, 100_000, [
      { dueOn: yesterday, principalFen: 60_000, interestFen: 1_000 },
      { dueOn: addDays(today, 30), principalFen: 40_000, interestFen: 500 },
    ]);
    await pay(loanId, 1, today, 29_000, 1_000);
    await markOverdue(loanId, 1, 'M1');
  });

  it('overview: the team lead sees their team, the director everything, another lead only theirs', async () => {
    const mine = await get(wu, `overview?${period(yesterday, today)}`);
    expect(mine).toMatchObject({
      newCustomers: 3, followUps: 3, customersTouched: 2, applicationsSubmitted: 2, applicationsApproved: 1, applicationsRejected: 1,
      disbursedCount: 1, disbursedFen: 100_000, receivedFen: 30_000, overdueOutstandingFen: 71_000,
    });
    const all = await get(chen, `overview?${period(yesterday, today)}`);
    expect(all).toMatchObject({ newCustomers: 4, followUps: 4, customersTouched: 3, applicationsSubmitted: 2, disbursedFen: 100_000 });
    // 郑浩 leads 杭州二部: 何丹's lead and visit only; asking for 杭州一部 widens nothing.
    expect(await get(zheng, `overview?${period(yesterday, today)}`)).toMatchObject({ newCustomers: 1, followUps: 1, applicationsSubmitted: 0, disbursedFen: 0 });
    expect(await get(zheng, `overview?${period(yesterday, today, `&departmentId=${hz1}`)}`)).toMatchObject({ newCustomers: 0, followUps: 0, applicationsSubmitted: 0, disbursedFen: 0, overdueOutstandingFen: 0 });
    // An officer with nothing logged sees zeros; 张伟 sees his own.
    expect(await get(liu, `overview?${period(yesterday, today)}`)).toMatchObject({ newCustomers: 0, followUps: 0, disbursedFen: 0 });
    expect(await get(zhang, `overview?${period(yesterday, today)}`)).toMatchObject({ newCustomers: 3, followUps: 3, disbursedFen: 100_000 });
    // The director narrows to a department or a channel.
    expect(await get(chen, `overview?${period(yesterday, today, `&departmentId=${hz2}`)}`)).toMatchObject({ newCustomers: 1, followUps: 1 });
    expect(await get(chen, `overview?${period(yesterday, today, '&channel=baidu')}`)).toMatchObject({ newCustomers: 1, followUps: 0 });
    // An empty period long ago is all zeros.
    const empty = await get(chen, `overview?${period(addDays(today, -40), addDays(today, -30))}`);
    expect(empty).toMatchObject({ newCustomers: 0, followUps: 0, applicationsSubmitted: 0, disbursedCount: 0, receivedFen: 0 });
  });

  it('funnel by channel and in total, with conversion rates in ppm and the channel ROI from the entered cost', async () => {
    const month = today.slice(0, 7);
    const cost = await admin.agent.put('/api/v1/reports/channel-costs').set('X-Requested-With', 'XMLHttpRequest').send({ channel: 'douyin', month, costFen: 300_000 });
    expect(cost.status, JSON.stringify(cost.body)).toBe(200);
    const unknown = await admin.agent.put('/api/v1/reports/channel-costs').set('X-Requested-With', 'XMLHttpRequest').send({ channel: 'nope', month, costFen: 1 });
    expect(unknown.status).toBe(422);
    const officerCost = await zhang.agent.put('/api/v1/reports/channel-costs').set('X-Requested-With', 'XMLHttpRequest').send({ channel: 'douyin', month, costFen: 1 });
    expect(officerCost.status).toBe(403);

    const f = await get(chen, `funnel?${period(`${month}-01`, today)}&by=channel`);
    expect(f.total.counts).toEqual({ leads: 4, intent: 2, due_diligence: 1, applied: 1, approved: 1, disbursed: 1 });
    expect(f.total.stepRatePpm).toEqual({ leads: null, intent: 500_000, due_diligence: 500_000, applied: 1_000_000, approved: 1_000_000, disbursed: 1_000_000 });
    expect(f.total.overallRatePpm.disbursed).toBe(250_000);
    const douyin = f.rows.find((r: { key: string }) => r.key === 'douyin');
    expect(douyin.counts).toEqual({ leads: 3, intent: 2, due_diligence: 1, applied: 1, approved: 1, disbursed: 1 });
    expect(douyin.label).toBe('抖音');
    // The whole month's cost when the period covers it up to today: prorated by the days covered.
    const monthDays = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
    const covered = Number(today.slice(8, 10));
    const expectCost = covered >= monthDays ? 300_000 : Math.round((300_000 * covered) / monthDays);
    expect(douyin.costFen).toBe(expectCost);
    expect(douyin.costPerLeadFen).toBe(Math.round(expectCost / 3));
    expect(douyin.disbursedFen).toBe(100_000);
    expect(douyin.roiPpm).toBe(Math.round((100_000 * 1_000_000) / expectCost));
    expect(f.rows.find((r: { key: string }) => r.key === 'baidu').counts).toEqual({ leads: 1, intent: 0, due_diligence: 0, applied: 0, approved: 0, disbursed: 0 });

    const team = await get(wu, `funnel?${period(yesterday, today)}&by=officer`);
    expect(team.rows.map((r: { label: string; counts: { leads: number } }) => [r.label, r.counts.leads])).toEqual([['张伟', 3]]);
    // Costs are company-wide: a team lead's channel rows carry no cost or ROI.
    const teamByChannel = await get(wu, `funnel?${period(yesterday, today)}&by=channel`);
    expect(teamByChannel.rows.find((r: { key: string }) => r.key === 'douyin').costFen).toBeNull();
  });

  it('activity: follow-ups by type, customers touched, new customers, with empty days as zeros', async () => {
    const a = await get(wu, `activity?${period(addDays(today, -2), today)}`);
    expect(a.totals).toEqual({ followUps: 3, byType: { call: 2, visit: 0, wechat: 1, note: 0 }, customersTouched: 2, newCustomers: 3 });
    expect(a.series.map((p: { period: string; followUps: number }) => [p.period, p.followUps])).toEqual([[addDays(today, -2), 0], [yesterday, 0], [today, 3]]);
  });

  it('applications: submitted twice (rejected, then resubmitted and approved), pass rate, per node with avg and p90', async () => {
    const r = await get(wu, `applications?${period(yesterday, today)}`);
    expect(r.totals).toEqual({ submitted: 2, approved: 1, rejected: 1, withdrawn: 0, passRatePpm: 500_000 });
    expect(r.byProduct).toEqual([{ key: '房抵贷', label: '房抵贷', submitted: 2, approved: 1, rejected: 1, withdrawn: 0, passRatePpm: 500_000 }]);
    const decided = r.nodes.reduce((s: number, n: { decided: number }) => s + n.decided, 0);
    expect(decided).toBe(3); // 吴婷 twice (reject, approve), 李娜 once
    const tasks = await rows(app, "SELECT node_name, status, created_at, decided_at FROM approval_tasks WHERE status IN ('approved', 'rejected') ORDER BY id");
    expect(tasks).toHaveLength(3);
    const toMs = (v: unknown) => (v instanceof Date ? v.getTime() : new Date(String(v).replace(' +00:00', 'Z').replace(' ', 'T')).getTime());
    for (const n of r.nodes) {
      const secs = tasks.filter((t) => t.node_name === n.nodeName).map((t) => Math.round((toMs(t.decided_at) - toMs(t.created_at)) / 1000)).sort((p, q) => p - q);
      expect(n.decided).toBe(secs.length);
      expect(n.avgSeconds).toBe(Math.round(secs.reduce((p, q) => p + q, 0) / secs.length));
      expect(n.p90Seconds).toBe(secs[Math.ceil(secs.length * 0.9) - 1]);
    }
    expect(r.cycle.loans).toBe(1);
    // An empty period.
    const none = await get(wu, `applications?${period(addDays(today, -9), addDays(today, -3))}`);
    expect(none.totals).toEqual({ submitted: 0, approved: 0, rejected: 0, withdrawn: 0, passRatePpm: null });
    expect(none.nodes).toEqual([]);
  });

  it('loans: disbursed, received, receivable / received / overdue by month, buckets, by channel', async () => {
    const r = await get(wu, `loans?${period(addDays(yesterday, -1), addDays(today, 30))}`);
    expect(r.totals).toMatchObject({ disbursedCount: 1, disbursedFen: 100_000, receivedFen: 30_000 });
    const byMonth = Object.fromEntries(r.months.map((m: { month: string }) => [m.month, m]));
    // Installment 1 (610.00, 300.00 paid) is due yesterday: 310.00 overdue. Installment 2 is not due yet.
    expect(byMonth[yesterday.slice(0, 7)].overdueFen).toBe(31_000);
    const due2 = addDays(today, 30).slice(0, 7);
    const receivable = r.months.reduce((s: number, m: { receivableFen: number }) => s + m.receivableFen, 0);
    expect(receivable).toBe(61_000 + 40_500);
    expect(byMonth[due2].overdueFen).toBe(0);
    expect(r.months.reduce((s: number, m: { receivedFen: number }) => s + m.receivedFen, 0)).toBe(30_000);
    const m1 = r.buckets.find((b: { bucket: string }) => b.bucket === 'M1');
    expect(m1).toEqual({ bucket: 'M1', loans: 1, outstandingFen: 71_000, ratePpm: 1_000_000 });
    expect(r.byChannel).toEqual([{ key: 'douyin', label: '抖音', disbursedCount: 1, disbursedFen: 100_000, outstandingFen: 71_000, overdueOutstandingFen: 71_000, overdueRatePpm: 1_000_000 }]);
    // Another team sees none of it.
    const other = await get(zheng, `loans?${period(yesterday, today)}`);
    expect(other.totals).toMatchObject({ disbursedCount: 0, disbursedFen: 0, receivedFen: 0 });
    expect(other.buckets.every((b: { loans: number }) => b.loans === 0)).toBe(true);
  });

  it('leaderboards by officer and by team', async () => {
    const fu = await get(chen, `leaderboard?${period(yesterday, today)}&metric=follow_ups&by=officer`);
    expect(fu.rows.map((r: { name: string; value: number; rank: number }) => [r.rank, r.name, r.value])).toEqual([[1, '张伟', 3], [2, '何丹', 1]]);
    const teams = await get(chen, `leaderboard?${period(yesterday, today)}&metric=new_customers&by=team`);
    expect(teams.rows.map((r: { name: string; value: number }) => [r.name, r.value])).toEqual([['杭州一部', 3], ['杭州二部', 1]]);
    const money = await get(chen, `leaderboard?${period(yesterday, today)}&metric=disbursed_fen&by=officer`);
    expect(money.rows.map((r: { name: string; value: number }) => [r.name, r.value])).toEqual([['张伟', 100_000]]);
    const conv = await get(chen, `leaderboard?${period(yesterday, today)}&metric=conversion&by=officer`);
    expect(conv.rows.map((r: { name: string; value: number; numerator: number; denominator: number }) => [r.name, r.value, r.numerator, r.denominator])).toEqual([['张伟', 333_333, 1, 3], ['何丹', 0, 0, 1]]);
    // A team lead's board holds only their team.
    const mine = await get(zheng, `leaderboard?${period(yesterday, today)}&metric=follow_ups&by=officer`);
    expect(mine.rows.map((r: { name: string }) => r.name)).toEqual(['何丹']);
  });

  it('every number drills down to as many records (phones masked for a team lead, whole for the admin)', async () => {
    const p = period(addDays(yesterday, -1), addDays(today, 30));
    const ov = await get(wu, `overview?${p}`);
    const fun = await get(wu, `funnel?${p}&by=channel`);
    const act = await get(wu, `activity?${p}`);
    const apps = await get(wu, `applications?${p}`);
    const ln = await get(wu, `loans?${p}`);
    const drill = (q: string) => get(wu, `drill?${p}&${q}&pageSize=100`);
    expect((await drill('metric=new_customers')).total).toBe(ov.newCustomers);
    for (const step of ['leads', 'intent', 'due_diligence', 'applied', 'approved', 'disbursed']) {
      expect((await drill(`metric=funnel.${step}`)).total, step).toBe(fun.total.counts[step]);
      expect((await drill(`metric=funnel.${step}&dim=channel&key=douyin`)).total, step).toBe(fun.rows.find((r: { key: string }) => r.key === 'douyin').counts[step]);
    }
    expect((await drill('metric=follow_ups')).total).toBe(act.totals.followUps);
    expect((await drill('metric=follow_ups&dim=type&key=call')).total).toBe(act.totals.byType.call);
    expect((await drill('metric=applications.submitted')).total).toBe(apps.totals.submitted);
    expect((await drill('metric=applications.approved')).total).toBe(apps.totals.approved);
    const rejected = await drill('metric=applications.rejected');
    expect(rejected.total).toBe(apps.totals.rejected);
    // Keys travel with their Chinese names, as statusName does in the other APIs.
    expect(rejected.items.map((i: { status: string; statusName: string }) => [i.status, i.statusName])).toContainEqual(['rejected', '已驳回']);
    const leads = await drill('metric=new_customers');
    expect(leads.items.length).toBeGreaterThan(0);
    expect(leads.items.every((i: { status: string; statusName: string; title: string }) => i.statusName !== i.status && !/^[a-z_]+$/.test(i.title))).toBe(true);
    expect((await drill('metric=loans.bucket&dim=bucket&key=M1')).items.map((i: { statusName: string }) => i.statusName)).toEqual(expect.arrayContaining(['M1']));
    const disb = await drill('metric=loans.disbursed');
    expect([disb.total, disb.totalFen]).toEqual([ln.totals.disbursedCount, ln.totals.disbursedFen]);
    expect((await drill('metric=loans.received')).totalFen).toBe(ln.totals.receivedFen);
    expect((await drill('metric=loans.receivable')).totalFen).toBe(ln.months.reduce((s: number, m: { receivableFen: number }) => s + m.receivableFen, 0));
    const overdue = await drill(`metric=loans.overdue&dim=month&key=${yesterday.slice(0, 7)}`);
    expect(overdue.totalFen).toBe(ln.months.find((m: { month: string }) => m.month === yesterday.slice(0, 7)).overdueFen);
    expect((await drill('metric=loans.bucket&dim=bucket&key=M1')).totalFen).toBe(71_000);
    const fu = await drill('metric=follow_ups');
    expect(fu.items[0].phone).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(fu.items.map((i: { customerName: string }) => i.customerName).sort()).toEqual(['客户一', '客户一', '客户二']);
    const plain = await get(admin, `drill?${p}&metric=follow_ups`);
    expect(plain.items[0].phone).toMatch(/^\d{11}$/);
    // Scope holds in the drill too: 郑浩 never lists 杭州一部's follow-ups.
    const other = await get(zheng, `drill?${p}&metric=follow_ups&dim=team&key=${hz1}`);
    expect(other.total).toBe(0);
    // Pagination.
    const page2 = await get(wu, `drill?${p}&metric=follow_ups&pageSize=2&page=2`);
    expect([page2.total, page2.items.length]).toEqual([3, 1]);
    void c3;
  });

  it('rollups kept by the events equal a rebuild from the raw tables', async () => {
    const r = rollups();
    const incremental = await r.dump();
    await r.rebuild({ batch: 2 });
    expect(await r.dump()).toEqual(incremental);
    expect(incremental.customer.length).toBeGreaterThan(0);
    expect(incremental.loan.length).toBeGreaterThan(0);
  });

  it('backdated rows land on their own days after a rebuild (empty days in between stay zero)', async () => {
    const d5 = addDays(today, -5);
    await exec(app, 'UPDATE customers SET created_at = ? WHERE id = ?', [new Date(`${d5}T10:00:00+08:00`), c4]);
    await exec(app, 'UPDATE follow_ups SET created_at = ? WHERE customer_id = ?', [new Date(`${d5}T23:30:00+08:00`), c4]);
    await rollups().rebuild();
    const a = await get(chen, `activity?${period(addDays(today, -6), today)}`);
    expect(a.series.map((p: { followUps: number; newCustomers: number }) => [p.followUps, p.newCustomers])).toEqual([[0, 0], [1, 1], [0, 0], [0, 0], [0, 0], [0, 0], [3, 3]]);
    const w = await get(chen, `activity?${period(addDays(today, -6), today)}&granularity=month`);
    expect(w.totals.followUps).toBe(4);
    // Whole months come from the month rows, the partial ends from the day rows: the same totals.
    const first = `${today.slice(0, 7)}-01`;
    const monthEnd = addDays(`${addDays(first, 32).slice(0, 7)}-01`, -1);
    const prevFirst = `${addDays(first, -1).slice(0, 7)}-01`;
    const whole = await get(chen, `overview?${period(prevFirst, monthEnd)}`);
    const daily = await get(chen, `overview?${period(prevFirst, today)}`);
    expect(whole).toMatchObject({ newCustomers: 4, followUps: 4, applicationsSubmitted: 2, disbursedFen: 100_000, receivedFen: 30_000 });
    expect({ ...whole, query: null }).toEqual({ ...daily, query: null });
    const byMonth = await get(chen, `loans?${period(prevFirst, monthEnd)}&granularity=month`);
    const byDay = await get(chen, `loans?${period(prevFirst, monthEnd)}`);
    expect(byMonth.months).toEqual(byDay.months);
    expect(byMonth.totals).toEqual(byDay.totals);
  });
});

describe('rollups after random event sequences', () => {
  it('equal the raw computation (seeded, through the real services)', async () => {
    liuId = await app.userId('刘洋');
    const rand = prng(20261123);
    const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
    const officers = [zhang, liu, he];
    const ids: { id: number; by: Client }[] = [];
    const stages: Record<string, string[]> = { lead: ['intent', 'lost'], intent: ['due_diligence', 'lead', 'lost'], due_diligence: ['intent', 'lost'], lost: ['lead'] };
    const state = new Map<number, string>();
    for (let step = 0; step < 60; step++) {
      const r = rand();
      if (r < 0.3 || ids.length < 3) {
        const by = pick(officers);
        const c = await createCustomer(by, { channel: pick(['douyin', 'baidu', 'referral']) });
        ids.push({ id: c.id, by });
        state.set(c.id, 'lead');
      } else if (r < 0.6) {
        const c = pick(ids);
        await c.by.post(`/api/v1/customers/${c.id}/follow-ups`, { type: pick(['call', 'visit', 'wechat', 'note']), content: '随机跟进' });
      } else if (r < 0.8) {
        const c = pick(ids);
        const to = pick(stages[state.get(c.id)!] ?? ['lost']);
        const res = await c.by.post(`/api/v1/customers/${c.id}/stage`, { to });
        if (res.status === 200) state.set(c.id, to);
      } else if (r < 0.9) {
        // A lead hands a customer to a colleague in the team (owner change).
        const c = pick(ids.filter((x) => x.by === zhang || x.by === liu));
        if (!c) continue;
        const target = c.by === zhang ? '刘洋' : '张伟';
        const res = await wu.post(`/api/v1/customers/${c.id}/assign`, { ownerId: await app.userId(target) });
        if (res.status === 200) c.by = c.by === zhang ? liu : zhang;
      } else {
        const c = pick(ids);
        if (state.get(c.id) !== 'due_diligence') continue;
        const res = await c.by.post('/api/v1/applications', applicationInput(c.id, { submit: true, amountFen: SMALL }));
        if (res.status === 201 && rand() < 0.5) {
          const lead = c.by === he ? zheng : wu;
          await decide(lead, res.body.id, pick(['approve', 'reject', 'return'] as const));
        }
      }
    }
    // 离职继承: 刘洋's whole book moves to 张伟 in one transaction (one event for the lot).
    const moved = await admin.post(`/api/v1/users/${await app.userId('刘洋')}/transfer-customers`, { toUserId: await app.userId('张伟'), disableUser: false });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const r = rollups();
    const incremental = await r.dump();
    expect(incremental.customer.some((row) => row.owner_id === liuId)).toBe(false); // the funnel follows the current owner
    await r.rebuild({ batch: 7 });
    expect(await r.dump()).toEqual(incremental);
  });
});

let liuId = 0;
