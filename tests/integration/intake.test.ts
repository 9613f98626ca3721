// Partner lead intake (C1): HMAC-signed batches, replay and staleness protection, idempotent
// retries, and per-lead created / duplicate / invalid results landing in the public pool.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER } from '../../sql/seeds/demo';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { createTestApp, makeIdNumber, newPhone, type Client, type TestApp } from '../helpers/test-app';
import { count, createCustomer, expectError, intake, rows, sign, snapshotCounts } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client;
const now = () => String(Math.floor(Date.now() / 1000));
const lead = (o: Record<string, unknown> = {}) => ({ name: '渠道客户', phone: newPhone(), city: '杭州', loanAmountFen: 30000000, ...o });
const body = (leads: unknown[]) => JSON.stringify({ leads });

beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
});
afterAll(async () => t?.close());

describe('a signed batch', () => {
  it('creates new leads in the pool and reports duplicates and invalid leads per lead', async () => {
    const existing = await createCustomer(zhang, { name: '老客户' });
    const idNumber = makeIdNumber('19860710', '330102', '321');
    const twice = newPhone();
    const leads = [
      lead({ externalId: 'ext-1', name: '新客户甲', idNumber, channel: 'douyin', ownerId: await t.userId('张伟'), stage: 'signed', nextFollowUpDate: '2099-01-01' }),
      lead({ externalId: 'ext-2', phone: `+86 ${existing.phone}` }),
      lead({ externalId: 'ext-3', phone: '12345' }),
      lead({ externalId: 'ext-4', idNumber: '110101199003071235' }),
      lead({ externalId: 'ext-5', name: '同号一', phone: twice }),
      lead({ externalId: 'ext-6', name: '同号二', phone: twice }),
      lead({ externalId: 'ext-7', name: '同证', idNumber }),
    ];
    const before = await snapshotCounts(t);
    const res = await intake(t, body(leads));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.channel).toBe(DEMO_PARTNER.code);
    expect(res.body.summary).toEqual({ created: 2, duplicate: 3, invalid: 2 });
    const r = res.body.results;
    expect(r.map((x: { index: number; externalId: string; status: string }) => [x.index, x.externalId, x.status])).toEqual([
      [0, 'ext-1', 'created'], [1, 'ext-2', 'duplicate'], [2, 'ext-3', 'invalid'], [3, 'ext-4', 'invalid'],
      [4, 'ext-5', 'created'], [5, 'ext-6', 'duplicate'], [6, 'ext-7', 'duplicate'],
    ]);
    const day = shanghaiDate();
    expect(r[1]).toMatchObject({ ownerName: '张伟', registeredAt: day, message: `已被 张伟 于 ${day} 登记` });
    expect(JSON.stringify(r[1])).not.toContain('老客户');
    expect(r[2]).toMatchObject({ reason: '请输入 11 位手机号', fields: [{ field: 'phone', message: '请输入 11 位手机号' }] });
    expect(r[3].fields).toEqual([{ field: 'idNumber', message: '身份证号校验位不正确' }]);
    // The same phone twice in one batch: the first is created, the second is its duplicate (in the pool).
    expect(r[5]).toMatchObject({ ownerName: null, message: `该客户已在公海中(${day} 登记),可直接领取` });

    const after = await snapshotCounts(t);
    expect(after.customers).toBe(before.customers + 2);
    expect(after.idempotency_keys).toBe(before.idempotency_keys + 1);
    const created = await rows(t, 'SELECT * FROM customers WHERE id IN (?, ?) ORDER BY id', [r[0].customerId, r[4].customerId]);
    expect(created.map((c) => [c.name, c.channel, c.owner_id, c.department_id, c.stage, c.external_id, c.pool_reason])).toEqual([
      ['新客户甲', DEMO_PARTNER.code, null, null, 'lead', 'ext-1', '渠道线索待分配'],
      ['同号一', DEMO_PARTNER.code, null, null, 'lead', 'ext-5', '渠道线索待分配'],
    ]);
    expect(created.every((c) => c.pooled_at !== null)).toBe(true);
    // A partner cannot pick an owner, a stage or a follow-up plan.
    expect(created[0].next_follow_up_date).toBeNull();
    const owners = await rows(t, 'SELECT kind, from_user_id, to_user_id, actor_id FROM customer_owner_changes WHERE customer_id IN (?, ?)', [r[0].customerId, r[4].customerId]);
    expect(owners).toEqual([
      { kind: 'intake', from_user_id: null, to_user_id: null, actor_id: null },
      { kind: 'intake', from_user_id: null, to_user_id: null, actor_id: null },
    ]);
    const events = await rows(t, "SELECT payload FROM domain_events WHERE type = 'customer.created' AND aggregate_id IN (?, ?)", [String(r[0].customerId), String(r[4].customerId)]);
    expect(events.map((e) => JSON.parse(String(e.payload)).via)).toEqual(['intake', 'intake']);
    expect(await count(t, 'audit_logs', "action = 'create' AND entity_type = 'customer' AND actor_id IS NULL AND entity_id IN (?, ?)", [String(r[0].customerId), String(r[4].customerId)])).toBe(2);

    // They wait in the pool for officers, with the partner's channel.
    const pool = await zhang.get(`/api/v1/pool?channel=${DEMO_PARTNER.code}`);
    expect(pool.body.items.map((x: { id: number }) => x.id).sort()).toEqual([r[0].customerId, r[4].customerId].sort());
    // The stored response and the rows hold no plain phone.
    for (const table of ['idempotency_keys', 'customers', 'audit_logs', 'domain_events']) {
      expect(JSON.stringify(await rows(t, `SELECT * FROM ${table}`))).not.toContain(twice);
    }
  });

  it('accepts a timestamp inside the window and exactly 500 leads', async () => {
    const leads = Array.from({ length: 500 }, () => ({ name: '' }));
    const res = await intake(t, body(leads), { timestamp: String(Math.floor(Date.now() / 1000) - 200) });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ created: 0, duplicate: 0, invalid: 500 });
    expect(res.body.results[499]).toMatchObject({ index: 499, status: 'invalid' });
  });
});

describe('a channel with a default owner', () => {
  it('hands its leads straight to that owner, or to the pool while the owner is disabled', async () => {
    const huangId = await t.userId('黄静');
    const q = (sql: string, r: unknown[]) => t.deps.db.sequelize.query(sql, { replacements: r });
    await q('UPDATE channels SET default_owner_id = ? WHERE code = ?', [huangId, DEMO_PARTNER.code]);
    try {
      const res = await intake(t, body([lead({ name: '直接分配' })]));
      expect(res.body.summary.created).toBe(1);
      const id = res.body.results[0].customerId;
      const [row] = await rows(t, 'SELECT * FROM customers WHERE id = ?', [id]);
      expect([Number(row.owner_id), row.pooled_at, row.pool_reason, row.channel]).toEqual([huangId, null, null, DEMO_PARTNER.code]);
      expect(row.assigned_at).not.toBeNull();
      const [owner] = await rows(t, 'SELECT * FROM customer_owner_changes WHERE customer_id = ?', [id]);
      expect([owner.kind, Number(owner.to_user_id), owner.actor_id]).toEqual(['intake', huangId, null]);
      const wb = await (await t.loginAs('黄静')).get('/api/v1/workbench');
      expect(wb.body.newLeads.items.map((x: { id: number }) => x.id)).toEqual([id]);

      await q("UPDATE users SET status = 'disabled' WHERE id = ?", [huangId]);
      const pooled = await intake(t, body([lead({ name: '无人接收' })]));
      const [row2] = await rows(t, 'SELECT owner_id, pool_reason FROM customers WHERE id = ?', [pooled.body.results[0].customerId]);
      expect(row2).toEqual({ owner_id: null, pool_reason: '渠道线索待分配' });
    } finally {
      await q('UPDATE channels SET default_owner_id = NULL WHERE code = ?', [DEMO_PARTNER.code]);
      await q("UPDATE users SET status = 'active' WHERE id = ?", [huangId]);
    }
  });
});

describe('concurrent entry', () => {
  it('a partner batch racing staff entry of the same phones leaves one row per phone', async () => {
    const phones = Array.from({ length: 20 }, () => newPhone());
    const liu = await t.loginAs('刘洋');
    const [batch, ...staff] = await Promise.all([
      intake(t, body(phones.map((phone, i) => lead({ phone, name: `抢录${i}` })))),
      ...phones.map((phone, i) => (i % 2 ? zhang : liu).post('/api/v1/customers', { name: `员工录${i}`, phone, channel: 'douyin' })),
    ]);
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    for (const r of staff) expect([201, 409], JSON.stringify(r.body)).toContain(r.status);
    const byPartner = batch.body.results.filter((r: { status: string }) => r.status === 'created').length;
    const byStaff = staff.filter((r) => r.status === 201).length;
    expect(byPartner + byStaff).toBe(phones.length);
    expect(batch.body.summary.duplicate).toBe(phones.length - byPartner);
    for (const phone of phones) {
      expect(await count(t, 'customers', 'phone_hash = ?', [t.deps.crypto.blindIndex('phone', phone)]), phone).toBe(1);
    }
  });
});

describe('authentication', () => {
  const tryWith = async (o: Parameters<typeof intake>[2], raw = body([lead()])) => {
    const before = await snapshotCounts(t);
    const res = await intake(t, raw, o);
    expect(await snapshotCounts(t)).toEqual(before);
    return res;
  };

  it('a wrong signature is refused with 401 INVALID_SIGNATURE', async () => {
    expectError(await tryWith({ secret: 'not-the-secret' }), 401, 'INVALID_SIGNATURE');
    expectError(await tryWith({ signature: 'deadbeef' }), 401, 'INVALID_SIGNATURE');
    expectError(await tryWith({ signature: 'zz'.repeat(32) }), 401, 'INVALID_SIGNATURE');
    expectError(await tryWith({ signature: '' }), 401, 'INVALID_SIGNATURE');
  });

  it('a body changed after signing is refused', async () => {
    const ts = now();
    const signed = body([lead({ name: '原始' })]);
    const tampered = signed.replace('原始', '篡改');
    expectError(await tryWith({ timestamp: ts, signature: sign(DEMO_PARTNER.secret, ts, signed) }, tampered), 401, 'INVALID_SIGNATURE');
    // Re-serialising the same JSON differently changes the bytes, so the signature no longer matches.
    const spaced = JSON.stringify(JSON.parse(signed), null, 2);
    expectError(await tryWith({ timestamp: ts, signature: sign(DEMO_PARTNER.secret, ts, signed) }, spaced), 401, 'INVALID_SIGNATURE');
  });

  it('a signature with trailing junk is not the same signature', async () => {
    const raw = body([lead()]);
    const ts = now();
    const good = sign(DEMO_PARTNER.secret, ts, raw);
    for (const sig of [`${good}zz`, `${good}0`, `${good}00`, good.slice(0, 62)]) {
      expectError(await tryWith({ timestamp: ts, signature: sig }, raw), 401, 'INVALID_SIGNATURE');
    }
  });

  it('an unknown or disabled channel key is refused with 401', async () => {
    expectError(await tryWith({ key: 'no-such-key' }), 401, 'UNKNOWN_CHANNEL');
    await t.deps.db.sequelize.query('UPDATE channels SET enabled = ? WHERE code = ?', { replacements: [false, DEMO_PARTNER.code] });
    try {
      expectError(await tryWith({}), 401, 'UNKNOWN_CHANNEL');
    } finally {
      await t.deps.db.sequelize.query('UPDATE channels SET enabled = ? WHERE code = ?', { replacements: [true, DEMO_PARTNER.code] });
    }
  });

  it('a timestamp more than 300 s away is refused with 401 STALE_TIMESTAMP', async () => {
    const s = Math.floor(Date.now() / 1000);
    expectError(await tryWith({ timestamp: String(s - 301) }), 401, 'STALE_TIMESTAMP');
    expectError(await tryWith({ timestamp: String(s - 3600) }), 401, 'STALE_TIMESTAMP');
    expectError(await tryWith({ timestamp: String(s + 400) }), 401, 'STALE_TIMESTAMP');
    expectError(await tryWith({ timestamp: String(Date.now()) }), 401, 'STALE_TIMESTAMP'); // milliseconds
    expectError(await tryWith({ timestamp: 'yesterday' }), 401, 'STALE_TIMESTAMP');
  });

  it('missing headers are refused', async () => {
    const raw = body([lead()]);
    const res = await t.anonymous().agent.post('/api/v1/intake/leads').set('Content-Type', 'application/json').send(raw);
    expectError(res, 401, 'INVALID_SIGNATURE');
    const noKey = await tryWith({ idempotencyKey: null }, raw);
    expect(noKey.status).toBe(422);
    expect(noKey.body.error.details.fields[0].field).toBe('Idempotency-Key');
  });
});

describe('idempotency and replay', () => {
  it('the same key and body answer the first response again and create nothing', async () => {
    const raw = body([lead({ name: '幂等甲' }), lead({ name: '幂等乙' })]);
    const key = crypto.randomUUID();
    const ts = now();
    const first = await intake(t, raw, { idempotencyKey: key, timestamp: ts });
    expect(first.body.summary.created).toBe(2);
    const before = await snapshotCounts(t);
    // The identical request (a network retry) and a re-signed retry of the same body.
    const again = await intake(t, raw, { idempotencyKey: key, timestamp: ts });
    const resigned = await intake(t, raw, { idempotencyKey: key, timestamp: String(Number(ts) + 1) });
    for (const r of [again, resigned]) {
      expect(r.status).toBe(200);
      expect(r.headers['idempotent-replayed']).toBe('true');
      expect(r.body).toEqual(first.body);
    }
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await count(t, 'customers', "name IN ('幂等甲', '幂等乙')")).toBe(2);
  });

  it('the same key with a different body is 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const key = crypto.randomUUID();
    expect((await intake(t, body([lead()]), { idempotencyKey: key })).status).toBe(200);
    const before = await snapshotCounts(t);
    expectError(await intake(t, body([lead({ name: '另一批' })]), { idempotencyKey: key }), 409, 'IDEMPOTENCY_KEY_REUSED');
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('the same signed request under a new key is 409 REPLAYED_REQUEST', async () => {
    const raw = body([lead({ name: '重放' })]);
    const ts = now();
    const sig = sign(DEMO_PARTNER.secret, ts, raw);
    expect((await intake(t, raw, { timestamp: ts, signature: sig })).status).toBe(200);
    const before = await snapshotCounts(t);
    expectError(await intake(t, raw, { timestamp: ts, signature: sig }), 409, 'REPLAYED_REQUEST');
    expectError(await intake(t, raw, { timestamp: ts, signature: sig.toUpperCase() }), 409, 'REPLAYED_REQUEST');
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await count(t, 'customers', "name = '重放'")).toBe(1);
  });

  it('two concurrent deliveries of one request create the leads once', async () => {
    const raw = body([lead({ name: '并发投递' })]);
    const key = crypto.randomUUID();
    const ts = now();
    const [a, b] = await Promise.all([intake(t, raw, { idempotencyKey: key, timestamp: ts }), intake(t, raw, { idempotencyKey: key, timestamp: ts })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual(b.body);
    expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
    expect(await count(t, 'customers', "name = '并发投递'")).toBe(1);
  });
});

describe('batch validation', () => {
  it('more than 500 leads, no leads, or no array is 422 and stores nothing', async () => {
    for (const [raw, msg] of [
      [body(Array.from({ length: 501 }, () => lead())), '每次最多 500 条线索'],
      [body([]), '至少 1 条线索'],
      [JSON.stringify({ leads: 'x' }), 'leads 应为数组'],
      [JSON.stringify({}), 'leads 应为数组'],
    ] as const) {
      const before = await snapshotCounts(t);
      const res = await intake(t, raw);
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.error.details.fields).toEqual([{ field: 'leads', message: msg }]);
      expect(await snapshotCounts(t)).toEqual(before);
    }
  });

  it('a body that is not JSON is 400', async () => {
    const res = await intake(t, '{"leads": [');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});
