// Daily summary in chat (C22) on a fixed day of hand-placed rows (demo organisation: 杭州分公司
// with 杭州一部/二部, 苏州分公司 with 苏州一部, director 陈刚): each manager's numbers for their
// scope (a branch manager of two teams gets one message covering both, a team lead only their
// team, the director everything), the top 3 and the people with nothing logged; day boundaries in
// Asia/Shanghai; what arrives at the fake WeCom and DingTalk servers (app markdown with the
// dashboard link, DingTalk action card, robot leaderboard, robot PNG whose md5 the fake checks);
// a rerun the same day sends nothing new; a robot already near its 20/min gets the summary late
// but never a 45009.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotTestApp, deliverAll, testDispatcher, type BotTestApp } from '../helpers/bot-worker';
import { count, rows } from '../helpers/fixtures';
import { composeDailySummary, runDailySummary, type ComposedSummary } from '../../server/src/modules/reports/summary/summary.service';
import { addDays } from '../../server/src/contracts/dates';
import { createRollupService } from '../../server/src/modules/reports/rollup.service';

const DAY = '2026-12-03'; // a Thursday
const at = (day: string, time: string) => new Date(`${day}T${time}+08:00`);
const WAN = 1_000_000; // fen in 1 万元
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let t: BotTestApp;
const ids = new Map<string, number>();
const uid = (name: string) => {
  const id = ids.get(name);
  if (!id) throw new Error(`no user ${name}`);
  return id;
};
let dept: Map<number, number>;
let seq = 0;

async function customer(owner: string, createdAt: Date): Promise<number> {
  const n = ++seq;
  const hash = crypto.createHash('sha256').update(`summary-${n}`).digest('hex');
  const qi = t.deps.db.sequelize.getQueryInterface();
  await qi.bulkInsert('customers', [
    { name: `客户${n}`, phone_enc: 'x', phone_hash: hash, phone_last4: '0000', channel: 'douyin', stage: 'lead', owner_id: uid(owner), department_id: dept.get(uid(owner)), stage_changed_at: createdAt, created_at: createdAt, updated_at: createdAt },
  ]);
  const [r] = await rows(t, 'SELECT id FROM customers WHERE phone_hash = ?', [hash]);
  return Number(r.id);
}

async function followUp(author: string, createdAt: Date, customerId?: number) {
  const cid = customerId ?? (await customer(author, at(addDays(DAY, -20), '10:00:00')));
  await t.deps.db.sequelize.getQueryInterface().bulkInsert('follow_ups', [{ customer_id: cid, user_id: uid(author), type: 'call', content: '电话沟通', created_at: createdAt }]);
}

async function application(applicant: string, status: string, submittedAt: Date | null, decidedAt: Date | null) {
  const cid = await customer(applicant, at(addDays(DAY, -30), '10:00:00'));
  const now = submittedAt ?? at(DAY, '09:00:00');
  await t.deps.db.sequelize.getQueryInterface().bulkInsert('applications', [
    { customer_id: cid, applicant_id: uid(applicant), department_id: dept.get(uid(applicant)), status, product: '房抵贷', amount_fen: 50 * WAN, term_months: 12, purpose: '经营周转', round: 1, submitted_at: submittedAt, decided_at: decidedAt, created_at: now, updated_at: now },
  ]);
  // The submission as the trail records it (the rollups count submit actions by their day).
  const [a] = await rows(t, 'SELECT id FROM applications WHERE customer_id = ?', [cid]);
  if (submittedAt) await t.deps.db.sequelize.getQueryInterface().bulkInsert('application_actions', [{ application_id: a.id, round: 1, actor_id: uid(applicant), action: 'submit', created_at: submittedAt }]);
}

async function loan(owner: string, o: { principalWan: number; disbursedOn: string; status?: string; overdueSince?: string | null; outstandingWan?: number }) {
  const n = ++seq;
  const cid = await customer(owner, at(addDays(DAY, -60), '10:00:00'));
  const now = at(o.disbursedOn, '10:00:00');
  const overdue = o.overdueSince ?? null;
  await t.deps.db.sequelize.getQueryInterface().bulkInsert('loans', [
    {
      loan_no: `L${n}`, application_id: n, customer_id: cid, owner_id: uid(owner), department_id: dept.get(uid(owner)), channel: 'douyin', lender_loan_no: `X${n}`,
      principal_fen: o.principalWan * WAN, annual_rate_ppm: 72_000, monthly_rate_ppm: 6_000, term_months: 12, repayment_method: 'equal_installment',
      disbursed_on: o.disbursedOn, first_due_on: addDays(o.disbursedOn, 30), maturity_on: addDays(o.disbursedOn, 365), status: o.status ?? 'active',
      outstanding_principal_fen: (o.outstandingWan ?? o.principalWan) * WAN, days_past_due: overdue ? 1 : 0, overdue_bucket: overdue ? 'M1' : 'current', overdue_since: overdue,
      created_by: uid(owner), created_at: now, updated_at: now,
    },
  ]);
}

async function seedDay() {
  // New leads: 张伟 3 (the first and last second of the day count; the next day's first second and the day before do not).
  await customer('张伟', at(DAY, '00:00:00'));
  await customer('张伟', at(DAY, '10:00:00'));
  await customer('张伟', at(DAY, '23:59:59'));
  await customer('张伟', at(addDays(DAY, 1), '00:00:00'));
  await customer('张伟', at(addDays(DAY, -1), '23:59:59'));
  await customer('何丹', at(DAY, '11:00:00'));
  await customer('何丹', at(DAY, '12:00:00'));
  await customer('梁宇', at(DAY, '15:00:00'));
  // Follow-ups: 张伟 4, 刘洋 1, 吴婷 1, 何丹 2, 梁宇 3; 宋佳 only the day before.
  for (let i = 0; i < 4; i++) await followUp('张伟', at(DAY, `1${i}:00:00`));
  await followUp('刘洋', at(DAY, '09:30:00'));
  await followUp('吴婷', at(DAY, '17:00:00'));
  await followUp('何丹', at(DAY, '10:00:00'));
  await followUp('何丹', at(DAY, '00:00:00'));
  for (let i = 0; i < 3; i++) await followUp('梁宇', at(DAY, `14:0${i}:00`));
  await followUp('宋佳', at(addDays(DAY, -1), '18:00:00'));
  // Applications: submitted today 张伟 2, 梁宇 1; approved today 张伟 1 and 何丹 1; 刘洋 rejected today.
  await application('张伟', 'pending', at(DAY, '10:00:00'), null);
  await application('张伟', 'pending', at(DAY, '16:00:00'), null);
  await application('梁宇', 'pending', at(DAY, '11:00:00'), null);
  await application('张伟', 'approved', at(addDays(DAY, -2), '10:00:00'), at(DAY, '15:00:00'));
  await application('何丹', 'approved', at(addDays(DAY, -1), '10:00:00'), at(DAY, '09:00:00'));
  await application('刘洋', 'rejected', at(addDays(DAY, -1), '10:00:00'), at(DAY, '10:00:00'));
  // Loans: disbursed today 张伟 50万, 何丹 30万; a reversed one today and one yesterday do not count.
  await loan('张伟', { principalWan: 50, disbursedOn: DAY });
  await loan('何丹', { principalWan: 30, disbursedOn: DAY });
  await loan('林峰', { principalWan: 40, disbursedOn: DAY, status: 'reversed' });
  await loan('梁宇', { principalWan: 20, disbursedOn: addDays(DAY, -1) });
  // Overdue: 刘洋's first overdue day is today (new), 唐磊's is 30 days ago (M1 → M2 today), 宋佳's 5 days ago.
  await loan('刘洋', { principalWan: 30, disbursedOn: addDays(DAY, -100), overdueSince: DAY, outstandingWan: 20 });
  await loan('唐磊', { principalWan: 20, disbursedOn: addDays(DAY, -200), overdueSince: addDays(DAY, -30), outstandingWan: 10 });
  await loan('宋佳', { principalWan: 10, disbursedOn: addDays(DAY, -150), overdueSince: addDays(DAY, -5), outstandingWan: 5 });
}

let composed: ComposedSummary;
const summaryOf = (name: string) => {
  const m = composed.managers.find((x) => x.user.id === uid(name));
  if (!m) throw new Error(`no summary for ${name}`);
  return m;
};

beforeAll(async () => {
  t = await createBotTestApp({ wecom: true, dingtalk: true });
  const users = await t.deps.db.models.User.findAll({ raw: true });
  for (const u of users) ids.set(u.name, u.id);
  dept = new Map(users.map((u) => [u.id, u.departmentId]));
  await seedDay();
  // Rows were placed by hand (no domain events): file them into the report rollups as `reports:rebuild` does.
  await createRollupService(t.deps).rebuild();
  composed = await composeDailySummary(t.deps, DAY);
}, 120_000);
afterAll(async () => t?.close());

describe('numbers per manager', () => {
  it('team lead 吴婷: only 杭州一部; top of the team and who logged nothing (not herself)', () => {
    const s = summaryOf('吴婷').summary;
    expect(s.scopeName).toBe('杭州一部');
    expect(s.totals).toEqual({ newLeads: 3, followUps: 6, submitted: 2, approved: 1, disbursedCount: 1, disbursedFen: 50 * WAN });
    expect(s.overdue).toEqual({ newCount: 1, newFen: 20 * WAN, worsenedCount: 0, openCount: 1, openFen: 20 * WAN });
    expect(s.ranking.map((p) => p.name)).toEqual(['张伟', '刘洋']);
    expect(s.idle.map((p) => p.name)).toEqual(['黄静']);
    expect(s.teams).toEqual([]);
  });

  it('team lead 郑浩: only 杭州二部', () => {
    const s = summaryOf('郑浩').summary;
    expect(s.totals).toEqual({ newLeads: 2, followUps: 2, submitted: 0, approved: 1, disbursedCount: 1, disbursedFen: 30 * WAN });
    expect(s.ranking.map((p) => p.name)).toEqual(['何丹']);
    expect(s.idle.map((p) => p.name)).toEqual(['林峰']);
  });

  it('branch manager 周强 of two teams: one summary covering both, with a line per team', () => {
    expect(composed.managers.filter((m) => m.user.id === uid('周强'))).toHaveLength(1);
    const s = summaryOf('周强').summary;
    expect(s.totals).toEqual({ newLeads: 5, followUps: 8, submitted: 2, approved: 2, disbursedCount: 2, disbursedFen: 80 * WAN });
    expect(s.teams.map((x) => [x.name, x.totals.followUps, x.totals.disbursedFen])).toEqual([
      ['杭州一部', 6, 50 * WAN],
      ['杭州二部', 2, 30 * WAN],
    ]);
    // Money first, then approvals, submissions, follow-ups; ties by name (刘 before 吴 in pinyin).
    expect(s.ranking.slice(0, 3).map((p) => p.name)).toEqual(['张伟', '何丹', '刘洋']);
    expect(s.idle.map((p) => p.name)).toEqual(['黄静', '林峰', '郑浩']);
  });

  it('苏州: the branch manager and the team lead see the same numbers, each without themself in the lists', () => {
    const ma = summaryOf('马超').summary;
    const luo = summaryOf('罗琳').summary;
    for (const s of [ma, luo]) {
      expect(s.totals).toEqual({ newLeads: 1, followUps: 3, submitted: 1, approved: 0, disbursedCount: 0, disbursedFen: 0 });
      expect(s.overdue).toEqual({ newCount: 0, newFen: 0, worsenedCount: 1, openCount: 2, openFen: 15 * WAN });
      expect(s.ranking.map((p) => p.name)).toEqual(['梁宇']);
    }
    expect(ma.idle.map((p) => p.name)).toEqual(['罗琳', '宋佳', '唐磊']);
    expect(luo.idle.map((p) => p.name)).toEqual(['宋佳', '唐磊']);
  });

  it('director 陈刚: the whole company', () => {
    const s = summaryOf('陈刚').summary;
    expect(s.scopeName).toBe('全公司');
    expect(s.totals).toEqual({ newLeads: 6, followUps: 11, submitted: 3, approved: 2, disbursedCount: 2, disbursedFen: 80 * WAN });
    expect(s.overdue).toEqual({ newCount: 1, newFen: 20 * WAN, worsenedCount: 1, openCount: 3, openFen: 35 * WAN });
    expect(s.ranking.slice(0, 3).map((p) => p.name)).toEqual(['张伟', '何丹', '梁宇']);
    expect(s.teams.map((x) => x.name)).toEqual(['杭州一部', '杭州二部', '苏州一部']);
    expect(s.idle.map((p) => p.name)).toEqual(['黄静', '林峰', '罗琳', '马超', '宋佳', '唐磊', '郑浩', '周强']);
  });

  it('each manager’s numbers are the 数据 page’s numbers for that day and viewer', async () => {
    for (const name of ['吴婷', '周强', '马超', '陈刚']) {
      const res = await (await t.loginAs(name)).get(`/api/v1/reports/overview?from=${DAY}&to=${DAY}`);
      expect(res.status).toBe(200);
      const s = summaryOf(name).summary.totals;
      expect([res.body.newCustomers, res.body.followUps, res.body.applicationsSubmitted, res.body.applicationsApproved, res.body.disbursedCount, res.body.disbursedFen]).toEqual([
        s.newLeads, s.followUps, s.submitted, s.approved, s.disbursedCount, s.disbursedFen,
      ]);
    }
  });

  it('only managers get a summary; a quiet day composes zeros, not errors', async () => {
    expect(composed.managers.map((m) => m.user.name).sort()).toEqual(['陈刚', '郑浩', '罗琳', '马超', '吴婷', '周强'].sort());
    const quiet = await composeDailySummary(t.deps, addDays(DAY, 10));
    const s = quiet.managers.find((m) => m.user.id === uid('周强'))!;
    expect(s.summary.totals).toEqual({ newLeads: 0, followUps: 0, submitted: 0, approved: 0, disbursedCount: 0, disbursedFen: 0 });
    expect(s.summary.ranking).toEqual([]);
    expect(s.payload.markdown).toContain('今天还没有人有业绩记录');
  });
});

describe('sending', () => {
  let wecomRobotId: number;
  beforeAll(async () => {
    const models = t.deps.db.models;
    const hz1 = (await models.Department.findOne({ where: { name: '杭州一部' } }))!;
    const sz1 = (await models.Department.findOne({ where: { name: '苏州一部' } }))!;
    t.wecomRobots!.addRobot('summary-robot-hz1', '杭州一部群');
    wecomRobotId = (await models.TeamRobot.create({ departmentId: hz1.id, provider: 'wecom', name: '杭州一部群', tokenEnc: t.deps.crypto.encrypt('summary-robot-hz1') })).id;
    const token = 'd'.repeat(64);
    const secret = `SEC${'7'.repeat(64)}`;
    t.dingRobots!.addRobot(token, secret);
    await models.TeamRobot.create({ departmentId: sz1.id, provider: 'dingtalk', name: '苏州一部群', tokenEnc: t.deps.crypto.encrypt(token), secretEnc: t.deps.crypto.encrypt(secret) });
  });

  it('one message per manager and messenger, one leaderboard per team robot plus the chart for WeCom; a rerun adds nothing', async () => {
    const r = await runDailySummary(t.deps, { day: DAY });
    // 6 managers × (WeCom app + DingTalk notice) + 2 leaderboards + 1 chart.
    expect(r).toMatchObject({ day: DAY, managers: 6, teams: 2, enqueued: 15 });
    const again = await runDailySummary(t.deps, { day: DAY });
    expect(again.enqueued).toBe(0);
    expect(await count(t, 'bot_messages', "ref_type = 'daily_summary' AND ref_id = ?", [DAY])).toBe(15);
    const per = await rows(t, "SELECT recipient_user_id AS u, channel, COUNT(*) AS n FROM bot_messages WHERE kind = 'daily_summary' GROUP BY recipient_user_id, channel");
    expect(per.every((x) => Number(x.n) === 1)).toBe(true);
    expect(per).toHaveLength(12);

    await deliverAll(t, testDispatcher(t));
    expect(await count(t, 'bot_messages', "ref_type = 'daily_summary' AND status <> 'sent'")).toBe(0);

    // WeCom app: markdown with the numbers and a link to the 数据 page.
    const wx = t.wecomMessages!.deliveredTo(`wx-${uid('周强')}`).filter((d) => JSON.stringify(d.content).includes('每日战报'));
    expect(wx).toHaveLength(1);
    expect(wx[0].msgtype).toBe('markdown');
    const md = String(wx[0].content.content ?? wx[0].content);
    expect(md).toContain('每日战报 · 12月3日(周四)');
    expect(md).toContain('新增线索:5');
    expect(md).toContain('跟进记录:8');
    expect(md).toContain('进件提交:2,审批通过:2');
    expect(md).toContain('放款:2 笔,80.00万');
    expect(md).toContain('杭州一部:线索 3 · 跟进 6');
    expect(md).toContain('杭州二部:线索 2 · 跟进 2');
    expect(md).toContain('1. 张伟:放款 50.00万');
    expect(md).toContain('今日无跟进记录(3 人)');
    expect(md).toContain('黄静、林峰、郑浩');
    expect(md).toContain(`[查看详情](http://127.0.0.1:3000/data?from=${DAY}&to=${DAY})`);
    // A team lead's message never names another team's people.
    const lead = String(t.wecomMessages!.deliveredTo(`wx-${uid('吴婷')}`).find((d) => JSON.stringify(d.content).includes('每日战报'))!.content.content);
    expect(lead).not.toContain('何丹');
    expect(lead).not.toContain('杭州二部');

    // DingTalk work notification: markdown action card whose button opens the page in the workbench.
    const dd = t.notices!.deliveredTo(`dd-${uid('陈刚')}`).filter((d) => JSON.stringify(d.content).includes('每日战报'));
    expect(dd).toHaveLength(1);
    expect(dd[0].msgtype).toBe('action_card');
    expect(dd[0].content.markdown).toContain('新增线索:6');
    expect(decodeURIComponent(dd[0].content.single_url)).toContain(`/data?from=${DAY}&to=${DAY}`);

    // WeCom team robot: the leaderboard, then the chart as a PNG whose md5 the fake verified.
    const robot = t.wecomRobots!.delivered.filter((d) => d.key === 'summary-robot-hz1');
    expect(robot.map((d) => d.msgtype)).toEqual(['markdown', 'image']);
    expect(robot[0].content).toContain('杭州一部 今日排行榜');
    expect(robot[0].content).toContain('1. 张伟');
    expect(robot[0].content).not.toContain('何丹');
    expect(robot[0].content).not.toContain('黄静'); // who logged nothing is for the manager, not the group
    const png = robot[1].image!;
    expect(png.subarray(0, 8)).toEqual(PNG);
    expect(png.length).toBeGreaterThan(5_000);
    // DingTalk team robot: the leaderboard as markdown, the chart by a public, unguessable, expiring URL.
    const ding = t.dingRobots!.delivered.filter((d) => d.token === 'd'.repeat(64));
    expect(ding).toHaveLength(1);
    expect(ding[0].msgtype).toBe('markdown');
    expect(ding[0].text).toContain('苏州一部 今日排行榜');
    expect(ding[0].text).toContain('1. 梁宇');
    const m = /!\[今日排行\]\(http:\/\/127\.0\.0\.1:3000(\/api\/v1\/public\/summary-charts\/([A-Za-z0-9_-]{32})\.png)\)/.exec(ding[0].text);
    expect(m).not.toBeNull();
    const img = await t.anonymous().get(m![1]).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect((img.body as Buffer).subarray(0, 8)).toEqual(PNG);
    // A guessed token is 404; the same token after 7 days is gone.
    expect((await t.anonymous().get(`/api/v1/public/summary-charts/${'A'.repeat(32)}.png`)).status).toBe(404);
    expect((await t.anonymous().get('/api/v1/public/summary-charts/short.png')).status).toBe(422);
    const saved = t.clock.ms;
    t.clock.ms = Date.parse(`${DAY}T16:00:00Z`) + 8 * 86_400_000;
    expect((await t.anonymous().get(m![1])).status).toBe(404);
    t.clock.ms = saved;
    expect(wecomRobotId).toBeGreaterThan(0);
  });

  it('a robot already at 19 messages this minute gets the summary paced: no 45009, nothing lost, the image not merged', async () => {
    const NEXT = addDays(DAY, 1);
    t.clock.advance(3_600_000);
    const hz1 = (await t.deps.db.models.Department.findOne({ where: { name: '杭州一部' } }))!;
    await t.deps.db.transaction(async (tx) => {
      for (let i = 0; i < 19; i++) await t.deps.bot.notifyTeam(tx, { departmentId: hz1.id, kind: 'busy-robot', payload: { title: `放款通知${i}`, text: `客户${i}已放款` }, idemKey: `busy:${i}` });
    });
    await testDispatcher(t).drain();
    const before = t.wecomRobots!.delivered.length;
    await customer('张伟', at(NEXT, '10:00:00')); // something for the next day's board
    await createRollupService(t.deps).rebuild();
    await runDailySummary(t.deps, { day: NEXT });
    await deliverAll(t, testDispatcher(t));
    const robot = t.wecomRobots!.delivered.slice(before).filter((d) => d.key === 'summary-robot-hz1');
    expect(robot.map((d) => d.msgtype)).toEqual(['markdown', 'image']);
    // 19 went out in this minute: the leaderboard takes the 20th slot, the picture waits for the next minute.
    const firstBusy = t.wecomRobots!.delivered[before - 19].at;
    expect(robot[1].at - firstBusy).toBeGreaterThanOrEqual(60_000);
    expect(t.wecomRobots!.maxPerMinute()).toBeLessThanOrEqual(20);
    expect(t.wecom!.calls.filter((c) => c.path === '/cgi-bin/webhook/send' && (c.answer as { errcode: number }).errcode !== 0)).toEqual([]);
    expect(await count(t, 'bot_messages', "status <> 'sent'")).toBe(0);
  });
});
