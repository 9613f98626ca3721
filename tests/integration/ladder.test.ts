// The follow-up ladder over a simulated clock (Date faked; day 0 = Monday 10:00 Shanghai):
// 3 / 5 / 7 business days without a follow-up → remind, remind + copy the supervisor, release to
// the pool; a follow-up restarts the clock; quiet hours and weekends defer; 待补充资料 for 24 h →
// an SMS to the customer (SMS module) and a task; every step fires once however often the scan runs.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, customerInput, type Client, type TestApp } from '../helpers/test-app';
import { ladderFromDeps, type LadderService } from '../../server/src/modules/ladder/ladder.service';

const DAY0 = Date.parse('2026-11-30T02:00:00Z'); // Monday 10:00 Asia/Shanghai
const at = (day: number, hour = 10) => DAY0 + day * 86_400_000 + (hour - 10) * 3_600_000;

let app: TestApp;
let zw: Client;
let ladder: LadderService;
let zhangWei: number;
let wuTing: number;
const ids = { idle: 0, reset: 0, docs: 0 };

async function messages(customerId: number) {
  const rows = await app.deps.db.models.BotMessage.findAll({ where: { refType: 'customer', refId: String(customerId) }, order: [['id', 'ASC']], raw: true });
  return rows.map((m) => `${m.kind}>${m.recipientUserId ?? m.recipient}`);
}
async function tasks(customerId: number) {
  return (await app.deps.db.models.Task.findAll({ where: { customerId }, order: [['id', 'ASC']], raw: true })).map((t) => t.title);
}
async function runAt(day: number, hour = 10) {
  vi.setSystemTime(at(day, hour));
  return ladder.run();
}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(DAY0);
  app = await createTestApp();
  zw = await app.loginAs('张伟');
  zhangWei = await app.userId('张伟');
  wuTing = await app.userId('吴婷');
  ladder = ladderFromDeps(app.deps);
  for (const k of Object.keys(ids) as (keyof typeof ids)[]) {
    const res = await zw.post('/api/v1/customers', customerInput({ name: `阶梯${k}` }));
    expect(res.status).toBe(201);
    ids[k] = res.body.id;
  }
  const res = await zw.agent.put(`/api/v1/customers/${ids.docs}/sub-status`).set('X-Requested-With', 'XMLHttpRequest').send({ subStatus: 'awaiting_docs' });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await app?.close();
  vi.useRealTimers();
});

describe('follow-up ladder', () => {
  it('rejects an unknown sub-status and changes nothing', async () => {
    const res = await zw.agent.put(`/api/v1/customers/${ids.idle}/sub-status`).set('X-Requested-With', 'XMLHttpRequest').send({ subStatus: 'whatever' });
    expect(res.status).toBe(422);
    expect((await app.deps.db.models.Customer.findByPk(ids.idle))!.subStatus).toBeNull();
    expect((await zw.get(`/api/v1/customers/${ids.docs}/sub-status`)).body).toMatchObject({ subStatus: 'awaiting_docs' });
    const other = await app.loginAs('何丹'); // another team: out of scope reads as not found
    expect((await other.get(`/api/v1/customers/${ids.docs}/sub-status`)).status).toBe(404);
    const put = await other.agent.put(`/api/v1/customers/${ids.docs}/sub-status`).set('X-Requested-With', 'XMLHttpRequest').send({ subStatus: null });
    expect(put.status).toBe(404);
    expect((await app.deps.db.models.Customer.findByPk(ids.docs))!.subStatus).toBe('awaiting_docs');
  });

  it('day 1: 待补充资料 for 24 h → console SMS and a task, once; not at 23 h', async () => {
    await runAt(1, 9);
    expect(await messages(ids.docs)).toEqual([]);
    await runAt(1, 10);
    await runAt(1, 11);
    expect(await messages(ids.docs)).toEqual([`ladder_reminder>${zhangWei}`]);
    // The customer's SMS goes through the SMS module (purpose missing_documents), queued once.
    const sms = await app.deps.db.models.SmsMessage.findAll({ where: { customerId: ids.docs }, raw: true });
    expect(sms.map((m) => `${m.purpose}>${m.status}`)).toEqual(['missing_documents>queued']);
    expect(sms[0]!.text).toContain('阶梯docs您好,您的贷款申请还缺少部分资料');
    expect(await tasks(ids.docs)).toEqual(['阶梯docs:待补充资料超过 24 小时']);
    expect(await messages(ids.idle)).toEqual([]);
  });

  it('day 2: a follow-up restarts the clock of that customer', async () => {
    vi.setSystemTime(at(2));
    zw = await app.loginAs('张伟'); // sessions expire on the simulated clock too
    const res = await zw.post(`/api/v1/customers/${ids.reset}/follow-ups`, { type: 'call', content: '电话沟通,客户考虑中' });
    expect(res.status).toBe(201);
  });

  it('day 3: quiet hours defer, then 10:00 reminds the owner once (with a task linking the customer)', async () => {
    const quiet = await runAt(3, 7);
    expect(quiet.deferred).toBe(true);
    expect(await messages(ids.idle)).toEqual([]);
    const r = await runAt(3, 10);
    expect(r.deferred).toBe(false);
    await runAt(3, 15); // a second scan the same day fires nothing new
    expect(await messages(ids.idle)).toEqual([`ladder_reminder>${zhangWei}`]);
    expect(await tasks(ids.idle)).toEqual(['跟进 阶梯idle(3 个工作日未跟进)']);
    const [msg] = await app.deps.db.models.BotMessage.findAll({ where: { refId: String(ids.idle) } });
    expect(msg!.payload).toMatchObject({ title: '跟进提醒', url: `/customers/${ids.idle}` });
    expect(await messages(ids.reset)).toEqual([]); // followed up on day 2
  });

  it('day 5–6 (weekend) and 22:00 defer without scanning', async () => {
    expect((await runAt(4, 22)).deferred).toBe(true);
    expect((await runAt(5)).deferred).toBe(true);
    expect((await runAt(6)).deferred).toBe(true);
    expect(await messages(ids.idle)).toEqual([`ladder_reminder>${zhangWei}`]);
  });

  it('day 7 (Monday, 5 business days): reminds again and copies the supervisor; the reset customer gets its first reminder', async () => {
    await runAt(7);
    await runAt(7, 12);
    expect(await messages(ids.idle)).toEqual([`ladder_reminder>${zhangWei}`, `ladder_reminder>${zhangWei}`, `ladder_reminder>${wuTing}`]);
    expect(await messages(ids.reset)).toEqual([`ladder_reminder>${zhangWei}`]);
  });

  it('day 8: nothing new', async () => {
    await runAt(8);
    expect((await messages(ids.idle)).length).toBe(3);
    expect((await messages(ids.reset)).length).toBe(1);
  });

  it('day 9 (7 business days): released to the pool with history and the former owner told, once', async () => {
    await runAt(9);
    await runAt(9, 14);
    const c = (await app.deps.db.models.Customer.findByPk(ids.idle))!;
    expect(c.ownerId).toBeNull();
    expect(c.poolReason).toContain('7 个工作日未跟进');
    const moves = await app.deps.db.models.OwnerChange.findAll({ where: { customerId: ids.idle, kind: 'release' }, raw: true });
    expect(moves).toMatchObject([{ fromUserId: zhangWei, toUserId: null, actorId: null }]);
    expect((await messages(ids.idle)).slice(3)).toEqual([`ladder_release>${zhangWei}`]);
    // The reset customer (follow-up on Wednesday day 2) is at 5 business days now.
    expect(await messages(ids.reset)).toEqual([`ladder_reminder>${zhangWei}`, `ladder_reminder>${zhangWei}`, `ladder_reminder>${wuTing}`]);
    const firings = await app.deps.db.models.LadderFiring.count({ where: { customerId: ids.idle } });
    expect(firings).toBe(3);
  });

  it('a restart (a new service, cursors reset by an admin edit) fires nothing twice', async () => {
    const admin = await app.loginAs('王敏');
    const steps = (await admin.get('/api/v1/admin/ladder/steps')).body as { id: number; code: string; waitValue: number }[];
    const idle3 = steps.find((s) => s.code === 'idle-3')!;
    const res = await admin.agent.patch(`/api/v1/admin/ladder/steps/${idle3.id}`).set('X-Requested-With', 'XMLHttpRequest').send({ waitValue: 3, name: '3 个工作日未跟进:提醒' });
    expect(res.status).toBe(200);
    await app.deps.db.models.LadderStep.update({ scannedTo: null }, { where: {} });
    const before = await app.deps.db.models.BotMessage.count();
    const r = await ladderFromDeps(app.deps).run({ now: at(9, 16) });
    expect(r.fired).toBe(0);
    expect(await app.deps.db.models.BotMessage.count()).toBe(before);
    const audit = await app.deps.db.models.AuditLog.findOne({ where: { entityType: 'ladder_step', entityId: String(idle3.id) } });
    expect(audit).toMatchObject({ action: 'update', actorId: await app.userId('王敏') });
    const step = await app.deps.db.models.LadderStep.findByPk(idle3.id, { raw: true });
    for (const bad of [{ waitValue: 0 }, { waitValue: 2.5 }, {}, { actions: { remindOwner: 'yes' } }]) {
      const r = await admin.agent.patch(`/api/v1/admin/ladder/steps/${idle3.id}`).set('X-Requested-With', 'XMLHttpRequest').send(bad);
      expect(r.status, JSON.stringify(bad)).toBe(422);
    }
    expect(await app.deps.db.models.LadderStep.findByPk(idle3.id, { raw: true })).toEqual(step);
    expect((await admin.agent.patch('/api/v1/admin/ladder/steps/9999').set('X-Requested-With', 'XMLHttpRequest').send({ enabled: false })).status).toBe(404);
    zw = await app.loginAs('张伟');
    expect((await zw.agent.patch(`/api/v1/admin/ladder/steps/${idle3.id}`).set('X-Requested-With', 'XMLHttpRequest').send({ waitValue: 2 })).status).toBe(403);
  });
});
