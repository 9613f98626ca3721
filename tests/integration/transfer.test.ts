// 离职继承 (C6): an admin moves every customer of a departing employee to another in one
// action, with history per customer, and optionally disables the leaver at once.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { advanceTo, count, createCustomer, customerRow, expectError, ids, rows, snapshotCounts, type CreatedCustomer } from '../helpers/fixtures';

let t: TestApp;
let admin: Client, liu: Client, zhang: Client;
const uid: Record<string, number> = {};
let book: CreatedCustomer[] = [];
let pooled: CreatedCustomer;
let zhangs: CreatedCustomer;

beforeAll(async () => {
  t = await createTestApp();
  for (const n of ['刘洋', '黄静', '张伟', '梁宇', '李娜', '王敏', '吴婷']) uid[n] = await t.userId(n);
  admin = await t.loginAs('王敏');
  liu = await t.loginAs('刘洋');
  zhang = await t.loginAs('张伟');
  book = [];
  for (let i = 0; i < 5; i++) book.push(await createCustomer(liu, { name: `刘洋客户${i}` }));
  await advanceTo(liu, book[1].id, ['intent', 'due_diligence']);
  expect((await liu.post(`/api/v1/customers/${book[2].id}/follow-ups`, { type: 'visit', content: '上门拜访' })).status).toBe(201);
  pooled = await createCustomer(liu, { name: '刘洋退回的' });
  await liu.post(`/api/v1/customers/${pooled.id}/release`, { reason: '无需求' });
  zhangs = await createCustomer(zhang, { name: '张伟客户' });
});
afterAll(async () => t?.close());

describe('refusals', () => {
  it('only an admin may transfer; nothing is written otherwise', async () => {
    const clients = await Promise.all(['吴婷', '周强', '陈刚', '刘洋'].map((n) => t.loginAs(n)));
    const before = await snapshotCounts(t); // after the sign-ins, which are audited
    for (const x of clients) {
      expectError(await x.post(`/api/v1/users/${uid['刘洋']}/transfer-customers`, { toUserId: uid['黄静'], disableUser: true }), 403, 'FORBIDDEN');
      expectError(await x.get('/api/v1/users'), 403, 'FORBIDDEN');
    }
    expect(await snapshotCounts(t)).toEqual(before);
    expect((await rows(t, 'SELECT status FROM users WHERE id = ?', [uid['刘洋']]))[0].status).toBe('active');
  });

  it('an invalid receiver or leaver is refused and nothing moves', async () => {
    const before = await snapshotCounts(t);
    const url = `/api/v1/users/${uid['刘洋']}/transfer-customers`;
    expectError(await admin.post(url, { toUserId: uid['刘洋'] }), 422, 'INVALID_ASSIGNEE');
    expectError(await admin.post(url, { toUserId: uid['李娜'] }), 422, 'INVALID_ASSIGNEE');
    expectError(await admin.post(url, { toUserId: uid['王敏'] }), 422, 'INVALID_ASSIGNEE');
    expectError(await admin.post(url, { toUserId: 999999 }), 422, 'INVALID_ASSIGNEE');
    expectError(await admin.post('/api/v1/users/999999/transfer-customers', { toUserId: uid['黄静'] }), 404, 'NOT_FOUND');
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await count(t, 'customers', 'owner_id = ?', [uid['刘洋']])).toBe(5);
  });
});

describe('a departing officer', () => {
  it('hands the whole book over with history, audit and the leaver disabled', async () => {
    const stagesBefore = await rows(t, 'SELECT id, stage FROM customers WHERE owner_id = ? ORDER BY id', [uid['刘洋']]);
    const before = await snapshotCounts(t);
    const res = await admin.post(`/api/v1/users/${uid['刘洋']}/transfer-customers`, { toUserId: uid['黄静'], disableUser: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ transferred: 5, fromUserId: uid['刘洋'], toUserId: uid['黄静'], disabled: true });

    expect(await count(t, 'customers', 'owner_id = ?', [uid['刘洋']])).toBe(0);
    const moved = await rows(t, 'SELECT id, stage, owner_id FROM customers WHERE id IN (?) ORDER BY id', [book.map((b) => b.id)]);
    expect(moved.map((m) => [Number(m.id), m.stage, Number(m.owner_id)])).toEqual(stagesBefore.map((s) => [Number(s.id), s.stage, uid['黄静']]));
    // Untouched: the pool customer the leaver had released, and other officers' customers.
    expect((await customerRow(t, pooled.id)).owner_id).toBeNull();
    expect(Number((await customerRow(t, zhangs.id)).owner_id)).toBe(uid['张伟']);

    const changes = await rows(t, "SELECT * FROM customer_owner_changes WHERE kind = 'transfer' ORDER BY customer_id");
    expect(changes.map((c) => [Number(c.customer_id), Number(c.from_user_id), Number(c.to_user_id), Number(c.actor_id), c.reason])).toEqual(
      book.map((b) => [b.id, uid['刘洋'], uid['黄静'], uid['王敏'], '刘洋 离职,客户移交给 黄静']),
    );
    expect(await count(t, 'audit_logs', "action = 'owner_transfer' AND actor_id = ?", [uid['王敏']])).toBe(5);
    const [disable] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'disable' AND entity_type = 'user'");
    expect([disable.entity_id, JSON.parse(String(disable.before_data)), JSON.parse(String(disable.after_data))]).toEqual([String(uid['刘洋']), { status: 'active' }, { status: 'disabled' }]);
    const [event] = await rows(t, "SELECT * FROM domain_events WHERE type = 'staff.book_transferred'");
    expect(JSON.parse(String(event.payload))).toEqual({ fromUserId: uid['刘洋'], toUserId: uid['黄静'], count: 5 });
    expect(await snapshotCounts(t)).toEqual({ ...before, customer_owner_changes: before.customer_owner_changes + 5, audit_logs: before.audit_logs + 6, domain_events: before.domain_events + 1 });
    expect((await rows(t, 'SELECT status FROM users WHERE id = ?', [uid['刘洋']]))[0].status).toBe('disabled');

    // The receiver has them, follow-ups and history included.
    const huang = await t.loginAs('黄静');
    expect(ids(await huang.get('/api/v1/customers?limit=100')).sort()).toEqual(book.map((b) => b.id).sort());
    expect((await huang.get(`/api/v1/customers/${book[2].id}/follow-ups`)).body.items.map((f: { content: string; userName: string }) => [f.content, f.userName])).toEqual([['上门拜访', '刘洋']]);
    const hist = await huang.get(`/api/v1/customers/${book[0].id}/history`);
    expect(hist.body.owners[0]).toMatchObject({ kind: 'transfer', fromUserName: '刘洋', toUserName: '黄静', actorName: '王敏' });
  });

  it('the leaver\'s open session stops working and they cannot sign in again', async () => {
    expectError(await liu.get('/api/v1/me'), 401, 'UNAUTHENTICATED');
    expectError(await liu.get('/api/v1/customers'), 401, 'UNAUTHENTICATED');
    expectError(await liu.post('/api/v1/customers', { name: 'x', phone: '13900001111', channel: 'douyin' }), 401, 'UNAUTHENTICATED');
    const again = await t.anonymous().post('/api/v1/auth/dev-login', { userId: uid['刘洋'] });
    expectError(again, 403, 'USER_DISABLED');
    expect(again.body.error.message).toBe('账号已停用,请联系管理员');
    expect(again.headers['set-cookie']).toBeUndefined();
    const devUsers = (await t.anonymous().get('/api/v1/auth/dev-users')).body.map((u: { name: string }) => u.name);
    expect(devUsers).not.toContain('刘洋');
    // Nobody can hand customers to them any more.
    expectError(await admin.post(`/api/v1/users/${uid['张伟']}/transfer-customers`, { toUserId: uid['刘洋'] }), 422, 'INVALID_ASSIGNEE');
    expect((await (await t.loginAs('吴婷')).get('/api/v1/users/assignable')).body.map((u: { name: string }) => u.name)).not.toContain('刘洋');
    const staff = (await admin.get('/api/v1/users')).body;
    expect(staff.find((u: { name: string }) => u.name === '刘洋')).toMatchObject({ status: 'disabled', customerCount: 0 });
    expect(staff.find((u: { name: string }) => u.name === '黄静')).toMatchObject({ status: 'active', customerCount: 5 });
  });

  it('a transfer across branches moves the customers into the receiver\'s department', async () => {
    const res = await admin.post(`/api/v1/users/${uid['黄静']}/transfer-customers`, { toUserId: uid['梁宇'], reason: '调岗' });
    expect(res.body).toEqual({ transferred: 5, fromUserId: uid['黄静'], toUserId: uid['梁宇'], disabled: false });
    expect((await rows(t, 'SELECT status FROM users WHERE id = ?', [uid['黄静']]))[0].status).toBe('active');
    const [dept] = await rows(t, 'SELECT department_id FROM users WHERE id = ?', [uid['梁宇']]);
    expect(await count(t, 'customers', 'owner_id = ? AND department_id = ?', [uid['梁宇'], dept.department_id])).toBe(5);
    expect(await count(t, "customer_owner_changes", "kind = 'transfer' AND reason = '调岗'")).toBe(5);
    // 杭州一部's lead loses sight of them; 苏州一部's lead gains it.
    expect(ids(await (await t.loginAs('吴婷')).get('/api/v1/customers?limit=100'))).not.toContain(book[0].id);
    expect(ids(await (await t.loginAs('罗琳')).get('/api/v1/customers?limit=100'))).toContain(book[0].id);
  });

  it('an employee with no customers transfers nothing and writes no history', async () => {
    const before = await count(t, 'customer_owner_changes');
    const res = await admin.post(`/api/v1/users/${uid['黄静']}/transfer-customers`, { toUserId: uid['张伟'] });
    expect(res.body.transferred).toBe(0);
    expect(await count(t, 'customer_owner_changes')).toBe(before);
  });

  it('a large book moves completely, in chunks, with one history row per customer', async () => {
    const N = 1203;
    const dept = Number((await rows(t, 'SELECT department_id FROM users WHERE id = ?', [uid['张伟']]))[0].department_id);
    const now = new Date();
    await t.deps.db.models.Customer.bulkCreate(Array.from({ length: N }, (_, i) => ({
      name: `批量${i}`, phoneEnc: 'v1:x', phoneHash: crypto.createHash('sha256').update(`bulk${i}`).digest('hex'), phoneLast4: '0000',
      channel: 'douyin', stage: 'lead' as const, ownerId: uid['张伟'], departmentId: dept, assignedAt: now, stageChangedAt: now,
    })));
    const before = await count(t, 'customer_owner_changes', "kind = 'transfer'");
    const res = await admin.post(`/api/v1/users/${uid['张伟']}/transfer-customers`, { toUserId: uid['吴婷'] });
    expect(res.body.transferred).toBe(N + 1);
    expect(await count(t, 'customers', 'owner_id = ?', [uid['张伟']])).toBe(0);
    expect(await count(t, 'customers', 'owner_id = ?', [uid['吴婷']])).toBe(N + 1);
    expect(await count(t, 'customer_owner_changes', "kind = 'transfer'")).toBe(before + N + 1);
    expect(await count(t, 'audit_logs', "action = 'owner_transfer' AND before_data LIKE ?", [`%${uid['张伟']}%`])).toBe(N + 1);
    const [dupes] = await rows(t, "SELECT COUNT(*) AS n FROM (SELECT customer_id FROM customer_owner_changes WHERE kind = 'transfer' AND from_user_id = ? GROUP BY customer_id HAVING COUNT(*) > 1) d", [uid['张伟']]);
    expect(Number(dupes.n)).toBe(0);
  });
});
