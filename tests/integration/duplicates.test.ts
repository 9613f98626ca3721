// De-duplication (C2) on phone and ID number at every staff entry point: create, edit, the
// as-you-type check, and concurrent entry. A hit names the owner and date and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { createTestApp, customerInput, makeIdNumber, newPhone, type Client, type TestApp } from '../helpers/test-app';
import { count, createCustomer, customerRow, exec, expectError, rows, snapshotCounts } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client, liu: Client, liang: Client, admin: Client;

beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
  liu = await t.loginAs('刘洋');
  liang = await t.loginAs('梁宇');
  admin = await t.loginAs('王敏');
});
afterAll(async () => t?.close());

const registeredOn = async (id: number) => shanghaiDate(new Date((await customerRow(t, id)).created_at as string));

/** The 409 body says who and when, and never any of the existing customer's own data. */
function expectDuplicate(res: { status: number; body: any }, ownerName: string, registeredAt: string, field: 'phone' | 'idNumber', secrets: string[]) {
  expectError(res as any, 409, 'DUPLICATE_CUSTOMER');
  expect(res.body.error.message).toBe(`已被 ${ownerName} 于 ${registeredAt} 登记`);
  expect(res.body.error.details).toEqual({ field, ownerName, registeredAt, inPool: false });
  const text = JSON.stringify(res.body);
  for (const s of secrets) expect(text).not.toContain(s);
  expect(res.body.error).not.toHaveProperty('details.customerId');
}

describe('duplicate phone and ID number on create', () => {
  it('a second registration of the same phone is refused with the first owner and date', async () => {
    const idNumber = makeIdNumber('19880214', '330106', '271');
    const first = await createCustomer(zhang, { name: '钱一', idNumber, city: '杭州', remark: '机密备注' });
    const before = await count(t, 'customers');
    const res = await liang.post('/api/v1/customers', customerInput({ name: '别人录的', phone: first.phone }));
    expectDuplicate(res, '张伟', await registeredOn(first.id), 'phone', ['钱一', first.phone, idNumber, idNumber.slice(-4), '机密备注']);
    expect(await count(t, 'customers')).toBe(before);
  });

  it('a second registration of the same ID number (different phone) is refused', async () => {
    const idNumber = makeIdNumber('19790905', '320505', '118');
    const first = await createCustomer(liu, { name: '孙二', idNumber });
    const before = await snapshotCounts(t);
    const res = await zhang.post('/api/v1/customers', customerInput({ name: '孙二二', idNumber }));
    expectDuplicate(res, '刘洋', await registeredOn(first.id), 'idNumber', ['孙二', first.phone, idNumber]);
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('an ID number with a lower-case x check letter or spaces is the same number', async () => {
    let xId = '';
    for (let seq = 0; !xId.endsWith('X'); seq++) xId = makeIdNumber('19900101', '110101', String(seq).padStart(3, '0'));
    await createCustomer(liu, { idNumber: xId });
    for (const variant of [xId.toLowerCase(), `${xId.slice(0, 6)} ${xId.slice(6, 14)} ${xId.slice(14)}`]) {
      const res = await zhang.post('/api/v1/customers', customerInput({ idNumber: variant }));
      expectError(res, 409, 'DUPLICATE_CUSTOMER');
      expect(res.body.error.details).toMatchObject({ field: 'idNumber', ownerName: '刘洋' });
    }
  });

  it('a 15-digit legacy ID number is the same person as its 18-digit form', async () => {
    const id18 = makeIdNumber('19850612', '330102', '456');
    const id15 = `330102850612456`;
    await createCustomer(zhang, { idNumber: id18 });
    const res = await liu.post('/api/v1/customers', customerInput({ idNumber: id15 }));
    expectError(res, 409, 'DUPLICATE_CUSTOMER');
    expect(res.body.error.details.field).toBe('idNumber');
  });

  it('phone formatting (+86, 0086, spaces, dashes) does not hide a duplicate', async () => {
    const first = await createCustomer(zhang, { name: '周三' });
    const p = first.phone;
    for (const variant of [`+86 ${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`, `+86${p}`, `0086${p}`, `86${p}`, `${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`, ` ${p} `]) {
      const res = await liu.post('/api/v1/customers', customerInput({ phone: variant }));
      expect(res.status, variant).toBe(409);
      expect(res.body.error.details.ownerName).toBe('张伟');
    }
    expect(await count(t, 'customers', 'phone_last4 = ?', [p.slice(-4)])).toBe(1);
  });

  it('the registration date is the Asia/Shanghai calendar date, not UTC', async () => {
    const first = await createCustomer(zhang, { name: '吴四' });
    // 2026-03-01 17:30 UTC is already 2026-03-02 01:30 in Shanghai.
    await exec(t, 'UPDATE customers SET created_at = ? WHERE id = ?', [t.deps.db.dialect === 'mysql' ? '2026-03-01 17:30:00.000' : '2026-03-01 17:30:00.000 +00:00', first.id]);
    const res = await liu.post('/api/v1/customers', customerInput({ phone: first.phone }));
    expect(res.status).toBe(409);
    expect(res.body.error.details.registeredAt).toBe('2026-03-02');
    expect(res.body.error.message).toBe('已被 张伟 于 2026-03-02 登记');
  });

  it('a customer waiting in the pool is reported as such, with no owner', async () => {
    const first = await createCustomer(zhang, { name: '郑五' });
    expect((await zhang.post(`/api/v1/customers/${first.id}/release`, { reason: '暂无需求' })).status).toBe(200);
    const res = await liu.post('/api/v1/customers', customerInput({ phone: first.phone }));
    expectError(res, 409, 'DUPLICATE_CUSTOMER');
    expect(res.body.error.details).toMatchObject({ field: 'phone', ownerName: null, inPool: true });
    expect(res.body.error.message).toBe(`该客户已在公海中(${await registeredOn(first.id)} 登记),可直接领取`);
  });
});

describe('check-duplicate endpoint', () => {
  it('reports a hit by phone with owner and date, linking only customers the asker may open', async () => {
    const first = await createCustomer(zhang, { name: '冯六' });
    const day = await registeredOn(first.id);
    const other = await liang.get(`/api/v1/customers/check-duplicate?phone=${encodeURIComponent('+86 ' + first.phone)}`);
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ duplicate: true, field: 'phone', ownerName: '张伟', registeredAt: day, inPool: false, message: `已被 张伟 于 ${day} 登记` });
    expect(JSON.stringify(other.body)).not.toContain('冯六');
    const own = await zhang.get(`/api/v1/customers/check-duplicate?phone=${first.phone}`);
    expect(own.body).toMatchObject({ duplicate: true, customerId: first.id });
    const lead = await (await t.loginAs('吴婷')).get(`/api/v1/customers/check-duplicate?phone=${first.phone}`);
    expect(lead.body.customerId).toBe(first.id);
    expect((await admin.get(`/api/v1/customers/check-duplicate?phone=${first.phone}`)).body.customerId).toBe(first.id);
  });

  it('reports a hit by ID number, and no hit for new values', async () => {
    const idNumber = makeIdNumber('19920420', '330203', '336');
    const first = await createCustomer(liu, { idNumber });
    const res = await liang.get(`/api/v1/customers/check-duplicate?idNumber=${idNumber}`);
    expect(res.body).toMatchObject({ duplicate: true, field: 'idNumber', ownerName: '刘洋', registeredAt: await registeredOn(first.id) });
    expect(res.body.customerId).toBeUndefined();
    expect((await liang.get(`/api/v1/customers/check-duplicate?phone=${newPhone()}`)).body).toEqual({ duplicate: false });
    expect((await liang.get(`/api/v1/customers/check-duplicate?idNumber=${makeIdNumber('20000101', '110101', '555')}`)).body).toEqual({ duplicate: false });
  });

  it('writes nothing', async () => {
    const first = await createCustomer(zhang);
    const before = await snapshotCounts(t);
    await liang.get(`/api/v1/customers/check-duplicate?phone=${first.phone}`);
    expect(await snapshotCounts(t)).toEqual(before);
  });
});

describe('concurrent entry', () => {
  it('10 parallel creates of the same phone leave exactly one row; the rest get 409', async () => {
    const phone = newPhone();
    const clients = [zhang, liu, liang, zhang, liu, liang, zhang, liu, liang, zhang];
    const before = await snapshotCounts(t);
    const results = await Promise.all(clients.map((cl, i) => cl.post('/api/v1/customers', customerInput({ name: `并发${i}`, phone }))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!;
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error.code).toBe('DUPLICATE_CUSTOMER');
      expect(r.body.error.details.ownerName).toBe(winner.body.ownerName);
    }
    expect(await count(t, 'customers', 'phone_last4 = ?', [phone.slice(-4)])).toBe(1);
    const after = await snapshotCounts(t);
    // Exactly one customer's worth of history, audit and events; the losers left nothing behind.
    expect(after).toEqual({
      ...before,
      customers: before.customers + 1,
      customer_stage_changes: before.customer_stage_changes + 1,
      customer_owner_changes: before.customer_owner_changes + 1,
      audit_logs: before.audit_logs + 1,
      domain_events: before.domain_events + 1,
    });
  });

  it('10 parallel creates with the same ID number and different phones leave exactly one row', async () => {
    const idNumber = makeIdNumber('19750808', '310104', '777');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => [zhang, liu, liang][i % 3].post('/api/v1/customers', customerInput({ name: `同证${i}`, idNumber }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.details.field === 'idNumber')).toHaveLength(9);
    const hash = t.deps.crypto.blindIndex('idNumber', idNumber);
    expect(await count(t, 'customers', 'id_number_hash = ?', [hash])).toBe(1);
  });
});

describe('editing cannot create a duplicate', () => {
  it('PATCH to another customer\'s phone or ID number is refused and changes nothing', async () => {
    const idA = makeIdNumber('19810315', '330602', '222');
    const a = await createCustomer(zhang, { name: '甲方', idNumber: idA });
    const b = await createCustomer(zhang, { name: '乙方' });
    const rowB = await customerRow(t, b.id);
    const before = await snapshotCounts(t);
    const day = await registeredOn(a.id);

    const byPhone = await zhang.patch(`/api/v1/customers/${b.id}`, { phone: `+86 ${a.phone}`, city: '宁波' });
    expectDuplicate(byPhone, '张伟', day, 'phone', ['甲方', idA]);
    const byId = await zhang.patch(`/api/v1/customers/${b.id}`, { idNumber: idA });
    expectDuplicate(byId, '张伟', day, 'idNumber', ['甲方', a.phone]);

    expect(await customerRow(t, b.id)).toEqual(rowB);
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await count(t, 'customers', 'phone_hash = ?', [t.deps.crypto.blindIndex('phone', a.phone)])).toBe(1);
  });

  it('PATCH keeping its own phone is not a duplicate of itself, and a new phone is re-indexed', async () => {
    const a = await createCustomer(zhang);
    expect((await zhang.patch(`/api/v1/customers/${a.id}`, { phone: a.phone, city: '嘉兴' })).status).toBe(200);
    const fresh = newPhone();
    const res = await zhang.patch(`/api/v1/customers/${a.id}`, { phone: fresh });
    expect(res.status).toBe(200);
    const row = await customerRow(t, a.id);
    expect(row.phone_hash).toBe(t.deps.crypto.blindIndex('phone', fresh));
    expect(row.phone_last4).toBe(fresh.slice(-4));
    // The old number is free again; the new one is taken.
    expect((await liu.get(`/api/v1/customers/check-duplicate?phone=${a.phone}`)).body.duplicate).toBe(false);
    expect((await liu.post('/api/v1/customers', customerInput({ phone: fresh }))).status).toBe(409);
  });
});

describe('nothing of the other customer leaks through rows either', () => {
  it('the refused attempt leaves no audit row naming the attempted customer', async () => {
    const first = await createCustomer(zhang, { name: '林七' });
    await liu.post('/api/v1/customers', customerInput({ name: '重复尝试者', phone: first.phone }));
    const audit = await rows(t, 'SELECT after_data FROM audit_logs WHERE after_data LIKE ?', ['%重复尝试者%']);
    expect(audit).toEqual([]);
  });
});
