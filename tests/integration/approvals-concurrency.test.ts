// Simultaneous decisions on one application yield one outcome. 20 approvers of an any-of (或签)
// node approve at the same instant: exactly one decision is recorded, the other 19 get 409
// APPROVAL_TASK_CLOSED naming who handled it. 20 approvers of an all-of (会签) node: all 20
// decisions land and the application is approved exactly once. One approver tapping 10 times at
// once: one decision, 9 replays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { count, rows } from '../helpers/fixtures';
import { applicationRow, submitted } from '../helpers/applications';

let t: TestApp;
let admin: Client;
let zhang: Client;
const approvers: { id: number; client: Client }[] = [];

async function useFlow(mode: 'any' | 'all') {
  const [flow] = (await admin.get('/api/v1/admin/flows')).body;
  const definition = {
    resubmitFrom: 'start',
    nodes: [
      { id: 'panel', kind: 'approval', name: '评审小组', mode, onEmpty: 'admin', approvers: { type: 'users', userIds: approvers.map((a) => a.id) } },
      { id: 'end', kind: 'end', name: '结束' },
    ],
  };
  const res = await admin.agent.put(`/api/v1/admin/flows/${flow.id}`).set('X-Requested-With', 'XMLHttpRequest').send({ name: flow.name, enabled: true, isDefault: true, definition });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.loginAs('王敏');
  zhang = await t.loginAs('张伟');
  const hq = await t.deps.db.models.Department.findOne({ where: { kind: 'head_office' } });
  for (let i = 1; i <= 20; i++) {
    const u = await t.deps.db.models.User.create({ name: `评审${String(i).padStart(2, '0')}`, role: 'risk', departmentId: hq!.id, supervisorId: null, title: '评审员' });
    approvers.push({ id: u.id, client: await t.loginAs(u.name) });
  }
});
afterAll(() => t?.close());

describe('20 parallel approvals', () => {
  it('any-of node: exactly one decision, the rest 409 APPROVAL_TASK_CLOSED', async () => {
    await useFlow('any');
    const s = await submitted(zhang);
    expect(await count(t, 'approval_tasks', "application_id = ? AND status = 'pending'", [s.id])).toBe(20);

    const results = await Promise.all(approvers.map((a) => a.client.post(`/api/v1/applications/${s.id}/decide`, { action: 'approve' })));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(19);
    const winner = ok[0].body.decision;
    expect(winner).toMatchObject({ replayed: false, status: 'approved' });
    expect(winner.closedTaskIds).toHaveLength(19);
    for (const r of refused) {
      expect(r.body.error.code).toBe('APPROVAL_TASK_CLOSED');
      expect(r.body.error.message).toBe(`该审批已由 ${winner.deciderName} 处理`);
    }

    const statuses = await rows(t, 'SELECT status, COUNT(*) AS n FROM approval_tasks WHERE application_id = ? GROUP BY status ORDER BY status', [s.id]);
    expect(statuses.map((r) => `${r.status}:${Number(r.n)}`)).toEqual(['approved:1', 'cancelled:19']);
    expect(await count(t, 'application_actions', "application_id = ? AND action = 'approve'", [s.id])).toBe(1);
    expect(await count(t, 'application_actions', "application_id = ? AND action = 'approved'", [s.id])).toBe(1);
    expect(await count(t, 'domain_events', "type = 'application.decided' AND aggregate_id = ?", [String(s.id)])).toBe(1);
    expect(await count(t, 'bot_messages', "kind = 'approval_result' AND ref_id = ?", [String(s.id)])).toBe(1);
    expect((await applicationRow(t, s.id)).status).toBe('approved');
  });

  it('all-of node: every decision lands, the application is approved exactly once', async () => {
    await useFlow('all');
    const s = await submitted(zhang);
    const results = await Promise.all(approvers.map((a) => a.client.post(`/api/v1/applications/${s.id}/decide`, { action: 'approve' })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    // Exactly one of them saw the node complete.
    expect(results.filter((r) => r.body.decision.status === 'approved')).toHaveLength(1);
    expect(await count(t, 'approval_tasks', "application_id = ? AND status = 'approved'", [s.id])).toBe(20);
    expect(await count(t, 'application_actions', "application_id = ? AND action = 'approved'", [s.id])).toBe(1);
    expect(await count(t, 'domain_events', "type = 'application.decided' AND aggregate_id = ?", [String(s.id)])).toBe(1);
  });

  it('one approver tapping 10 times at once: one decision, 9 replays', async () => {
    await useFlow('any');
    const s = await submitted(zhang);
    const me = approvers[3].client;
    const results = await Promise.all(Array.from({ length: 10 }, () => me.post(`/api/v1/applications/${s.id}/decide`, { action: 'approve' })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.body.decision.replayed === false)).toHaveLength(1);
    expect(await count(t, 'application_actions', "application_id = ? AND action = 'approve'", [s.id])).toBe(1);
    expect((await applicationRow(t, s.id)).status).toBe('approved');
  });

  it('approve and reject racing on an any-of node: one wins, the other is refused', async () => {
    await useFlow('any');
    const s = await submitted(zhang);
    const [a, b] = await Promise.all([
      approvers[0].client.post(`/api/v1/applications/${s.id}/decide`, { action: 'approve' }),
      approvers[1].client.post(`/api/v1/applications/${s.id}/decide`, { action: 'reject', comment: '流水不足' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const status = String((await applicationRow(t, s.id)).status);
    expect(status).toBe(a.status === 200 ? 'approved' : 'rejected');
    expect(await count(t, 'application_actions', "application_id = ? AND action IN ('approve', 'reject')", [s.id])).toBe(1);
  });
});
