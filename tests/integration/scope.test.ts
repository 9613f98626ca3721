// Data scope (C27) for every role: who may list, search, read and change which customers.
// Anything outside scope reads as 404 and leaks nothing; nothing outside scope is changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { advanceTo, createCustomer, customerRow, expectError, ids, snapshotCounts, type CreatedCustomer } from '../helpers/fixtures';

let t: TestApp;
const c: Record<string, Client> = {};
// Customers by owner: z* 张伟 (杭州一部), liu 刘洋 (杭州一部), he 何丹 (杭州二部), liang 梁宇 (苏州一部),
// wu 吴婷 (team lead 杭州一部, her own), pool (released to 公海).
let zLead: CreatedCustomer, zApproval: CreatedCustomer, zSigned: CreatedCustomer, zLost: CreatedCustomer;
let liu: CreatedCustomer, he: CreatedCustomer, liang: CreatedCustomer, wu: CreatedCustomer, pool: CreatedCustomer;

beforeAll(async () => {
  t = await createTestApp();
  for (const n of ['张伟', '刘洋', '何丹', '林峰', '梁宇', '吴婷', '郑浩', '罗琳', '周强', '马超', '王敏', '陈刚', '李娜', '孙丽']) c[n] = await t.loginAs(n);
  zLead = await createCustomer(c['张伟'], { name: '甲线索' });
  zApproval = await createCustomer(c['张伟'], { name: '甲审批' });
  zSigned = await createCustomer(c['张伟'], { name: '甲签约' });
  zLost = await createCustomer(c['张伟'], { name: '甲无效' });
  liu = await createCustomer(c['刘洋'], { name: '乙客户' });
  he = await createCustomer(c['何丹'], { name: '丙客户' });
  liang = await createCustomer(c['梁宇'], { name: '丁客户' });
  wu = await createCustomer(c['吴婷'], { name: '戊客户' });
  pool = await createCustomer(c['林峰'], { name: '公海客户' });
  const toApproval = ['intent', 'due_diligence', 'under_approval'];
  await advanceTo(c['张伟'], zApproval.id, toApproval);
  await advanceTo(c['张伟'], zSigned.id, [...toApproval, 'signed']);
  await advanceTo(c['张伟'], zLost.id, ['lost']);
  expect((await c['林峰'].post(`/api/v1/customers/${pool.id}/release`, { reason: '客户暂无需求' })).status).toBe(200);
});
afterAll(async () => t?.close());

const everyone = () => [zLead, zApproval, zSigned, zLost, liu, he, liang, wu, pool];
async function listIds(who: string, query = '') {
  const res = await c[who].get(`/api/v1/customers?limit=100${query}`);
  expect(res.status).toBe(200);
  return ids(res).sort((a: number, b: number) => a - b);
}
const sorted = (xs: CreatedCustomer[]) => xs.map((x) => x.id).sort((a, b) => a - b);

describe('officer sees only their own customers', () => {
  it('lists exactly their own book', async () => {
    expect(await listIds('张伟')).toEqual(sorted([zLead, zApproval, zSigned, zLost]));
    expect(await listIds('刘洋')).toEqual(sorted([liu]));
    expect(await listIds('梁宇')).toEqual(sorted([liang]));
  });

  it('cannot read another officer\'s customer: 404 without any of its data', async () => {
    for (const target of [liu, he, liang, wu]) {
      const res = await c['张伟'].get(`/api/v1/customers/${target.id}`);
      expectError(res, 404, 'NOT_FOUND');
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(JSON.stringify(res.body)).not.toContain(target.name);
      expect(JSON.stringify(res.body)).not.toContain(target.phone.slice(-4));
    }
    expectError(await c['张伟'].get(`/api/v1/customers/${liu.id}/history`), 404, 'NOT_FOUND');
    expectError(await c['张伟'].get(`/api/v1/customers/${liu.id}/follow-ups`), 404, 'NOT_FOUND');
    // A customer that does not exist answers the same way as one outside scope.
    expectError(await c['张伟'].get('/api/v1/customers/999999'), 404, 'NOT_FOUND');
  });

  it('cannot find another officer\'s customer by name, phone, last 4 digits or owner filter', async () => {
    for (const q of [liu.name, liu.phone, `+86 ${liu.phone.slice(0, 3)} ${liu.phone.slice(3, 7)} ${liu.phone.slice(7)}`, liu.phone.slice(-4)]) {
      const res = await c['张伟'].get(`/api/v1/customers?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(ids(res)).not.toContain(liu.id);
    }
    expect(ids(await c['张伟'].get(`/api/v1/customers?ownerId=${await t.userId('刘洋')}`))).toEqual([]);
    // …while the owner finds it each way.
    for (const q of [liu.name, liu.phone, liu.phone.slice(-4)]) {
      expect(ids(await c['刘洋'].get(`/api/v1/customers?q=${encodeURIComponent(q)}`))).toEqual([liu.id]);
    }
  });

  it('cannot change, follow up, release, reveal or reassign another officer\'s customer, and nothing is written', async () => {
    const before = await snapshotCounts(t);
    const rowBefore = await customerRow(t, liu.id);
    const zw = c['张伟'];
    expectError(await zw.patch(`/api/v1/customers/${liu.id}`, { city: '上海' }), 404, 'NOT_FOUND');
    expectError(await zw.post(`/api/v1/customers/${liu.id}/stage`, { to: 'intent' }), 404, 'NOT_FOUND');
    expectError(await zw.post(`/api/v1/customers/${liu.id}/follow-ups`, { type: 'call', content: '越权跟进' }), 404, 'NOT_FOUND');
    expectError(await zw.post(`/api/v1/customers/${liu.id}/release`, { reason: '越权退回' }), 404, 'NOT_FOUND');
    expectError(await zw.post(`/api/v1/customers/${liu.id}/reveal`, { field: 'phone' }), 404, 'NOT_FOUND');
    expectError(await zw.post(`/api/v1/customers/${liu.id}/assign`, { ownerId: await t.userId('张伟') }), 403, 'FORBIDDEN');
    // Claiming only works on the pool.
    expectError(await zw.post(`/api/v1/customers/${liu.id}/claim`, {}), 409, 'CUSTOMER_NOT_IN_POOL');
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await customerRow(t, liu.id)).toEqual(rowBefore);
  });

  it('sees pool customers in /pool and may open them', async () => {
    const res = await c['梁宇'].get('/api/v1/pool');
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([pool.id]);
    expect(res.body.items[0]).toMatchObject({ inPool: true, ownerId: null, ownerName: null, poolReason: '客户暂无需求' });
    const detail = await c['梁宇'].get(`/api/v1/customers/${pool.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.permissions).toMatchObject({ claim: true, edit: false, followUp: false, release: false });
    // The pool is not part of anyone's book list.
    expect(await listIds('梁宇')).not.toContain(pool.id);
  });
});

describe('team lead, branch manager and admin', () => {
  it('team lead sees the team\'s customers and their own, not another team\'s', async () => {
    expect(await listIds('吴婷')).toEqual(sorted([zLead, zApproval, zSigned, zLost, liu, wu]));
    expect(await listIds('郑浩')).toEqual(sorted([he]));
    expect(await listIds('罗琳')).toEqual(sorted([liang]));
    expect((await c['吴婷'].get(`/api/v1/customers/${liu.id}`)).status).toBe(200);
    expectError(await c['吴婷'].get(`/api/v1/customers/${he.id}`), 404, 'NOT_FOUND');
    expectError(await c['吴婷'].get(`/api/v1/customers/${liang.id}`), 404, 'NOT_FOUND');
    expect(ids(await c['吴婷'].get(`/api/v1/customers?q=${he.phone}`))).toEqual([]);
    expectError(await c['吴婷'].patch(`/api/v1/customers/${he.id}`, { city: '上海' }), 404, 'NOT_FOUND');
    expectError(await c['吴婷'].post(`/api/v1/customers/${he.id}/stage`, { to: 'intent' }), 404, 'NOT_FOUND');
  });

  it('team lead may change a team member\'s customer', async () => {
    const res = await c['吴婷'].patch(`/api/v1/customers/${liu.id}`, { remark: '主管补充' });
    expect(res.status).toBe(200);
    expect((await customerRow(t, liu.id)).remark).toBe('主管补充');
  });

  it('branch manager sees the branch subtree only', async () => {
    expect(await listIds('周强')).toEqual(sorted([zLead, zApproval, zSigned, zLost, liu, wu, he]));
    expect(await listIds('马超')).toEqual(sorted([liang]));
    expect((await c['周强'].get(`/api/v1/customers/${he.id}`)).status).toBe(200);
    expectError(await c['周强'].get(`/api/v1/customers/${liang.id}`), 404, 'NOT_FOUND');
    expectError(await c['马超'].get(`/api/v1/customers/${zLead.id}`), 404, 'NOT_FOUND');
    expect(ids(await c['马超'].get(`/api/v1/customers?q=${encodeURIComponent(zLead.name)}`))).toEqual([]);
  });

  it('admin sees every customer, the pool included, and may change any', async () => {
    expect(await listIds('王敏')).toEqual(sorted(everyone()));
    for (const x of everyone()) expect((await c['王敏'].get(`/api/v1/customers/${x.id}`)).status).toBe(200);
    const res = await c['王敏'].patch(`/api/v1/customers/${liang.id}`, { city: '苏州' });
    expect(res.status).toBe(200);
    expect((await customerRow(t, liang.id)).city).toBe('苏州');
  });
});

describe('director, risk and finance read what their work needs and never write', () => {
  it('director reads every owned customer', async () => {
    expect(await listIds('陈刚')).toEqual(sorted(everyone().filter((x) => x !== pool)));
    const d = await c['陈刚'].get(`/api/v1/customers/${liang.id}`);
    expect(d.status).toBe(200);
    expect(d.body.permissions).toEqual({ edit: false, followUp: false, changeStage: false, assign: false, release: false, claim: false });
  });

  it('risk reads only customers from 审批中 on; finance only from 已签约 on', async () => {
    expect(await listIds('李娜')).toEqual(sorted([zApproval, zSigned]));
    expect(await listIds('孙丽')).toEqual(sorted([zSigned]));
    expect((await c['李娜'].get(`/api/v1/customers/${zApproval.id}`)).status).toBe(200);
    expectError(await c['李娜'].get(`/api/v1/customers/${zLead.id}`), 404, 'NOT_FOUND');
    expectError(await c['李娜'].get(`/api/v1/customers/${zLost.id}`), 404, 'NOT_FOUND');
    expectError(await c['李娜'].get(`/api/v1/customers/${pool.id}`), 404, 'NOT_FOUND');
    expectError(await c['孙丽'].get(`/api/v1/customers/${zApproval.id}`), 404, 'NOT_FOUND');
    expect((await c['孙丽'].get(`/api/v1/customers/${zSigned.id}`)).status).toBe(200);
    // Search stays inside the stage scope.
    expect(ids(await c['李娜'].get(`/api/v1/customers?q=${zLead.phone}`))).toEqual([]);
    expect(ids(await c['李娜'].get(`/api/v1/customers?q=${zApproval.phone}`))).toEqual([zApproval.id]);
    // Neither sees the pool.
    expectError(await c['李娜'].get('/api/v1/pool'), 403, 'FORBIDDEN');
    expectError(await c['孙丽'].get('/api/v1/pool'), 403, 'FORBIDDEN');
  });

  it('director, risk and finance are refused every write and nothing changes', async () => {
    const before = await snapshotCounts(t);
    const rowBefore = await customerRow(t, zSigned.id);
    const poolBefore = await customerRow(t, pool.id);
    const target = zSigned.id;
    for (const who of ['陈刚', '李娜', '孙丽']) {
      const x = c[who];
      expectError(await x.post('/api/v1/customers', { name: '越权', phone: '13700001111', channel: 'douyin' }), 403, 'FORBIDDEN');
      expectError(await x.patch(`/api/v1/customers/${target}`, { city: '上海' }), 403, 'FORBIDDEN');
      expectError(await x.post(`/api/v1/customers/${target}/stage`, { to: 'disbursed' }), 403, 'FORBIDDEN');
      expectError(await x.post(`/api/v1/customers/${target}/follow-ups`, { type: 'note', content: '越权' }), 403, 'FORBIDDEN');
      expectError(await x.post(`/api/v1/customers/${target}/release`, { reason: '越权' }), 403, 'FORBIDDEN');
      expectError(await x.post(`/api/v1/customers/${target}/assign`, { ownerId: await t.userId('刘洋') }), 403, 'FORBIDDEN');
      expectError(await x.post(`/api/v1/customers/${pool.id}/claim`, {}), 403, 'FORBIDDEN');
      expectError(await x.post(`/api/v1/users/${await t.userId('张伟')}/transfer-customers`, { toUserId: await t.userId('刘洋') }), 403, 'FORBIDDEN');
    }
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await customerRow(t, zSigned.id)).toEqual(rowBefore);
    expect(await customerRow(t, pool.id)).toEqual(poolBefore);
  });
});
