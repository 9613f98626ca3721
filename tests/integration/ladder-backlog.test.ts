// The ladder's time-boxed passes: a backlog larger than one pass (here forced with zero scan and
// firing budgets, so each pass handles one customer per step) is resumed from the saved keyset position by the next
// pass — also by another instance — and drains with every customer fired exactly once; a follow-up
// made while the backlog drains still resets that customer; a dry run leaves the position alone.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, customerInput, type Client, type TestApp } from '../helpers/test-app';
import { ladderFromDeps, type LadderService } from '../../server/src/modules/ladder/ladder.service';
import { runLadderPasses } from '../../bot/src/jobs/ladder.job';

const DAY0 = Date.parse('2026-11-30T02:00:00Z'); // Monday 10:00 Asia/Shanghai
const at = (day: number, hour = 10) => DAY0 + day * 86_400_000 + (hour - 10) * 3_600_000;
const DAY9 = at(9); // Wednesday: 7 business days after day 0, so the release step is due

let app: TestApp;
let zw: Client;
let ladder: LadderService;
const ids: number[] = [];

const release = async () => (await app.deps.db.models.LadderStep.findOne({ where: { code: 'idle-7' }, raw: true }))!;
const owners = async () => (await app.deps.db.models.Customer.findAll({ where: { id: ids }, order: [['id', 'ASC']], raw: true })).map((c) => c.ownerId);
const firings = async () => (await app.deps.db.models.LadderFiring.findAll({ where: { customerId: ids }, raw: true })).map((f) => f.customerId);

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(DAY0);
  app = await createTestApp();
  zw = await app.loginAs('张伟');
  ladder = ladderFromDeps(app.deps);
  for (let i = 0; i < 5; i++) {
    const res = await zw.post('/api/v1/customers', customerInput({ name: `积压${i}` }));
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
});

afterAll(async () => {
  await app?.close();
  vi.useRealTimers();
});

describe('ladder backlog over time-boxed passes', () => {
  it('a dry run reads without moving the cursor', async () => {
    vi.setSystemTime(DAY9);
    const r = await ladder.run({ dryRun: true, budgetMs: 0, fireBudgetMs: 0 });
    expect(r.fired).toBe(5);
    expect(await release()).toMatchObject({ scannedTo: null, sweepTo: null, sweepAfterId: null });
    expect(await firings()).toEqual([]);
  });

  it('each pass resumes where the last one stopped; a follow-up meanwhile resets that customer; every customer fires once', async () => {
    vi.setSystemTime(DAY9);
    const first = await ladder.run({ budgetMs: 0, fireBudgetMs: 0 });
    expect(first.pending).toBe(true);
    expect(first.steps.find((s) => s.code === 'idle-7')).toMatchObject({ fired: 1, pending: true, resumed: false });
    expect(await owners()).toEqual([null, ...ids.slice(1).map(() => expect.any(Number))]);
    // The position is on the step row: the customer handled last, in the assignment-time index.
    const saved = await release();
    expect(saved).toMatchObject({ sweepColumn: 'assignedAt', sweepAfterId: ids[0] });
    expect(saved.sweepTo).not.toBeNull();
    expect(saved.scannedTo).toBeNull();

    // The last customer gets a follow-up before the sweep reaches them: their clock restarts.
    zw = await app.loginAs('张伟');
    expect((await zw.post(`/api/v1/customers/${ids[4]}/follow-ups`, { type: 'call', content: '电话沟通,客户考虑中' })).status).toBe(201);

    // Two instances share the work; the firing key keeps each customer to one firing.
    const other = ladderFromDeps(app.deps);
    const [a, b] = await Promise.all([ladder.run({ budgetMs: 0, fireBudgetMs: 0 }), other.run({ budgetMs: 0, fireBudgetMs: 0 })]);
    expect(a.steps.find((s) => s.code === 'idle-7')!.resumed && b.steps.find((s) => s.code === 'idle-7')!.resumed).toBe(true);
    let passes = 3;
    for (let last = [a, b]; last.some((r) => r.pending) && passes < 20; passes += 2) {
      last = await Promise.all([ladder.run({ budgetMs: 0, fireBudgetMs: 0 }), other.run({ budgetMs: 0, fireBudgetMs: 0 })]);
    }
    expect(passes).toBeGreaterThanOrEqual(3); // 4 releases at one per pass
    expect((await firings()).sort((x, y) => x - y)).toEqual(ids.slice(0, 4));
    expect(await owners()).toEqual([null, null, null, null, expect.any(Number)]);
    const messages = await app.deps.db.models.BotMessage.count({ where: { kind: 'ladder_release' } });
    expect(messages).toBe(4);

    // The sweep is finished: the cursor moved to the cutoff and the position is cleared.
    const done = await release();
    expect(done).toMatchObject({ sweepTo: null, sweepColumn: null, sweepAfterAt: null, sweepAfterId: null });
    expect(done.scannedTo).not.toBeNull();
    const again = await ladder.run();
    expect(again).toMatchObject({ fired: 0, pending: false });
  });

  it('an admin changing the wait restarts the step from a cold sweep', async () => {
    await app.deps.db.models.LadderStep.update({ sweepTo: new Date(DAY0), sweepColumn: 'assignedAt', sweepAfterId: ids[2] }, { where: { code: 'idle-7' } });
    const step = await release();
    const admin = await app.loginAs('王敏');
    const res = await admin.agent.patch(`/api/v1/admin/ladder/steps/${step.id}`).set('X-Requested-With', 'XMLHttpRequest').send({ waitValue: 8 });
    expect(res.status).toBe(200);
    expect(await release()).toMatchObject({ waitValue: 8, scannedTo: null, sweepTo: null, sweepColumn: null, sweepAfterId: null });
  });

  it('a customer whose firing fails (twice) is logged, counted and passed over, its release rolled back; the others still fire', async () => {
    vi.setSystemTime(DAY0);
    zw = await app.loginAs('张伟');
    const fresh: number[] = [];
    for (const name of ['故障甲', '故障乙']) {
      const res = await zw.post('/api/v1/customers', customerInput({ name }));
      expect(res.status).toBe(201);
      fresh.push(res.body.id);
    }
    vi.setSystemTime(at(10)); // Thursday: 8 business days after day 0 (the wait set above)
    const bot = app.deps.bot;
    const real = bot.notifyUsers.bind(bot);
    const spy = vi.spyOn(bot, 'notifyUsers').mockImplementation(async (t, msg) => {
      if (msg.ref?.id === fresh[0]) throw new Error('simulated outbox failure');
      return real(t, msg);
    });
    const r = await ladder.run();
    spy.mockRestore();
    expect(r).toMatchObject({ failed: 1, fired: 1, pending: false });
    const rows = await app.deps.db.models.Customer.findAll({ where: { id: fresh }, order: [['id', 'ASC']], raw: true });
    expect(rows.map((c) => c.ownerId)).toEqual([await app.userId('张伟'), null]);
    expect(await app.deps.db.models.LadderFiring.count({ where: { customerId: fresh[0] } })).toBe(0);
  });

  it('the job runs passes back to back while a backlog is left (each pass still bounded), within its time limit', async () => {
    vi.setSystemTime(DAY0);
    zw = await app.loginAs('张伟');
    const more: number[] = [];
    for (let i = 0; i < 3; i++) more.push((await zw.post('/api/v1/customers', customerInput({ name: `连续${i}` }))).body.id);
    vi.setSystemTime(at(11)); // Friday: 9 business days
    // A time limit of zero still runs one pass: one release of the three.
    const one = await runLadderPasses(ladder, { maxMs: 0, budgetMs: 0, fireBudgetMs: 0 });
    expect(one).toMatchObject({ passes: 1, pending: true });
    expect(one.summary).toContain('积压未处理完,下一次运行继续(idle-7)');
    const rest = await runLadderPasses(ladder, { budgetMs: 0, fireBudgetMs: 0 });
    expect(rest.pending).toBe(false);
    expect(rest.passes).toBeGreaterThanOrEqual(2);
    expect(rest.summary).toMatch(/^跟进阶梯:\d+ 轮,扫描 \d+ 位客户,触发 \d+ 次/);
    expect(await app.deps.db.models.LadderFiring.count({ where: { customerId: more } })).toBe(3);
  });
});
