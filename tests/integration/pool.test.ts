// Ownership (C6): release to the public pool (公海), claim from it (first claim wins, even
// concurrently), and reassignment by leads within the people they manage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { count, createCustomer, customerRow, expectError, ids, rows, snapshotCounts } from '../helpers/fixtures';

let t: TestApp;
const c: Record<string, Client> = {};
const uid: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const n of ['张伟', '刘洋', '黄静', '何丹', '林峰', '梁宇', '宋佳', '唐磊', '吴婷', '郑浩', '周强', '马超', '王敏', '李娜']) {
    c[n] = await t.loginAs(n);
    uid[n] = await t.userId(n);
  }
});
afterAll(async () => t?.close());

const lastOwnerChange = async (customerId: number) => (await rows(t, 'SELECT * FROM customer_owner_changes WHERE customer_id = ? ORDER BY id DESC LIMIT 1', [customerId]))[0];
const deptOf = async (name: string) => Number((await rows(t, 'SELECT department_id FROM users WHERE id = ?', [uid[name]]))[0].department_id);

describe('release and claim', () => {
  it('release puts the customer in the pool with the reason and an owner-history row', async () => {
    const x = await createCustomer(c['张伟'], { name: '退回客户' });
    const before = await snapshotCounts(t);
    const res = await c['张伟'].post(`/api/v1/customers/${x.id}/release`, { reason: '  客户暂无资金需求 ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ inPool: true, ownerId: null, ownerName: null, departmentId: null, poolReason: '客户暂无资金需求' });
    const row = await customerRow(t, x.id);
    expect([row.owner_id, row.department_id, row.pool_reason]).toEqual([null, null, '客户暂无资金需求']);
    expect(row.pooled_at).not.toBeNull();
    expect(await lastOwnerChange(x.id)).toMatchObject({ kind: 'release', to_user_id: null, reason: '客户暂无资金需求' });
    expect(Number((await lastOwnerChange(x.id)).from_user_id)).toBe(uid['张伟']);
    expect(await snapshotCounts(t)).toEqual({ ...before, customer_owner_changes: before.customer_owner_changes + 1, audit_logs: before.audit_logs + 1, domain_events: before.domain_events + 1 });
    const [audit] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'owner_release' AND entity_id = ?", [String(x.id)]);
    expect(JSON.parse(String(audit.before_data))).toEqual({ ownerId: uid['张伟'] });
    // Gone from the book, visible in the pool to everyone who may look at it.
    expect(ids(await c['张伟'].get('/api/v1/customers'))).not.toContain(x.id);
    for (const who of ['刘洋', '梁宇', '吴婷', '王敏']) expect(ids(await c[who].get('/api/v1/pool'))).toContain(x.id);
    // The former owner cannot act on it any more.
    expectError(await c['张伟'].post(`/api/v1/customers/${x.id}/release`, { reason: '再退一次' }), 404, 'NOT_FOUND');
    expectError(await c['张伟'].post(`/api/v1/customers/${x.id}/stage`, { to: 'intent' }), 404, 'NOT_FOUND');
  });

  it('another officer claims it; a second claim is 409 CUSTOMER_NOT_IN_POOL', async () => {
    const x = await createCustomer(c['张伟'], { name: '领取客户' });
    await c['张伟'].post(`/api/v1/customers/${x.id}/release`, { reason: '无需求' });
    const res = await c['梁宇'].post(`/api/v1/customers/${x.id}/claim`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ inPool: false, ownerId: uid['梁宇'], ownerName: '梁宇', departmentName: '苏州一部', poolReason: null, pooledAt: null });
    const row = await customerRow(t, x.id);
    expect(Number(row.owner_id)).toBe(uid['梁宇']);
    expect(Number(row.department_id)).toBe(await deptOf('梁宇'));
    expect([row.pooled_at, row.pool_reason]).toEqual([null, null]);
    const change = await lastOwnerChange(x.id);
    expect(change).toMatchObject({ kind: 'claim', from_user_id: null });
    expect([Number(change.to_user_id), Number(change.actor_id)]).toEqual([uid['梁宇'], uid['梁宇']]);
    expect(ids(await c['梁宇'].get('/api/v1/customers'))).toContain(x.id);
    expect(ids(await c['梁宇'].get('/api/v1/pool'))).not.toContain(x.id);
    // Now in 苏州's book: 张伟 and his lead no longer see it.
    expectError(await c['张伟'].get(`/api/v1/customers/${x.id}`), 404, 'NOT_FOUND');
    expectError(await c['吴婷'].get(`/api/v1/customers/${x.id}`), 404, 'NOT_FOUND');

    const before = await snapshotCounts(t);
    expectError(await c['何丹'].post(`/api/v1/customers/${x.id}/claim`, {}), 409, 'CUSTOMER_NOT_IN_POOL');
    expectError(await c['梁宇'].post(`/api/v1/customers/${x.id}/claim`, {}), 409, 'CUSTOMER_NOT_IN_POOL');
    expectError(await c['何丹'].post('/api/v1/customers/999999/claim', {}), 404, 'NOT_FOUND');
    expect(await snapshotCounts(t)).toEqual(before);
    expect(Number((await customerRow(t, x.id)).owner_id)).toBe(uid['梁宇']);
    const hist = await c['梁宇'].get(`/api/v1/customers/${x.id}/history`);
    expect(hist.body.owners.map((o: { kind: string; fromUserName: string | null; toUserName: string | null }) => [o.kind, o.fromUserName, o.toUserName])).toEqual([
      ['claim', null, '梁宇'], ['release', '张伟', null], ['create', null, '张伟'],
    ]);
  });

  it('concurrent claims by several officers: exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const x = await createCustomer(c['张伟'], { name: `抢单${round}` });
      await c['张伟'].post(`/api/v1/customers/${x.id}/release`, { reason: '无需求' });
      const racers = ['刘洋', '何丹', '梁宇', '宋佳', '唐磊'];
      const results = await Promise.all(racers.map((n) => c[n].post(`/api/v1/customers/${x.id}/claim`, {})));
      const winners = results.flatMap((r, i) => (r.status === 200 ? [racers[i]] : []));
      expect(winners).toHaveLength(1);
      for (const r of results.filter((r) => r.status !== 200)) expectError(r, 409, 'CUSTOMER_NOT_IN_POOL');
      expect(Number((await customerRow(t, x.id)).owner_id)).toBe(uid[winners[0]]);
      expect(await count(t, 'customer_owner_changes', "customer_id = ? AND kind = 'claim'", [x.id])).toBe(1);
      expect(await count(t, 'audit_logs', "entity_id = ? AND action = 'owner_claim'", [String(x.id)])).toBe(1);
    }
  });

  it('a pool customer cannot be followed up until claimed', async () => {
    const x = await createCustomer(c['张伟']);
    await c['张伟'].post(`/api/v1/customers/${x.id}/release`, { reason: '无需求' });
    const before = await snapshotCounts(t);
    for (const who of ['张伟', '刘洋', '王敏']) {
      expectError(await c[who].post(`/api/v1/customers/${x.id}/follow-ups`, { type: 'call', content: '打个电话' }), 409, 'CUSTOMER_IN_POOL');
    }
    expect(await snapshotCounts(t)).toEqual(before);
    expect((await c['刘洋'].post(`/api/v1/customers/${x.id}/claim`, {})).status).toBe(200);
    expect((await c['刘洋'].post(`/api/v1/customers/${x.id}/follow-ups`, { type: 'call', content: '打个电话' })).status).toBe(201);
  });

  it('the pool filters by channel and name and pages by cursor', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) {
      const x = await createCustomer(c['何丹'], { name: `公海筛选${i}`, channel: i % 2 ? 'baidu' : 'street' });
      await c['何丹'].post(`/api/v1/customers/${x.id}/release`, { reason: '无需求' });
      made.push(x.id);
    }
    const street = await c['梁宇'].get('/api/v1/pool?channel=street&q=公海筛选');
    expect(ids(street)).toEqual([made[4], made[2], made[0]]);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: number }[]; nextCursor: string | null } } = await c['梁宇'].get(`/api/v1/pool?q=公海筛选&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((x) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
  });
});

describe('reassignment', () => {
  it('a team lead reassigns within the team; history and audit name the lead', async () => {
    const x = await createCustomer(c['张伟'], { name: '转交客户' });
    const res = await c['吴婷'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid['刘洋'], reason: '张伟休假' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ownerId: uid['刘洋'], ownerName: '刘洋', departmentName: '杭州一部' });
    const change = await lastOwnerChange(x.id);
    expect(change).toMatchObject({ kind: 'assign', reason: '张伟休假' });
    expect([Number(change.from_user_id), Number(change.to_user_id), Number(change.actor_id)]).toEqual([uid['张伟'], uid['刘洋'], uid['吴婷']]);
    expect(await count(t, 'audit_logs', "action = 'owner_assign' AND entity_id = ? AND actor_id = ?", [String(x.id), uid['吴婷']])).toBe(1);
    expect(ids(await c['刘洋'].get('/api/v1/customers'))).toContain(x.id);
    expectError(await c['张伟'].get(`/api/v1/customers/${x.id}`), 404, 'NOT_FOUND');
    // Assigning to the current owner is a no-op: no history.
    const n = await count(t, 'customer_owner_changes', 'customer_id = ?', [x.id]);
    expect((await c['吴婷'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid['刘洋'] })).status).toBe(200);
    expect(await count(t, 'customer_owner_changes', 'customer_id = ?', [x.id])).toBe(n);
  });

  it('a team lead cannot assign to another team, a non-officer role, or a stranger\'s customer', async () => {
    const x = await createCustomer(c['张伟']);
    const other = await createCustomer(c['何丹']);
    const rowBefore = await customerRow(t, x.id);
    const before = await snapshotCounts(t);
    for (const target of ['何丹', '梁宇', '李娜', '王敏']) {
      expectError(await c['吴婷'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid[target] }), 422, 'INVALID_ASSIGNEE');
    }
    expectError(await c['吴婷'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: 999999 }), 422, 'INVALID_ASSIGNEE');
    expectError(await c['吴婷'].post(`/api/v1/customers/${other.id}/assign`, { ownerId: uid['刘洋'] }), 404, 'NOT_FOUND');
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await customerRow(t, x.id)).toEqual(rowBefore);
    expect(Number((await customerRow(t, other.id)).owner_id)).toBe(uid['何丹']);
  });

  it('an officer may not assign at all', async () => {
    const x = await createCustomer(c['张伟']);
    const before = await snapshotCounts(t);
    expectError(await c['张伟'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid['刘洋'] }), 403, 'FORBIDDEN');
    expect(await snapshotCounts(t)).toEqual(before);
    expect((await c['张伟'].get('/api/v1/users/assignable')).body).toEqual([]);
    expect((await c['张伟'].get(`/api/v1/customers/${x.id}`)).body.permissions).toMatchObject({ assign: false, release: true, edit: true });
  });

  it('a branch manager assigns across the branch\'s teams, not into another branch', async () => {
    const x = await createCustomer(c['张伟']);
    expect((await c['周强'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid['林峰'] })).status).toBe(200);
    expect(Number((await customerRow(t, x.id)).department_id)).toBe(await deptOf('林峰'));
    expectError(await c['周强'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid['梁宇'] }), 422, 'INVALID_ASSIGNEE');
    expectError(await c['马超'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid['梁宇'] }), 404, 'NOT_FOUND');
  });

  it('a team lead hands a pool customer to a team member', async () => {
    const x = await createCustomer(c['梁宇']);
    await c['梁宇'].post(`/api/v1/customers/${x.id}/release`, { reason: '无需求' });
    const res = await c['吴婷'].post(`/api/v1/customers/${x.id}/assign`, { ownerId: uid['黄静'] });
    expect(res.status).toBe(200);
    const row = await customerRow(t, x.id);
    expect([Number(row.owner_id), row.pooled_at, row.pool_reason]).toEqual([uid['黄静'], null, null]);
    expect(await lastOwnerChange(x.id)).toMatchObject({ kind: 'assign', from_user_id: null });
  });

  it('lists assignable people: the lead\'s team; the admin everyone who may own customers', async () => {
    const team = (await c['吴婷'].get('/api/v1/users/assignable')).body.map((u: { name: string }) => u.name);
    expect(team.sort()).toEqual(['刘洋', '吴婷', '张伟', '黄静'].sort());
    const all = (await c['王敏'].get('/api/v1/users/assignable')).body.map((u: { name: string }) => u.name);
    expect(all).toHaveLength(13);
    expect(all).not.toContain('李娜');
  });
});
