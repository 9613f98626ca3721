// Invalid input on every endpoint: 422 VALIDATION_FAILED listing each bad field in Chinese,
// and nothing written. Plus the HTTP edges: bad JSON, unknown routes, no session, CSRF, 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createTestApp, customerInput, makeIdNumber, type Client, type TestApp } from '../helpers/test-app';
import { createCustomer, exec, expectError, expectValidation, snapshotCounts, type CreatedCustomer } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client, lead: Client, admin: Client;
let cust: CreatedCustomer;
let before: Record<string, number>;

beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
  lead = await t.loginAs('吴婷');
  admin = await t.loginAs('王敏');
  cust = await createCustomer(zhang, { name: '校验客户' });
});
afterAll(async () => t?.close());

const yesterday = () => addDays(shanghaiDate(), -1);
const long = (n: number) => '字'.repeat(n);

/** Each case: a request that must fail validation naming `field`, writing nothing. */
async function rejects(send: () => Promise<import('supertest').Response>, field: string) {
  before = await snapshotCounts(t);
  const res = await send();
  expectValidation(res, field);
  expect(await snapshotCounts(t)).toEqual(before);
  return res;
}

describe('create customer', () => {
  it('an empty body names every required field', async () => {
    const res = await rejects(() => zhang.post('/api/v1/customers', {}), 'name');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['channel', 'name', 'phone']);
    expect(res.body.error.details.fields.find((f: { field: string }) => f.field === 'name').message).toBe('请输入姓名');
    expect(res.body.error.details.fields.find((f: { field: string }) => f.field === 'phone').message).toBe('请输入 11 位手机号');
  });

  const bad: [string, Record<string, unknown>, string, string?][] = [
    ['blank name', { name: '   ' }, 'name', '请输入姓名'],
    ['name too long', { name: long(51) }, 'name', '姓名不能超过 50 个字'],
    ['phone too short', { phone: '1380013' }, 'phone', '请输入 11 位手机号'],
    ['landline', { phone: '057188886666' }, 'phone', '请输入 11 位手机号'],
    ['phone as number', { phone: 13800138000 }, 'phone', '请输入 11 位手机号'],
    ['ID with bad checksum', { idNumber: '110101199003071235' }, 'idNumber', '身份证号校验位不正确'],
    ['ID with impossible birthday', { idNumber: makeIdNumber('19900230') }, 'idNumber', '身份证号中的出生日期无效'],
    ['ID born in the future', { idNumber: makeIdNumber('20990101') }, 'idNumber', '身份证号中的出生日期无效'],
    ['ID of wrong length', { idNumber: '1101011990' }, 'idNumber', '身份证号应为 18 位'],
    ['unknown channel', { channel: 'carrier_pigeon' }, 'channel', '渠道不存在或已停用'],
    ['negative amount', { loanAmountFen: -1 }, 'loanAmountFen', '贷款金额不能为负'],
    ['fractional fen', { loanAmountFen: 100.5 }, 'loanAmountFen', '贷款金额应精确到分'],
    ['amount as string', { loanAmountFen: '50万' }, 'loanAmountFen', '贷款金额应为数字'],
    ['absurd amount', { loanAmountFen: 1e13 }, 'loanAmountFen', '贷款金额过大'],
    ['zero term', { loanTermMonths: 0 }, 'loanTermMonths', '期限至少 1 个月'],
    ['term too long', { loanTermMonths: 361 }, 'loanTermMonths', '期限不能超过 360 个月'],
    ['fractional term', { loanTermMonths: 1.5 }, 'loanTermMonths', '期限应为整数月'],
    ['unknown collateral', { collateral: 'gold' }, 'collateral', '请选择抵押/担保方式'],
    ['negative income', { monthlyIncomeFen: -100 }, 'monthlyIncomeFen', '月收入不能为负'],
    ['past next follow-up', { nextFollowUpDate: '2020-01-01' }, 'nextFollowUpDate', '日期不能早于今天'],
    ['bad date format', { nextFollowUpDate: '2026/12/01' }, 'nextFollowUpDate', '日期格式应为 YYYY-MM-DD'],
    ['impossible date', { nextFollowUpDate: '2099-02-30' }, 'nextFollowUpDate', '日期格式应为 YYYY-MM-DD'],
    ['too many tags', { campaignTags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'campaignTags', '标签最多 10 个'],
    ['remark too long', { remark: long(501) }, 'remark', '备注不能超过 500 个字'],
    ['city too long', { city: long(31) }, 'city', '城市不能超过 30 个字'],
    ['purpose too long', { loanPurpose: long(201) }, 'loanPurpose', '用途不能超过 200 个字'],
    ['empty tag', { campaignTags: [''] }, 'campaignTags.0'],
    ['owner not a number', { ownerId: 'abc' }, 'ownerId'],
    ['channel too long', { channel: 'x'.repeat(33) }, 'channel'],
    ['customFields not an object', { customFields: 'x' }, 'customFields'],
  ];
  for (const [label, patch, field, message] of bad) {
    it(`rejects ${label}`, async () => {
      const res = await rejects(() => zhang.post('/api/v1/customers', customerInput(patch)), field);
      if (message) expect(res.body.error.details.fields.find((f: { field: string }) => f.field === field).message).toBe(message);
    });
  }

  it('an owner outside the creator\'s reach is 422 INVALID_ASSIGNEE and nothing is written', async () => {
    before = await snapshotCounts(t);
    expectError(await zhang.post('/api/v1/customers', customerInput({ ownerId: await t.userId('刘洋') })), 422, 'INVALID_ASSIGNEE');
    expectError(await lead.post('/api/v1/customers', customerInput({ ownerId: await t.userId('何丹') })), 422, 'INVALID_ASSIGNEE');
    expect(await snapshotCounts(t)).toEqual(before);
  });
});

describe('every other endpoint', () => {
  it('PATCH customer', async () => {
    const res = await rejects(() => zhang.patch(`/api/v1/customers/${cust.id}`, {}), '_');
    expect(res.body.error.message).toBe('没有需要修改的内容');
    await rejects(() => zhang.patch(`/api/v1/customers/${cust.id}`, { unknownField: 1 }), '_');
    await rejects(() => zhang.patch(`/api/v1/customers/${cust.id}`, { phone: '123' }), 'phone');
    await rejects(() => zhang.patch(`/api/v1/customers/${cust.id}`, { name: '' }), 'name');
    await rejects(() => zhang.patch(`/api/v1/customers/${cust.id}`, { idNumber: '110101199003071235' }), 'idNumber');
    await rejects(() => zhang.patch(`/api/v1/customers/${cust.id}`, { channel: 'nope' }), 'channel');
    await rejects(() => zhang.patch(`/api/v1/customers/${cust.id}`, { nextFollowUpDate: yesterday() }), 'nextFollowUpDate');
    await rejects(() => zhang.patch('/api/v1/customers/abc', { city: '杭州' }), 'id');
    await rejects(() => zhang.patch('/api/v1/customers/-3', { city: '杭州' }), 'id');
  });

  it('stage change', async () => {
    const res = await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/stage`, {}), 'to');
    expect(res.body.error.details.fields[0].message).toBe('请选择目标阶段');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/stage`, { to: 'moon' }), 'to');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/stage`, { to: 'intent', reason: long(201) }), 'reason');
    await rejects(() => zhang.post('/api/v1/customers/1.5/stage', { to: 'intent' }), 'id');
  });

  it('follow-up', async () => {
    const res = await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/follow-ups`, {}), 'type');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['content', 'type']);
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/follow-ups`, { type: 'fax', content: '传真' }), 'type');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/follow-ups`, { type: 'call', content: '  ' }), 'content');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/follow-ups`, { type: 'call', content: long(1001) }), 'content');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/follow-ups`, { type: 'call', content: '好', outcome: 'rich' }), 'outcome');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/follow-ups`, { type: 'call', content: '好', nextFollowUpDate: yesterday() }), 'nextFollowUpDate');
  });

  it('assign', async () => {
    const res = await rejects(() => lead.post(`/api/v1/customers/${cust.id}/assign`, {}), 'ownerId');
    expect(res.body.error.details.fields[0].message).toBe('请选择负责人');
    await rejects(() => lead.post(`/api/v1/customers/${cust.id}/assign`, { ownerId: 'x' }), 'ownerId');
    await rejects(() => lead.post(`/api/v1/customers/${cust.id}/assign`, { ownerId: -1 }), 'ownerId');
    await rejects(() => lead.post(`/api/v1/customers/${cust.id}/assign`, { ownerId: 1.5 }), 'ownerId');
    const liu = await t.userId('刘洋');
    await rejects(() => lead.post(`/api/v1/customers/${cust.id}/assign`, { ownerId: liu, reason: long(201) }), 'reason');
  });

  it('release', async () => {
    const res = await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/release`, {}), 'reason');
    expect(res.body.error.details.fields[0].message).toBe('请填写退回公海的原因');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/release`, { reason: '   ' }), 'reason');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/release`, { reason: long(201) }), 'reason');
  });

  it('reveal', async () => {
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/reveal`, {}), 'field');
    await rejects(() => zhang.post(`/api/v1/customers/${cust.id}/reveal`, { field: 'name' }), 'field');
  });

  it('transfer', async () => {
    const from = await t.userId('刘洋');
    const res = await rejects(() => admin.post(`/api/v1/users/${from}/transfer-customers`, {}), 'toUserId');
    expect(res.body.error.details.fields[0].message).toBe('请选择接收人');
    await rejects(() => admin.post(`/api/v1/users/${from}/transfer-customers`, { toUserId: 'x' }), 'toUserId');
    const huang = await t.userId('黄静');
    await rejects(() => admin.post(`/api/v1/users/${from}/transfer-customers`, { toUserId: huang, disableUser: 'yes' }), 'disableUser');
    await rejects(() => admin.post('/api/v1/users/abc/transfer-customers', { toUserId: huang }), 'id');
  });

  it('dev login', async () => {
    const anon = t.anonymous();
    const res = await rejects(() => anon.post('/api/v1/auth/dev-login', {}), 'userId');
    expect(res.body.error.details.fields[0].message).toBe('请选择员工');
    await rejects(() => anon.post('/api/v1/auth/dev-login', { userId: 'admin' }), 'userId');
    await rejects(() => anon.post('/api/v1/auth/dev-login', { userId: 0 }), 'userId');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('list query parameters', async () => {
    for (const [qs, field] of [
      ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['stage=moon', 'stage.0'], ['stage=lead,moon', 'stage.1'],
      ['sort=name', 'sort'], ['nextFollowUpFrom=2026-02-30', 'nextFollowUpFrom'], ['nextFollowUpTo=tomorrow', 'nextFollowUpTo'],
      ['ownerId=x', 'ownerId'], [`q=${'x'.repeat(51)}`, 'q'], ['cursor=garbage', 'cursor'],
    ]) {
      await rejects(() => zhang.get(`/api/v1/customers?${qs}`), field);
    }
    await rejects(() => zhang.get('/api/v1/pool?limit=0'), 'limit');
    await rejects(() => zhang.get(`/api/v1/customers/${cust.id}/follow-ups?limit=1000`), 'limit');
    await rejects(() => zhang.get(`/api/v1/customers/${cust.id}/follow-ups?before=-1`), 'before');
    await rejects(() => zhang.get('/api/v1/customers/abc'), 'id');
    await rejects(() => admin.get('/api/v1/audit-logs?limit=0'), 'limit');
  });

  it('check-duplicate', async () => {
    const res = await rejects(() => zhang.get('/api/v1/customers/check-duplicate'), '_');
    expect(res.body.error.message).toBe('请提供手机号或身份证号');
    await rejects(() => zhang.get('/api/v1/customers/check-duplicate?phone=123'), 'phone');
    await rejects(() => zhang.get('/api/v1/customers/check-duplicate?idNumber=110101199003071235'), 'idNumber');
  });
});

describe('HTTP edges', () => {
  it('a body that is not JSON (or a bare value, or a prototype-poisoning key) is 400 and writes nothing', async () => {
    before = await snapshotCounts(t);
    for (const raw of ['{"name": "半截', 'null', '"text"', JSON.stringify({ ...customerInput(), __proto__: { admin: true } }).replace('"name"', '"__proto__":{"x":1},"name"')]) {
      const res = await zhang.agent.post('/api/v1/customers').set('X-Requested-With', 'XMLHttpRequest').set('Content-Type', 'application/json').send(raw);
      expect(res.status, raw).toBe(400);
      expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: '请求内容不是有效的 JSON' } });
    }
    // A JSON array is JSON, just not a customer.
    expectValidation(await zhang.agent.post('/api/v1/customers').set('X-Requested-With', 'XMLHttpRequest').set('Content-Type', 'application/json').send('[1,2]'), '_');
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('a body over the limit is 413', async () => {
    const res = await zhang.agent.post('/api/v1/customers').set('X-Requested-With', 'XMLHttpRequest').set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...customerInput(), remark: 'x'.repeat(3 * 1024 * 1024) }));
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('an unknown API route is 404 ROUTE_NOT_FOUND', async () => {
    for (const res of [await zhang.get('/api/v1/nothing-here'), await zhang.post('/api/v1/customers/1/explode', {}), await t.anonymous().get('/api/nope')]) {
      expectError(res, 404, 'ROUTE_NOT_FOUND');
      expect(res.body.error.message).toBe('接口不存在');
    }
  });

  it('without a session every customer endpoint is 401', async () => {
    const anon = t.anonymous();
    before = await snapshotCounts(t);
    for (const res of [
      await anon.get('/api/v1/customers'),
      await anon.get(`/api/v1/customers/${cust.id}`),
      await anon.get('/api/v1/me'),
      await anon.get('/api/v1/pool'),
      await anon.get('/api/v1/workbench'),
      await anon.post('/api/v1/customers', customerInput()),
      await anon.patch(`/api/v1/customers/${cust.id}`, { city: '上海' }),
      await anon.post(`/api/v1/customers/${cust.id}/reveal`, { field: 'phone' }),
    ]) {
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.body.error.message).toBe('请先登录');
    }
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('a state-changing request without X-Requested-With is 403 CSRF_REJECTED and writes nothing', async () => {
    before = await snapshotCounts(t);
    for (const res of [
      await zhang.agent.post('/api/v1/customers').send(customerInput()),
      await zhang.agent.patch(`/api/v1/customers/${cust.id}`).send({ city: '上海' }),
      await zhang.agent.post(`/api/v1/customers/${cust.id}/follow-ups`).send({ type: 'call', content: '跨站' }),
      await zhang.agent.post(`/api/v1/customers/${cust.id}/reveal`).send({ field: 'phone' }),
      await zhang.agent.post('/api/v1/customers').set('X-Requested-With', 'fetch').send(customerInput()),
      await t.anonymous().agent.post('/api/v1/auth/dev-login').send({ userId: await t.userId('王敏') }),
    ]) {
      expectError(res, 403, 'CSRF_REJECTED');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('a 5xx says nothing about its cause', async () => {
    const broken = await createCustomer(zhang, { name: '损坏数据' });
    // A ciphertext damaged at rest makes decryption throw deep inside the service.
    await exec(t, 'UPDATE customers SET phone_enc = ? WHERE id = ?', ['v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', broken.id]);
    const res = await zhang.get(`/api/v1/customers/${broken.id}`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: '服务器开小差了,请稍后重试' } });
    expect(res.text).not.toMatch(/stack|at |\.ts|decipher|Unsupported|auth/i);
  });
});
