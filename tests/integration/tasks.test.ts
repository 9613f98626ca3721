// The 待办 inbox (C9): follow-ups due, approvals waiting, ladder and manual tasks, grouped
// 逾期 / 今天 / 以后 in Shanghai time; a lead assigns within the team only; done and snooze.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, customerInput, type Client, type TestApp } from '../helpers/test-app';
import { submitted } from '../helpers/applications';

const NOW = Date.parse('2026-12-01T02:00:00Z'); // Tuesday 10:00 Asia/Shanghai

let app: TestApp;
let zw: Client;
let wt: Client;
const c = { overdue: 0, today: 0, later: 0, far: 0, other: 0 };

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  app = await createTestApp();
  zw = await app.loginAs('张伟');
  wt = await app.loginAs('吴婷');
  for (const k of ['overdue', 'today', 'later', 'far'] as const) {
    const res = await zw.post('/api/v1/customers', customerInput({ name: `待办${k}` }));
    expect(res.status).toBe(201);
    c[k] = res.body.id;
  }
  const hd = await app.loginAs('何丹');
  c.other = (await hd.post('/api/v1/customers', customerInput({ name: '别组客户' }))).body.id;
  const { Customer } = app.deps.db.models;
  const plan = { overdue: '2026-11-30', today: '2026-12-01', later: '2026-12-04', far: '2027-01-20' } as const;
  for (const k of Object.keys(plan) as (keyof typeof plan)[]) await Customer.update({ nextFollowUpDate: plan[k] }, { where: { id: c[k] } });
});

afterAll(async () => {
  await app?.close();
  vi.useRealTimers();
});

const keys = (items: { key: string }[]) => items.map((i) => i.key);

describe('tasks inbox', () => {
  it('groups follow-ups due by Shanghai date and leaves out those beyond a week', async () => {
    const res = await zw.get('/api/v1/tasks');
    expect(res.status).toBe(200);
    expect(keys(res.body.overdue)).toEqual([`follow_up:${c.overdue}`]);
    expect(keys(res.body.today)).toEqual([`follow_up:${c.today}`]);
    expect(keys(res.body.later)).toEqual([`follow_up:${c.later}`]);
    expect(res.body.today[0]).toMatchObject({ title: '跟进 待办today', url: `/customers/${c.today}`, customerName: '待办today' });
  });

  it('a lead assigns a task to a team member, who is told by the bot with a link to the customer', async () => {
    const res = await wt.post('/api/v1/tasks', { userId: await app.userId('张伟'), title: '补充收入证明', customerId: c.today, dueAt: '2026-12-01T08:00:00Z' });
    expect(res.status).toBe(201);
    const inbox = (await zw.get('/api/v1/tasks')).body;
    expect(keys(inbox.today)).toContain(`task:${res.body.id}`);
    const msg = await app.deps.db.models.BotMessage.findOne({ where: { kind: 'task_assigned' } });
    expect(msg!.recipientUserId).toBe(await app.userId('张伟'));
    expect(msg!.payload).toMatchObject({ url: `/customers/${c.today}` });
  });

  it('refuses assignees and customers out of scope, creating nothing', async () => {
    const before = await app.deps.db.models.Task.count();
    const outside = await wt.post('/api/v1/tasks', { userId: await app.userId('何丹'), title: '越权', dueAt: '2026-12-01T08:00:00Z' });
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('TASK_ASSIGNEE_OUT_OF_SCOPE');
    const peer = await zw.post('/api/v1/tasks', { userId: await app.userId('刘洋'), title: '同事', dueAt: '2026-12-01T08:00:00Z' });
    expect(peer.body.error.code).toBe('TASK_ASSIGNEE_OUT_OF_SCOPE');
    const foreign = await zw.post('/api/v1/tasks', { title: '别组客户', customerId: c.other, dueAt: '2026-12-01T08:00:00Z' });
    expect(foreign.status).toBe(404);
    const bad = await zw.post('/api/v1/tasks', { title: '', dueAt: 'tomorrow' });
    expect(bad.status).toBe(422);
    expect(await app.deps.db.models.Task.count()).toBe(before);
  });

  it('snooze moves a task to later, done removes it; only the assignee (or its author) may touch it', async () => {
    const own = await zw.post('/api/v1/tasks', { title: '打电话给客户', dueAt: '2026-12-01T01:00:00Z' });
    expect(own.status).toBe(201);
    const id = own.body.id as number;
    expect(keys((await zw.get('/api/v1/tasks')).body.overdue)).toContain(`task:${id}`);
    expect((await (await app.loginAs('刘洋')).post(`/api/v1/tasks/${id}/done`)).status).toBe(404);
    expect((await zw.post(`/api/v1/tasks/${id}/snooze`, { until: '2026-12-01T01:30:00Z' })).status).toBe(422); // in the past
    const snoozed = await zw.post(`/api/v1/tasks/${id}/snooze`, { until: '2026-12-02T01:00:00Z' });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.group).toBe('later');
    expect(keys((await zw.get('/api/v1/tasks')).body.later)).toContain(`task:${id}`);
    expect((await zw.post(`/api/v1/tasks/${id}/done`)).status).toBe(200);
    expect((await zw.post(`/api/v1/tasks/${id}/done`)).status).toBe(200); // again: no-op
    const inbox = (await zw.get('/api/v1/tasks')).body;
    expect([...inbox.overdue, ...inbox.today, ...inbox.later].map((i: { key: string }) => i.key)).not.toContain(`task:${id}`);
    expect((await zw.post(`/api/v1/tasks/${id}/snooze`, { until: '2026-12-03T01:00:00Z' })).body.error.code).toBe('TASK_NOT_SNOOZABLE');
  });

  it('a ladder task leaves the inbox once the customer is followed up (or no longer theirs)', async () => {
    const { Task } = app.deps.db.models;
    const zhangWei = await app.userId('张伟');
    const a = await Task.create({ userId: zhangWei, kind: 'ladder', title: '跟进 待办later(3 个工作日未跟进)', customerId: c.later, dueAt: new Date(NOW), sourceKey: 'test:a' });
    const b = await Task.create({ userId: zhangWei, kind: 'ladder', title: '跟进 待办far(3 个工作日未跟进)', customerId: c.far, dueAt: new Date(NOW), sourceKey: 'test:b' });
    const all = async () => { const i = (await zw.get('/api/v1/tasks')).body; return keys([...i.overdue, ...i.today, ...i.later]); };
    expect(await all()).toEqual(expect.arrayContaining([`task:${a.id}`, `task:${b.id}`]));
    vi.setSystemTime(NOW + 60_000);
    expect((await zw.post(`/api/v1/customers/${c.later}/follow-ups`, { type: 'call', content: '已联系' })).status).toBe(201);
    expect((await zw.post(`/api/v1/customers/${c.far}/release`, { reason: '客户无意向' })).status).toBe(200);
    const now = await all();
    expect(now).not.toContain(`task:${a.id}`);
    expect(now).not.toContain(`task:${b.id}`);
    vi.setSystemTime(NOW);
  });

  it('approvals waiting appear in the approver’s inbox, linked to the application', async () => {
    const app1 = await submitted(zw);
    const inbox = (await wt.get('/api/v1/tasks')).body;
    const all = [...inbox.overdue, ...inbox.today, ...inbox.later];
    const item = all.find((i: { source: string; url: string }) => i.source === 'approval' && i.url === `/approvals/${app1.id}`);
    expect(item).toBeTruthy();
    expect(item.customerId).toBe(app1.customerId);
  });
});
