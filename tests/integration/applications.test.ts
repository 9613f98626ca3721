// Loan applications through the HTTP API on a real database: drafts, the default flow end to end
// (团队主管 → 风控 → (> 50万: 总监) → 抄送财务), rejection, return and resubmission, withdrawal,
// delegation, comments, the inboxes, idempotent decisions and flow version pinning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { count, createCustomer, customerRow, expectError, expectValidation, rows } from '../helpers/fixtures';
import { actionsOf, applicationInput, applicationRow, approve, BIG, decide, readyCustomer, SMALL, submitted, taskLine } from '../helpers/applications';

let t: TestApp;
let zhang: Client; // 信贷员, 杭州一部, supervisor 吴婷
let wu: Client; // 团队主管 杭州一部
let li: Client; // 风控 李娜
let zhao: Client; // 风控 赵磊
let chen: Client; // 总监
let sun: Client; // 财务
let admin: Client; // 王敏

beforeAll(async () => {
  t = await createTestApp();
  [zhang, wu, li, zhao, chen, sun, admin] = await Promise.all(['张伟', '吴婷', '李娜', '赵磊', '陈刚', '孙丽', '王敏'].map((n) => t.loginAs(n)));
});
afterAll(() => t?.close());

describe('the default flow', () => {
  it('is installed by the data migration, as the enabled default', async () => {
    const flows = await rows(t, 'SELECT name, is_default, enabled, current_version FROM approval_flows');
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ name: '贷款进件审批', current_version: 1 });
    expect(Boolean(flows[0].is_default) && Boolean(flows[0].enabled)).toBe(true);
    const res = await admin.get('/api/v1/admin/flows');
    expect(res.status).toBe(200);
    expect(res.body[0].summary).toBe('团队主管审批(直属上级) → 风控审批(风控专员) → 金额超过 50 万元?[总监审批(总监)] → 抄送财务(财务) → 结束');
  });
});

describe('drafts', () => {
  it('an officer drafts an application for a customer of theirs; nothing moves yet', async () => {
    const c = await createCustomer(zhang, { collateral: 'vehicle' });
    const res = await zhang.post('/api/v1/applications', applicationInput(c.id, { collateral: undefined }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'draft', statusName: '草稿', amountFen: SMALL, collateral: 'vehicle', collateralName: '车辆', round: 0 });
    expect(res.body.permissions).toMatchObject({ edit: true, submit: true, withdraw: false, decide: false });
    expect(res.body.timeline.map((e: { action: string }) => e.action)).toEqual(['create']);
    expect((await customerRow(t, c.id)).stage).toBe('lead');
    expect(await count(t, 'approval_tasks', 'application_id = ?', [res.body.id])).toBe(0);

    const edited = await zhang.patch(`/api/v1/applications/${res.body.id}`, { amountFen: 45_000_000, remarks: '客户补充了流水' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ amountFen: 45_000_000, remarks: '客户补充了流水' });
  });

  it('bad input is 422 in Chinese and writes nothing', async () => {
    const c = await createCustomer(zhang);
    const before = await count(t, 'applications');
    expectValidation(await zhang.post('/api/v1/applications', applicationInput(c.id, { amountFen: 0 })), 'amountFen');
    expectValidation(await zhang.post('/api/v1/applications', applicationInput(c.id, { amountFen: 12.5 })), 'amountFen');
    expectValidation(await zhang.post('/api/v1/applications', applicationInput(c.id, { product: '' })), 'product');
    expectValidation(await zhang.post('/api/v1/applications', applicationInput(c.id, { termMonths: 0 })), 'termMonths');
    expect(await count(t, 'applications')).toBe(before);
  });

  it('submitting needs the customer at 已尽调: 409 naming the stage, nothing changed', async () => {
    const c = await createCustomer(zhang);
    const draft = await zhang.post('/api/v1/applications', applicationInput(c.id));
    const res = await zhang.post(`/api/v1/applications/${draft.body.id}/submit`, {});
    expectError(res, 409, 'CUSTOMER_NOT_READY_FOR_APPLICATION');
    expect(res.body.error.message).toContain('线索');
    expect((await applicationRow(t, draft.body.id)).status).toBe('draft');
    expect(await count(t, 'approval_tasks', 'application_id = ?', [draft.body.id])).toBe(0);
    expect(await count(t, 'domain_events', "type = 'application.submitted' AND aggregate_id = ?", [String(draft.body.id)])).toBe(0);
  });
});

describe('a small application through the default flow', () => {
  let id: number;
  let customerId: number;

  it('submit: customer moves to 审批中, the team lead gets a task, events and a bot notice are written', async () => {
    const s = await submitted(zhang);
    id = s.id;
    customerId = s.customerId;
    expect(s.body).toMatchObject({ status: 'pending', round: 1, currentNodeName: '团队主管审批' });
    expect(s.body.customer.snapshot).toMatchObject({ name: '测试客户', city: '杭州', channelName: '抖音' });
    expect(s.body.customer.snapshot).not.toHaveProperty('phone');
    expect((await customerRow(t, customerId)).stage).toBe('under_approval');
    expect(await taskLine(t, id)).toEqual(['lead:吴婷:pending']);
    expect(await count(t, 'domain_events', "type = 'application.submitted' AND aggregate_id = ?", [String(id)])).toBe(1);
    expect(await count(t, 'domain_events', "type = 'approval.task_created' AND aggregate_id = ?", [String(id)])).toBe(1);
    const [card] = await rows(t, "SELECT m.payload, u.name FROM bot_messages m JOIN users u ON u.id = m.recipient_user_id WHERE m.kind = 'approval_task' AND m.ref_id = ?", [String(id)]);
    expect(card.name).toBe('吴婷');
    const payload = JSON.parse(String(card.payload));
    const [task] = await rows(t, 'SELECT id FROM approval_tasks WHERE application_id = ?', [id]);
    expect(payload.title).toBe('贷款审批 · 房抵贷 30万');
    expect(payload.url).toBe(`/approvals/${id}`);
    expect(payload.buttons.map((b: { key: string }) => b.key)).toEqual([`approval:${task.id}:approve`, `approval:${task.id}:reject`, `approval:${task.id}:view`]);
    expect(payload.fields[0]).toEqual({ label: '客户', value: '测***' });
  });

  it('the team lead sees it in 待我审批 with a count; the officer sees it in 我发起的', async () => {
    const counts = await wu.get('/api/v1/approvals/counts');
    expect(counts.body.todo).toBeGreaterThanOrEqual(1);
    const todo = await wu.get('/api/v1/approvals?box=todo');
    expect(todo.body.items.map((i: { id: number }) => i.id)).toContain(id);
    const item = todo.body.items.find((i: { id: number }) => i.id === id);
    expect(item).toMatchObject({ customerName: '测试客户', applicantName: '张伟', nodeName: '团队主管审批', taskStatus: 'pending', amountFen: SMALL });
    const mine = await zhang.get('/api/v1/approvals?box=mine');
    expect(mine.body.items.map((i: { id: number }) => i.id)).toContain(id);
  });

  it('lead approves → both risk officers get a task (或签); one approves → the other is closed; ≤ 50万 skips 总监; finance is copied; approved', async () => {
    const r1 = await approve(wu, id);
    expect(r1.decision).toMatchObject({ replayed: false, status: 'pending', nodeName: '团队主管审批' });
    expect(await taskLine(t, id)).toEqual(['lead:吴婷:approved', 'risk:李娜:pending', 'risk:赵磊:pending']);
    const r2 = await approve(li, id);
    expect(r2.decision.status).toBe('approved');
    expect(r2.decision.closedTaskIds).toHaveLength(1);
    expect(await taskLine(t, id)).toEqual(['lead:吴婷:approved', 'risk:李娜:approved', 'risk:赵磊:cancelled']);
    const app = await applicationRow(t, id);
    expect(app.status).toBe('approved');
    expect(app.decided_at).not.toBeNull();
    expect(await actionsOf(t, id)).toEqual(['create', 'submit', 'approve', 'approve', 'branch', 'cc', 'approved']);
    const [branch] = await rows(t, "SELECT data FROM application_actions WHERE application_id = ? AND action = 'branch'", [id]);
    expect(JSON.parse(String(branch.data))).toMatchObject({ matched: false, actual: SMALL, value: 50_000_000 });
    expect((await rows(t, 'SELECT u.name FROM approval_cc c JOIN users u ON u.id = c.user_id WHERE c.application_id = ?', [id])).map((r) => r.name)).toEqual(['孙丽']);
    expect(await count(t, 'domain_events', "type = 'application.decided' AND aggregate_id = ?", [String(id)])).toBe(1);
    // The customer stays 审批中 until signing (a later stage, not this issue).
    expect((await customerRow(t, customerId)).stage).toBe('under_approval');
  });

  it('the applicant was told of every decision; finance got the copy', async () => {
    const results = await rows(t, "SELECT payload FROM bot_messages WHERE kind = 'approval_result' AND ref_id = ? ORDER BY id", [String(id)]);
    expect(results.map((r) => JSON.parse(String(r.payload)).title)).toEqual(['同意 · 房抵贷 30万', '同意 · 房抵贷 30万']);
    expect(JSON.parse(String(results[1].payload)).text).toContain('已通过');
    expect(await count(t, 'bot_messages', "kind = 'approval_cc' AND ref_id = ?", [String(id)])).toBe(1);
    const cc = await sun.get('/api/v1/approvals?box=cc');
    expect(cc.body.items.map((i: { id: number }) => i.id)).toContain(id);
  });

  it('the detail shows the timeline with who, when, comment and how long each decision took', async () => {
    const res = await zhang.get(`/api/v1/applications/${id}`);
    expect(res.status).toBe(200);
    const tl = res.body.timeline as { action: string; actorName: string | null; nodeName: string | null; durationMs: number | null; at: string; data: Record<string, unknown> }[];
    expect(tl.map((e) => `${e.action}:${e.actorName ?? '系统'}`)).toEqual(['create:张伟', 'submit:张伟', 'approve:吴婷', 'approve:李娜', 'branch:系统', 'cc:系统', 'approved:系统']);
    const decisions = tl.filter((e) => e.action === 'approve');
    expect(decisions.every((e) => typeof e.durationMs === 'number' && e.durationMs >= 0)).toBe(true);
    expect(tl.find((e) => e.action === 'cc')!.data.userNames).toEqual(['孙丽']);
    expect(res.body.flow.steps.map((s: { name: string }) => s.name)).toEqual(['团队主管审批', '风控审批', '总监审批']);
    // Task rows carry created and decided times for reports (C13).
    const times = await rows(t, 'SELECT created_at, decided_at FROM approval_tasks WHERE application_id = ?', [id]);
    expect(times.every((r) => r.created_at && r.decided_at)).toBe(true);
  });
});

describe('conditions on the amount', () => {
  it('exactly 50万 does not need 总监; one fen more does', async () => {
    const exact = await submitted(zhang, { amountFen: 50_000_000 });
    await approve(wu, exact.id);
    await approve(zhao, exact.id);
    expect((await applicationRow(t, exact.id)).status).toBe('approved');

    const over = await submitted(zhang, { amountFen: 50_000_001 });
    await approve(wu, over.id);
    await approve(zhao, over.id);
    expect(await taskLine(t, over.id)).toEqual(['lead:吴婷:approved', 'risk:李娜:cancelled', 'risk:赵磊:approved', 'director:陈刚:pending']);
    await approve(chen, over.id);
    expect((await applicationRow(t, over.id)).status).toBe('approved');
  });
});

describe('reject, return and resubmit, withdraw', () => {
  it('reject needs a reason; with one the application is rejected and the customer goes back to 已尽调', async () => {
    const s = await submitted(zhang, { amountFen: BIG });
    await approve(wu, s.id);
    expectValidation(await decide(li, s.id, 'reject'), 'comment');
    expect(await taskLine(t, s.id)).toEqual(['lead:吴婷:approved', 'risk:李娜:pending', 'risk:赵磊:pending']);
    const res = await decide(li, s.id, 'reject', '负债率过高');
    expect(res.status).toBe(200);
    expect(res.body.application).toMatchObject({ status: 'rejected', statusName: '已驳回' });
    expect(await taskLine(t, s.id)).toEqual(['lead:吴婷:approved', 'risk:李娜:rejected', 'risk:赵磊:cancelled']);
    expect((await customerRow(t, s.customerId)).stage).toBe('due_diligence');
    const [notice] = await rows(t, "SELECT payload FROM bot_messages WHERE kind = 'approval_result' AND ref_id = ? ORDER BY id DESC LIMIT 1", [String(s.id)]);
    expect(JSON.parse(String(notice.payload)).text).toContain('负债率过高');
  });

  it('return sends it back to the officer, who edits and resubmits; the flow restarts at the first node (round 2)', async () => {
    const s = await submitted(zhang);
    await approve(wu, s.id);
    const ret = await decide(zhao, s.id, 'return', '请补充近 6 个月银行流水');
    expect(ret.status).toBe(200);
    expect(ret.body.application).toMatchObject({ status: 'returned', permissions: expect.objectContaining({}) });
    expect((await customerRow(t, s.customerId)).stage).toBe('due_diligence');
    const mine = await zhang.get(`/api/v1/applications/${s.id}`);
    expect(mine.body.permissions).toMatchObject({ edit: true, submit: true });
    await zhang.patch(`/api/v1/applications/${s.id}`, { amountFen: 60_000_000 }).expect(200);
    const again = await zhang.post(`/api/v1/applications/${s.id}/submit`, { comment: '已补充流水,金额调整为 60 万' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'pending', round: 2, currentNodeName: '团队主管审批' });
    expect((await customerRow(t, s.customerId)).stage).toBe('under_approval');
    await approve(wu, s.id);
    await approve(li, s.id);
    // 60万 now crosses the threshold: the condition is evaluated on the resubmitted facts.
    expect((await taskLine(t, s.id)).slice(-1)).toEqual(['director:陈刚:pending']);
    expect((await actionsOf(t, s.id)).filter((a) => a === 'resubmit')).toHaveLength(1);
  });

  it('the applicant withdraws while pending: tasks close, approvers are told, the customer goes back', async () => {
    const s = await submitted(zhang);
    expectError(await wu.post(`/api/v1/applications/${s.id}/withdraw`, {}), 403, 'FORBIDDEN');
    const res = await zhang.post(`/api/v1/applications/${s.id}/withdraw`, { reason: '客户暂不需要' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('withdrawn');
    expect(await taskLine(t, s.id)).toEqual(['lead:吴婷:cancelled']);
    expect((await customerRow(t, s.customerId)).stage).toBe('due_diligence');
    expect(await count(t, 'bot_messages', "kind = 'approval_withdrawn' AND ref_id = ?", [String(s.id)])).toBe(1);
    const late = await decide(wu, s.id, 'approve');
    expectError(late, 409, 'APPROVAL_TASK_CLOSED');
    expect(late.body.error.message).toBe('申请人已撤回该进件');
    expectError(await zhang.post(`/api/v1/applications/${s.id}/withdraw`, {}), 409, 'APPLICATION_STATE_CONFLICT');
  });

  it('a second pending application keeps the customer in 审批中 when the first one ends', async () => {
    const c = await readyCustomer(zhang);
    const a = await zhang.post('/api/v1/applications', applicationInput(c.id, { submit: true }));
    const b = await zhang.post('/api/v1/applications', applicationInput(c.id, { submit: true, product: '信用贷' }));
    expect(b.status).toBe(201);
    await zhang.post(`/api/v1/applications/${a.body.id}/withdraw`, {}).expect(200);
    expect((await customerRow(t, c.id)).stage).toBe('under_approval');
  });
});

describe('delegation and comments', () => {
  it('the lead hands the task to the branch manager, who decides; the trail records both', async () => {
    const s = await submitted(zhang);
    const zhouId = await t.userId('周强');
    const zhou = await t.loginAs('周强');
    expectError(await wu.post(`/api/v1/applications/${s.id}/delegate`, { toUserId: await t.userId('张伟') }), 422, 'INVALID_DELEGATE');
    const res = await wu.post(`/api/v1/applications/${s.id}/delegate`, { toUserId: zhouId, comment: '我休假,请周经理审批' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await taskLine(t, s.id)).toEqual(['lead:吴婷:delegated', 'lead:周强:pending']);
    expectError(await decide(wu, s.id, 'approve'), 409, 'APPROVAL_TASK_CLOSED');
    await approve(zhou, s.id);
    expect((await taskLine(t, s.id)).slice(0, 2)).toEqual(['lead:吴婷:delegated', 'lead:周强:approved']);
    const tl = (await zhang.get(`/api/v1/applications/${s.id}`)).body.timeline as { action: string; data: { toUserName?: string } }[];
    expect(tl.find((e) => e.action === 'delegate')!.data.toUserName).toBe('周强');
  });

  it('anyone who can see the application may comment, at any time', async () => {
    const s = await submitted(zhang);
    const res = await wu.post(`/api/v1/applications/${s.id}/comments`, { content: '客户资质不错,请风控关注流水' });
    expect(res.status).toBe(201);
    expect(res.body.timeline.at(-1)).toMatchObject({ action: 'comment', actorName: '吴婷', comment: '客户资质不错,请风控关注流水' });
    expectValidation(await wu.post(`/api/v1/applications/${s.id}/comments`, { content: '  ' }), 'content');
  });
});

describe('idempotent decisions', () => {
  it('a double tap is one decision: the repeat answers replayed, nothing new is written', async () => {
    const s = await submitted(zhang);
    const first = await approve(wu, s.id);
    const actions = await count(t, 'application_actions', 'application_id = ?', [s.id]);
    const tasks = await count(t, 'approval_tasks', 'application_id = ?', [s.id]);
    const again = await approve(wu, s.id);
    expect(first.decision.replayed).toBe(false);
    expect(again.decision).toMatchObject({ replayed: true, taskId: first.decision.taskId, action: 'approve' });
    expect(await count(t, 'application_actions', 'application_id = ?', [s.id])).toBe(actions);
    expect(await count(t, 'approval_tasks', 'application_id = ?', [s.id])).toBe(tasks);
    // The same person changing their mind after deciding is refused, not applied.
    expectError(await decide(wu, s.id, 'reject', '改主意'), 409, 'APPROVAL_ALREADY_DECIDED');
  });

  it('an Idempotency-Key makes a retried request the same decision; reusing it for another action is 409', async () => {
    const s = await submitted(zhang);
    const send = (action: string, comment?: string) => wu.agent.post(`/api/v1/applications/${s.id}/decide`).set('X-Requested-With', 'XMLHttpRequest').set('Idempotency-Key', `evt-${s.id}`).send({ action, comment });
    expect((await send('approve')).body.decision.replayed).toBe(false);
    expect((await send('approve')).body.decision.replayed).toBe(true);
    expect(await count(t, 'application_actions', "application_id = ? AND action = 'approve'", [s.id])).toBe(1);
    expectError(await send('reject', '不行'), 409, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('decide() by task id for a messenger user (the chat path) is the same service call', async () => {
    const s = await submitted(zhang);
    const [task] = await rows(t, "SELECT id FROM approval_tasks WHERE application_id = ? AND status = 'pending'", [s.id]);
    const mod = (await import('../../server/src/modules/applications/application.module')).createApplicationModule(t.deps, (await import('../../server/src/modules/customers/customer.service')).createCustomerService(t.deps));
    const r1 = await mod.applications.decideAsUser(await t.userId('吴婷'), { taskId: Number(task.id), action: 'approve', idempotencyKey: 'wecom:evt-1' });
    const r2 = await mod.applications.decideAsUser(await t.userId('吴婷'), { taskId: Number(task.id), action: 'approve', idempotencyKey: 'wecom:evt-1' });
    const r3 = await mod.applications.decideAsUser(await t.userId('吴婷'), { taskId: Number(task.id), action: 'approve', idempotencyKey: 'wecom:evt-2' });
    expect([r1.replayed, r2.replayed, r3.replayed]).toEqual([false, true, true]);
    expect(await count(t, 'application_actions', "application_id = ? AND action = 'approve'", [s.id])).toBe(1);
  });
});

describe('flow versions', () => {
  it('an edited flow is a new version; a pending application keeps the version it started with', async () => {
    const pendingApp = await submitted(zhang);
    const flow = (await admin.get('/api/v1/admin/flows')).body[0];
    const current = (await admin.get(`/api/v1/admin/flows/${flow.id}`)).body;
    // Drop the team lead step: new applications go straight to risk.
    const definition = { ...current.definition, nodes: current.definition.nodes.filter((n: { id: string }) => n.id !== 'lead') };
    const saved = await admin.agent.put(`/api/v1/admin/flows/${flow.id}`).set('X-Requested-With', 'XMLHttpRequest').send({ name: current.name, description: current.description, enabled: true, isDefault: true, definition });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.version).toBe(2);
    expect(saved.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(saved.body.versions[1].pendingApplications).toBeGreaterThanOrEqual(1);

    // The old application still waits for the team lead (version 1) …
    await approve(wu, pendingApp.id);
    expect((await taskLine(t, pendingApp.id))[0]).toBe('lead:吴婷:approved');
    // … a new one starts at risk (version 2).
    const fresh = await submitted(zhang);
    expect(await taskLine(t, fresh.id)).toEqual(['risk:李娜:pending', 'risk:赵磊:pending']);
    const versions = await rows(t, 'SELECT a.id, v.version FROM applications a JOIN approval_flow_versions v ON v.id = a.flow_version_id WHERE a.id IN (?, ?) ORDER BY a.id', [pendingApp.id, fresh.id]);
    expect(versions.map((v) => Number(v.version))).toEqual([1, 2]);

    // Saving without changing the nodes does not add a version; put the original back for the other tests.
    const same = await admin.agent.put(`/api/v1/admin/flows/${flow.id}`).set('X-Requested-With', 'XMLHttpRequest').send({ name: current.name, enabled: true, isDefault: true, definition });
    expect(same.body.version).toBe(2);
    const restored = await admin.agent.put(`/api/v1/admin/flows/${flow.id}`).set('X-Requested-With', 'XMLHttpRequest').send({ name: current.name, enabled: true, isDefault: true, definition: current.definition });
    expect(restored.body.version).toBe(3);
  });

  it('a broken definition is 422 with the reason in Chinese; the default flow cannot be switched off', async () => {
    const flow = (await admin.get('/api/v1/admin/flows')).body[0];
    const put = (body: object) => admin.agent.put(`/api/v1/admin/flows/${flow.id}`).set('X-Requested-With', 'XMLHttpRequest').send(body);
    const base = (await admin.get(`/api/v1/admin/flows/${flow.id}`)).body;
    const noApproval = { name: 'x', enabled: true, isDefault: true, definition: { nodes: [{ id: 'e', kind: 'end', name: '结束' }] } };
    expectValidation(await put(noApproval), 'definition.nodes');
    const dupIds = { name: 'x', enabled: true, isDefault: true, definition: { nodes: [base.definition.nodes[0], base.definition.nodes[0]] } };
    expectValidation(await put(dupIds));
    const badCondition = structuredClone(base.definition);
    badCondition.nodes[2].condition = { field: 'amountFen', op: 'in', value: ['1'] };
    expectValidation(await put({ name: 'x', enabled: true, isDefault: true, definition: badCondition }));
    const ghost = structuredClone(base.definition);
    ghost.nodes[0].approvers = { type: 'users', userIds: [999_999] };
    expectValidation(await put({ name: 'x', enabled: true, isDefault: true, definition: ghost }), 'definition');
    expectValidation(await put({ name: base.name, enabled: false, isDefault: true, definition: base.definition }), 'enabled');
    expectValidation(await put({ name: base.name, enabled: true, isDefault: false, definition: base.definition }), 'isDefault');
    expect((await admin.get(`/api/v1/admin/flows/${flow.id}`)).body.version).toBe(base.version);
  });
});
