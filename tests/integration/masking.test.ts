// Field masking per role (C28), audited reveal, and encryption at rest (C30): the plain phone
// and ID number never reach the database, the audit trail or the outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeIdNumber, newPhone, type Client, type TestApp } from '../helpers/test-app';
import { advanceTo, count, createCustomer, customerRow, expectError, maskId, maskPhone, rows, snapshotCounts, type CreatedCustomer } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client, admin: Client, risk: Client, finance: Client, director: Client;
let cust: CreatedCustomer;
let noId: CreatedCustomer;
const idNumber = makeIdNumber('19870523', '330106', '415');

beforeAll(async () => {
  t = await createTestApp();
  [zhang, admin, risk, finance, director] = await Promise.all(['张伟', '王敏', '李娜', '孙丽', '陈刚'].map((n) => t.loginAs(n)));
  cust = await createCustomer(zhang, { name: '蒋明', idNumber });
  noId = await createCustomer(zhang, { name: '韩梅' });
  // Signed, so that risk and finance may read it too.
  await advanceTo(zhang, cust.id, ['intent', 'due_diligence', 'under_approval', 'signed']);
});
afterAll(async () => t?.close());

describe('what each role sees', () => {
  it('an officer sees phone and ID masked in list and detail, with reveal offered', async () => {
    const list = await zhang.get(`/api/v1/customers?q=${cust.phone.slice(-4)}`);
    const item = list.body.items.find((x: { id: number }) => x.id === cust.id);
    // A list row shows the masked phone and carries no ID number at all (not even masked).
    expect(item).toMatchObject({ phone: maskPhone(cust.phone), phoneMasked: true, gender: 'male' });
    expect(item.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
    expect(item).not.toHaveProperty('idNumber');
    expect(item).not.toHaveProperty('birthDate');
    const detail = await zhang.get(`/api/v1/customers/${cust.id}`);
    expect(detail.body).toMatchObject({ phone: maskPhone(cust.phone), phoneRevealable: true, idNumber: maskId(idNumber), idNumberMasked: true, idNumberRevealable: true, birthDate: null });
    expect(detail.body.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    expect(detail.body.age).toBeGreaterThanOrEqual(38);
    for (const body of [list.body, detail.body]) {
      expect(JSON.stringify(body)).not.toContain(cust.phone);
      expect(JSON.stringify(body)).not.toContain(idNumber);
    }
    // The create response is masked too.
    expect(cust.body.phone).toBe(maskPhone(cust.phone));
    expect(cust.body.idNumber).toBe(maskId(idNumber));
  });

  it('a customer without an ID number shows null, not a mask', async () => {
    const d = await zhang.get(`/api/v1/customers/${noId.id}`);
    expect(d.body).toMatchObject({ idNumber: null, idNumberMasked: false, idNumberRevealable: false, gender: null, age: null });
  });

  it('admin sees both in plain', async () => {
    const d = await admin.get(`/api/v1/customers/${cust.id}`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ phone: cust.phone, phoneMasked: false, idNumber, idNumberMasked: false, birthDate: '1987-05-23' });
    const list = await admin.get(`/api/v1/customers?q=${cust.phone}`);
    expect(list.body.items.map((x: { phone: string }) => x.phone)).toEqual([cust.phone]);
  });

  it('risk sees the ID number plain and the phone masked; director both masked', async () => {
    expect((await risk.get(`/api/v1/customers/${cust.id}`)).body).toMatchObject({ phone: maskPhone(cust.phone), phoneRevealable: true, idNumber, idNumberMasked: false });
    expect((await director.get(`/api/v1/customers/${cust.id}`)).body).toMatchObject({ phone: maskPhone(cust.phone), idNumber: maskId(idNumber), phoneRevealable: true });
  });

  it('finance sees both masked and may not reveal; the refusal writes nothing', async () => {
    const d = await finance.get(`/api/v1/customers/${cust.id}`);
    expect(d.body).toMatchObject({ phone: maskPhone(cust.phone), phoneRevealable: false, idNumber: maskId(idNumber), idNumberRevealable: false });
    const before = await snapshotCounts(t);
    for (const field of ['phone', 'idNumber']) {
      const res = await finance.post(`/api/v1/customers/${cust.id}/reveal`, { field });
      expectError(res, 403, 'FIELD_NOT_REVEALABLE');
      expect(JSON.stringify(res.body)).not.toContain(cust.phone.slice(3));
    }
    expect(await snapshotCounts(t)).toEqual(before);
  });
});

describe('reveal', () => {
  it('returns the plain value and records who revealed what', async () => {
    const before = await count(t, 'audit_logs', "action = 'reveal'");
    const res = await zhang.post(`/api/v1/customers/${cust.id}/reveal`, { field: 'phone' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ field: 'phone', value: cust.phone });
    const idRes = await zhang.post(`/api/v1/customers/${cust.id}/reveal`, { field: 'idNumber' });
    expect(idRes.body).toEqual({ field: 'idNumber', value: idNumber });
    expect(await count(t, 'audit_logs', "action = 'reveal'")).toBe(before + 2);
    const audit = await rows(t, "SELECT * FROM audit_logs WHERE action = 'reveal' ORDER BY id DESC LIMIT 2");
    const zhangId = await t.userId('张伟');
    expect(audit.map((a) => [Number(a.actor_id), a.entity_type, String(a.entity_id), JSON.parse(String(a.after_data)).field])).toEqual([
      [zhangId, 'customer', String(cust.id), 'idNumber'],
      [zhangId, 'customer', String(cust.id), 'phone'],
    ]);
    for (const a of audit) {
      expect(String(a.ip)).toMatch(/127\.0\.0\.1|::1/);
      expect(Math.abs(Date.now() - new Date(String(a.created_at)).getTime())).toBeLessThan(60_000);
      expect(JSON.stringify(a)).not.toContain(cust.phone);
      expect(JSON.stringify(a)).not.toContain(idNumber);
    }
  });

  it('risk and director may reveal the phone, and each reveal is audited under their name', async () => {
    for (const [who, client] of [['李娜', risk], ['陈刚', director]] as const) {
      const res = await client.post(`/api/v1/customers/${cust.id}/reveal`, { field: 'phone' });
      expect(res.body.value).toBe(cust.phone);
      expect(await count(t, 'audit_logs', "action = 'reveal' AND actor_id = ? AND entity_id = ?", [await t.userId(who), String(cust.id)])).toBe(1);
    }
  });

  it('an ID number that was never registered is 404 and not audited', async () => {
    const before = await count(t, 'audit_logs');
    expectError(await zhang.post(`/api/v1/customers/${noId.id}/reveal`, { field: 'idNumber' }), 404, 'NOT_FOUND');
    expect(await count(t, 'audit_logs')).toBe(before);
  });

  it('an unknown field is a validation error', async () => {
    const res = await zhang.post(`/api/v1/customers/${cust.id}/reveal`, { field: 'bankCard' });
    expect(res.status).toBe(422);
    expect(res.body.error.details.fields[0]).toEqual({ field: 'field', message: '字段不支持查看明文' });
  });
});

describe('encryption at rest', () => {
  const plainStrings = () => [cust.phone, idNumber, noId.phone];
  const anyContains = (rs: Record<string, unknown>[], needles: string[]) =>
    rs.flatMap((r) => Object.entries(r).flatMap(([col, v]) => needles.filter((n) => v !== null && String(v).includes(n)).map((n) => `${col} contains ${n}`)));

  it('no column of the customers table holds a plain phone or ID number', async () => {
    const all = await rows(t, 'SELECT * FROM customers');
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(anyContains(all, plainStrings())).toEqual([]);
    const row = await customerRow(t, cust.id);
    expect(String(row.phone_enc)).toMatch(/^v1:/);
    expect(String(row.id_number_enc)).toMatch(/^v1:/);
    expect(row.phone_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.phone_last4).toBe(cust.phone.slice(-4));
    // The stored ciphertext decrypts back to the value.
    expect(t.deps.crypto.decrypt(String(row.phone_enc))).toBe(cust.phone);
    expect(t.deps.crypto.decrypt(String(row.id_number_enc))).toBe(idNumber);
  });

  it('after edits, follow-ups and stage changes, no table holds them either', async () => {
    const newNumber = newPhone();
    expect((await zhang.patch(`/api/v1/customers/${noId.id}`, { phone: newNumber, idNumber: makeIdNumber('19950101', '330402', '808') })).status).toBe(200);
    expect((await zhang.post(`/api/v1/customers/${noId.id}/follow-ups`, { type: 'call', content: '电话沟通' })).status).toBe(201);
    const needles = [...plainStrings(), newNumber, makeIdNumber('19950101', '330402', '808')];
    for (const table of ['customers', 'audit_logs', 'domain_events', 'follow_ups', 'customer_stage_changes', 'customer_owner_changes', 'idempotency_keys']) {
      expect(anyContains(await rows(t, `SELECT * FROM ${table}`), needles), table).toEqual([]);
    }
    // The audit trail records the change without the values.
    const [update] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'update' AND entity_id = ? ORDER BY id DESC LIMIT 1", [String(noId.id)]);
    const after = JSON.parse(String(update.after_data));
    expect(after.phone).toBe(`***${newNumber.slice(-4)}`);
    expect(after.idNumber).toBe('已登记');
    expect(JSON.parse(String(update.before_data)).phone).toBe(`***${noId.phone.slice(-4)}`);
  });
});
