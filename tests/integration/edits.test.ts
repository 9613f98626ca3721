// Edits that clear fields, the follow-up plan leaving with a released customer, and literal
// name search (% and _ are ordinary characters on both databases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createTestApp, customerInput, makeIdNumber, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('editing a customer', () => {
  it('clears optional fields sent as null or "", and keeps fields left out', async () => {
    const zhang = await t.loginAs('张伟');
    const created = await zhang.post('/api/v1/customers', customerInput({ idNumber: makeIdNumber('19850101', '330102', '456'), loanPurpose: '装修', nextFollowUpDate: addDays(shanghaiDate(), 2) }));
    expect(created.status).toBe(201);
    const res = await zhang.patch(`/api/v1/customers/${created.body.id}`, { city: '', loanPurpose: null, idNumber: null, nextFollowUpDate: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ city: null, loanPurpose: null, idNumber: null, nextFollowUpDate: null, age: null, loanAmountFen: 50000000 });
    const row = await t.deps.db.models.Customer.findByPk(created.body.id);
    expect(row).toMatchObject({ city: null, loanPurpose: null, idNumberEnc: null, idNumberHash: null, birthDate: null, gender: null, nextFollowUpDate: null });
    expect(Number(row!.loanAmountFen)).toBe(50000000);
  });

  it('refuses to clear required fields and an empty patch', async () => {
    const zhang = await t.loginAs('张伟');
    const created = await zhang.post('/api/v1/customers', customerInput());
    for (const body of [{ name: null }, { phone: '' }, { channel: null }, {}, { city: undefined }]) {
      const res = await zhang.patch(`/api/v1/customers/${created.body.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
  });
});

describe('releasing to the pool', () => {
  it('drops the old follow-up plan so a claimer does not inherit it', async () => {
    const zhang = await t.loginAs('张伟');
    const created = await zhang.post('/api/v1/customers', customerInput({ nextFollowUpDate: addDays(shanghaiDate(), 1) }));
    const released = await zhang.post(`/api/v1/customers/${created.body.id}/release`, { reason: '客户暂无需求' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ inPool: true, nextFollowUpDate: null, poolReason: '客户暂无需求' });
    const liu = await t.loginAs('刘洋');
    const claimed = await liu.post(`/api/v1/customers/${created.body.id}/claim`);
    expect(claimed.body).toMatchObject({ ownerName: '刘洋', nextFollowUpDate: null });
  });
});

describe('name search', () => {
  it('treats % and _ literally', async () => {
    const zhang = await t.loginAs('张伟');
    await zhang.post('/api/v1/customers', customerInput({ name: '百分%号' }));
    await zhang.post('/api/v1/customers', customerInput({ name: '下划_线' }));
    await zhang.post('/api/v1/customers', customerInput({ name: '普通名字' }));
    const pct = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('%')}`);
    expect(pct.body.items.map((c: { name: string }) => c.name)).toEqual(['百分%号']);
    const us = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('_')}`);
    expect(us.body.items.map((c: { name: string }) => c.name)).toEqual(['下划_线']);
    const part = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('名字')}`);
    expect(part.body.items.map((c: { name: string }) => c.name)).toEqual(['普通名字']);
  });
});
