// Who may see and do what with an application: an officer cannot approve, an approver cannot
// decide a node that is not theirs, out-of-scope applications are invisible (404 everywhere),
// drafts stay with their team, finance sees approved ones, only admins manage flows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { count, expectError, snapshotCounts } from '../helpers/fixtures';
import { applicationInput, approve, decide, readyCustomer, submitted } from '../helpers/applications';

let t: TestApp;
const as: Record<string, Client> = {};
let pendingId: number; // 张伟's, waiting at the team lead (吴婷)
let draftId: number; // 张伟's draft
let approvedId: number;

beforeAll(async () => {
  t = await createTestApp();
  for (const n of ['张伟', '刘洋', '何丹', '吴婷', '郑浩', '周强', '马超', '李娜', '陈刚', '孙丽', '王敏']) as[n] = await t.loginAs(n);
  pendingId = (await submitted(as['张伟'])).id;
  const c = await readyCustomer(as['张伟']);
  draftId = (await as['张伟'].post('/api/v1/applications', applicationInput(c.id))).body.id;
  approvedId = (await submitted(as['张伟'])).id;
  await approve(as['吴婷'], approvedId);
  await approve(as['李娜'], approvedId);
});
afterAll(() => t?.close());

const visible = async (who: string, id: number) => (await as[who].get(`/api/v1/applications/${id}`)).status;
const listed = async (who: string, id: number) => ((await as[who].get('/api/v1/applications?limit=100')).body.items as { id: number }[]).some((i) => i.id === id);

describe('visibility follows the data scope (outside scope is 404)', () => {
  it.each([
    ['张伟', 200, 'the applicant'],
    ['吴婷', 200, 'his team lead (and approver)'],
    ['周强', 200, 'the branch manager above the team'],
    ['李娜', 200, 'risk: every submitted application'],
    ['陈刚', 200, 'the director: every submitted application'],
    ['王敏', 200, 'the admin'],
    ['刘洋', 404, 'another officer of the same team'],
    ['何丹', 404, 'an officer of another team'],
    ['郑浩', 404, 'the lead of another team'],
    ['马超', 404, 'the manager of another branch'],
    ['孙丽', 404, 'finance, before approval'],
  ])('pending application: %s → %i (%s)', async (who, status) => {
    expect(await visible(who, pendingId)).toBe(status);
    expect(await listed(who, pendingId)).toBe(status === 200);
  });

  it.each([
    ['张伟', 200], ['吴婷', 200], ['王敏', 200], ['李娜', 404], ['陈刚', 404], ['何丹', 404],
  ])('draft: %s → %i (a draft is not submitted: risk and the director do not see it yet)', async (who, status) => {
    expect(await visible(who, draftId)).toBe(status);
  });

  it('finance sees approved applications (and was copied on them)', async () => {
    expect(await visible('孙丽', approvedId)).toBe(200);
    expect(await visible('孙丽', pendingId)).toBe(404);
  });

  it('every action on an invisible application is 404 and writes nothing', async () => {
    const before = await snapshotCounts(t);
    const tasks = await count(t, 'approval_tasks');
    const o = as['何丹'];
    expectError(await decide(o, pendingId, 'approve'), 404, 'NOT_FOUND');
    expectError(await o.post(`/api/v1/applications/${pendingId}/comments`, { content: '看看' }), 404, 'NOT_FOUND');
    expectError(await o.post(`/api/v1/applications/${pendingId}/withdraw`, {}), 404, 'NOT_FOUND');
    expectError(await o.post(`/api/v1/applications/${pendingId}/delegate`, { toUserId: await t.userId('林峰') }), 404, 'NOT_FOUND');
    expectError(await o.patch(`/api/v1/applications/${draftId}`, { amountFen: 1 }), 404, 'NOT_FOUND');
    expectError(await o.post(`/api/v1/applications/${draftId}/submit`, {}), 404, 'NOT_FOUND');
    expectError(await o.get(`/api/v1/applications/${pendingId}/documents/1`), 404, 'NOT_FOUND');
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await count(t, 'approval_tasks')).toBe(tasks);
  });

  it('an officer cannot open an application for a customer outside their book', async () => {
    const other = await readyCustomer(as['何丹']);
    expectError(await as['张伟'].post('/api/v1/applications', applicationInput(other.id)), 404, 'NOT_FOUND');
  });
});

describe('who may decide', () => {
  it('the officer (applicant) cannot approve their own application', async () => {
    const res = await decide(as['张伟'], pendingId, 'approve');
    expectError(res, 403, 'NOT_APPROVER');
    expect(res.body.error.message).toBe('你不是当前节点的审批人');
  });

  it('risk can see the application but the node is the team lead’s: 403, nothing written', async () => {
    const actions = await count(t, 'application_actions', 'application_id = ?', [pendingId]);
    expectError(await decide(as['李娜'], pendingId, 'approve'), 403, 'NOT_APPROVER');
    expectError(await decide(as['陈刚'], pendingId, 'reject', '不行'), 403, 'NOT_APPROVER');
    expectError(await decide(as['王敏'], pendingId, 'approve'), 403, 'NOT_APPROVER');
    expect(await count(t, 'application_actions', 'application_id = ?', [pendingId])).toBe(actions);
  });

  it('a task id of someone else’s task is refused even when the caller holds another', async () => {
    const s = await submitted(as['张伟']);
    await approve(as['吴婷'], s.id);
    const res = await as['李娜'].get(`/api/v1/applications/${s.id}`);
    const zhaoTask = res.body.tasks.find((x: { assigneeName: string; status: string }) => x.assigneeName === '赵磊' && x.status === 'pending');
    expectError(await as['李娜'].post(`/api/v1/applications/${s.id}/decide`, { action: 'approve', taskId: zhaoTask.id }), 403, 'NOT_APPROVER');
    expectError(await as['李娜'].post(`/api/v1/applications/${pendingId}/decide`, { action: 'approve', taskId: zhaoTask.id }), 404, 'NOT_FOUND');
  });

  it('the detail tells each person which buttons apply', async () => {
    const p = async (who: string) => (await as[who].get(`/api/v1/applications/${pendingId}`)).body.permissions;
    expect(await p('张伟')).toMatchObject({ decide: false, withdraw: true, edit: false, delegate: false });
    expect(await p('吴婷')).toMatchObject({ decide: true, withdraw: false, edit: false, delegate: true });
    expect(await p('李娜')).toMatchObject({ decide: false, withdraw: false, delegate: false });
    expect(await p('王敏')).toMatchObject({ decide: false, delegate: true });
  });

  it('only the applicant edits, submits and withdraws (others who can see it get 403)', async () => {
    expectError(await as['吴婷'].patch(`/api/v1/applications/${draftId}`, { amountFen: 1_000_000 }), 403, 'FORBIDDEN');
    expectError(await as['吴婷'].post(`/api/v1/applications/${draftId}/submit`, {}), 403, 'FORBIDDEN');
    expectError(await as['王敏'].post(`/api/v1/applications/${pendingId}/withdraw`, {}), 403, 'FORBIDDEN');
  });

  it('a pending application cannot be edited', async () => {
    expectError(await as['张伟'].patch(`/api/v1/applications/${pendingId}`, { amountFen: 1_000_000 }), 409, 'APPLICATION_NOT_EDITABLE');
  });

  it('roles without application.create cannot draft', async () => {
    const c = await readyCustomer(as['张伟']);
    expectError(await as['李娜'].post('/api/v1/applications', applicationInput(c.id)), 403, 'FORBIDDEN');
    expectError(await as['孙丽'].post('/api/v1/applications', applicationInput(c.id)), 403, 'FORBIDDEN');
  });

  it('an admin may hand anyone’s pending task on; an unrelated approver may not', async () => {
    const s = await submitted(as['张伟']);
    expectError(await as['李娜'].post(`/api/v1/applications/${s.id}/delegate`, { toUserId: await t.userId('赵磊') }), 403, 'NOT_APPROVER');
    const task = (await as['王敏'].get(`/api/v1/applications/${s.id}`)).body.tasks[0];
    const res = await as['王敏'].post(`/api/v1/applications/${s.id}/delegate`, { toUserId: await t.userId('周强'), taskId: task.id, comment: '吴婷休假' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.tasks.map((x: { assigneeName: string; status: string }) => `${x.assigneeName}:${x.status}`)).toEqual(['吴婷:delegated', '周强:pending']);
  });
});

describe('flows are for admins', () => {
  it.each(['张伟', '吴婷', '李娜', '陈刚'])('%s gets 403 on the flow admin API', async (who) => {
    expectError(await as[who].get('/api/v1/admin/flows'), 403, 'FORBIDDEN');
    expectError(await as[who].post('/api/v1/admin/flows', {}), 403, 'FORBIDDEN');
  });
});

describe('inboxes are personal', () => {
  it('待我审批 lists only my own pending tasks', async () => {
    const lead = await as['吴婷'].get('/api/v1/approvals?box=todo');
    expect(lead.body.items.some((i: { id: number }) => i.id === pendingId)).toBe(true);
    const other = await as['郑浩'].get('/api/v1/approvals?box=todo');
    expect(other.body.items.some((i: { id: number }) => i.id === pendingId)).toBe(false);
    expect((await as['郑浩'].get('/api/v1/approvals/counts')).body.todo).toBe(0);
    expectError(await as['郑浩'].get('/api/v1/approvals?box=all'), 422, 'VALIDATION_FAILED');
  });
});
