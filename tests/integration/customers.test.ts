// Registering, opening and editing a customer: what is stored, what is recorded with it
// (stage and owner history, audit, outbox) and what an edit may and may not touch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createTestApp, customerInput, makeIdNumber, type Client, type TestApp } from '../helpers/test-app';
import { count, createCustomer, customerRow, expectError, expectValidation, maskPhone, rows, snapshotCounts } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client;
let zhangId: number;
beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
  zhangId = await t.userId('张伟');
});
afterAll(async () => t?.close());

describe('customers', () => {
  it('an officer registers a customer and finds it by phone tail', async () => {
    const input = customerInput({ name: '钱多多' });
    const created = await zhang.post('/api/v1/customers', input);
    expect(created.status).toBe(201);
    expect(created.body.phone).toBe(`${input.phone.slice(0, 3)}****${input.phone.slice(7)}`);
    const found = await zhang.get(`/api/v1/customers?q=${input.phone.slice(-4)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: { id: number }) => c.id)).toContain(created.body.id);
  });

  it('registration stores the profile as a lead owned by the officer, with history, audit and an event', async () => {
    const next = addDays(shanghaiDate(), 2);
    const idNumber = makeIdNumber('19830419', '330102', '512');
    const before = await snapshotCounts(t);
    const res = await zhang.post('/api/v1/customers', customerInput({
      name: ' 孔令辉 ', phone: '+86 139 1111 2222', idNumber, city: '杭州', channel: 'referral', campaignTags: ['老带新'],
      loanAmountFen: 80000000, loanTermMonths: 60, loanPurpose: '经营周转', collateral: 'house', monthlyIncomeFen: 3500000,
      remark: '朋友介绍', nextFollowUpDate: next, customFields: { 公司: '某某贸易' },
    }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: '孔令辉', phone: '139****2222', city: '杭州', channel: 'referral', channelName: '老客户转介绍', campaignTags: ['老带新'],
      stage: 'lead', stageName: '线索', ownerId: zhangId, ownerName: '张伟', departmentName: '杭州一部', inPool: false,
      loanAmountFen: 80000000, loanTermMonths: 60, loanPurpose: '经营周转', collateral: 'house', collateralName: '房产',
      monthlyIncomeFen: 3500000, remark: '朋友介绍', nextFollowUpDate: next, customFields: { 公司: '某某贸易' }, gender: 'female',
    });
    const row = await customerRow(t, res.body.id);
    expect(row).toMatchObject({ name: '孔令辉', phone_last4: '2222', birth_date: '1983-04-19', gender: 'female', stage: 'lead', channel: 'referral', next_follow_up_date: next });
    expect(Number(row.loan_amount_fen)).toBe(80000000);
    expect(Number(row.owner_id)).toBe(zhangId);
    expect(row.pooled_at).toBeNull();
    expect(row.assigned_at).not.toBeNull();
    expect(row.phone_hash).toBe(t.deps.crypto.blindIndex('phone', '13911112222'));
    expect(await snapshotCounts(t)).toEqual({
      ...before, customers: before.customers + 1, customer_stage_changes: before.customer_stage_changes + 1,
      customer_owner_changes: before.customer_owner_changes + 1, audit_logs: before.audit_logs + 1, domain_events: before.domain_events + 1,
    });
    const [stage] = await rows(t, 'SELECT * FROM customer_stage_changes WHERE customer_id = ?', [res.body.id]);
    expect([stage.from_stage, stage.to_stage, Number(stage.actor_id)]).toEqual([null, 'lead', zhangId]);
    const [owner] = await rows(t, 'SELECT * FROM customer_owner_changes WHERE customer_id = ?', [res.body.id]);
    expect([owner.kind, owner.from_user_id, Number(owner.to_user_id)]).toEqual(['create', null, zhangId]);
    const [audit] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'create' AND entity_id = ?", [String(res.body.id)]);
    expect(JSON.parse(String(audit.after_data))).toMatchObject({ name: '孔令辉', phone: '***2222', idNumber: '已登记', stage: 'lead' });
    const [event] = await rows(t, "SELECT * FROM domain_events WHERE type = 'customer.created' AND aggregate_id = ?", [String(res.body.id)]);
    expect(JSON.parse(String(event.payload))).toEqual({ customerId: res.body.id, ownerId: zhangId, channel: 'referral', via: 'create' });
  });

  it('the detail view carries what the viewer may do', async () => {
    const x = await createCustomer(zhang);
    const d = await zhang.get(`/api/v1/customers/${x.id}`);
    expect(d.body.permissions).toEqual({ edit: true, followUp: true, changeStage: true, assign: false, release: true, claim: false });
    const lead = await (await t.loginAs('吴婷')).get(`/api/v1/customers/${x.id}`);
    expect(lead.body.permissions).toEqual({ edit: true, followUp: true, changeStage: true, assign: true, release: true, claim: false });
  });

  it('a team lead registers a customer straight into a team member\'s book', async () => {
    const lead = await t.loginAs('吴婷');
    const res = await lead.post('/api/v1/customers', customerInput({ ownerId: await t.userId('黄静') }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ownerName: '黄静', departmentName: '杭州一部' });
    const [owner] = await rows(t, 'SELECT * FROM customer_owner_changes WHERE customer_id = ?', [res.body.id]);
    expect([owner.kind, Number(owner.to_user_id), Number(owner.actor_id)]).toEqual(['create', await t.userId('黄静'), await t.userId('吴婷')]);
  });

  it('a disabled channel cannot be chosen', async () => {
    await t.deps.db.sequelize.query("UPDATE channels SET enabled = ? WHERE code = 'street'", { replacements: [false] });
    t.deps.channels.invalidate();
    try {
      const before = await count(t, 'customers');
      expectValidation(await zhang.post('/api/v1/customers', customerInput({ channel: 'street' })), 'channel');
      expect(await count(t, 'customers')).toBe(before);
      expect((await zhang.get('/api/v1/channels')).body.map((c: { code: string }) => c.code)).not.toContain('street');
    } finally {
      await t.deps.db.sequelize.query("UPDATE channels SET enabled = ? WHERE code = 'street'", { replacements: [true] });
      t.deps.channels.invalidate();
    }
  });
});

describe('editing', () => {
  it('changes the given fields, audits before and after, and emits an event', async () => {
    const x = await createCustomer(zhang, { name: '修改前', city: '杭州', loanAmountFen: 10000000 });
    const before = await snapshotCounts(t);
    const idNumber = makeIdNumber('19910611', '320505', '333');
    const res = await zhang.patch(`/api/v1/customers/${x.id}`, { name: '修改后', loanAmountFen: 20000000, idNumber, collateral: 'vehicle' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: '修改后', city: '杭州', loanAmountFen: 20000000, collateralName: '车辆', gender: 'male', phone: maskPhone(x.phone) });
    const row = await customerRow(t, x.id);
    expect([row.name, Number(row.loan_amount_fen), row.birth_date, row.city]).toEqual(['修改后', 20000000, '1991-06-11', '杭州']);
    expect(t.deps.crypto.decrypt(String(row.phone_enc))).toBe(x.phone);
    expect(await snapshotCounts(t)).toEqual({ ...before, audit_logs: before.audit_logs + 1, domain_events: before.domain_events + 1 });
    const [audit] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'update' AND entity_id = ?", [String(x.id)]);
    const beforeData = JSON.parse(String(audit.before_data));
    expect(beforeData).toMatchObject({ name: '修改前', loanAmountFen: 10000000 });
    expect(beforeData).not.toHaveProperty('idNumber');
    expect(JSON.parse(String(audit.after_data))).toMatchObject({ name: '修改后', loanAmountFen: 20000000, idNumber: '已登记' });
    expect(Number(audit.actor_id)).toBe(zhangId);
    const [event] = await rows(t, "SELECT * FROM domain_events WHERE type = 'customer.updated' AND aggregate_id = ?", [String(x.id)]);
    expect(JSON.parse(String(event.payload)).fields.sort()).toEqual(['collateral', 'idNumber', 'loanAmountFen', 'name']);
  });

  it('cannot touch stage, owner, pool or bookkeeping fields', async () => {
    const x = await createCustomer(zhang);
    const rowBefore = await customerRow(t, x.id);
    const res = await zhang.patch(`/api/v1/customers/${x.id}`, {
      city: '温州', stage: 'settled', ownerId: await t.userId('梁宇'), departmentId: 1, pooledAt: null, phoneHash: 'x'.repeat(64), createdBy: 1, id: 99999,
    });
    expect(res.status).toBe(200);
    const row = await customerRow(t, x.id);
    expect(row).toEqual({ ...rowBefore, city: '温州', updated_at: row.updated_at });
  });

  it('an edit outside the book or on a pool customer is refused', async () => {
    const x = await createCustomer(zhang);
    await zhang.post(`/api/v1/customers/${x.id}/release`, { reason: '无需求' });
    expectError(await zhang.patch(`/api/v1/customers/${x.id}`, { city: '温州' }), 404, 'NOT_FOUND');
  });
});
