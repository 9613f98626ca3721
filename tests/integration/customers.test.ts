import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('customers', () => {
  it('an officer registers a customer and finds it by phone tail', async () => {
    const zhang = await t.loginAs('张伟');
    const input = customerInput({ name: '钱多多' });
    const created = await zhang.post('/api/v1/customers', input);
    expect(created.status).toBe(201);
    expect(created.body.phone).toBe(`${input.phone.slice(0, 3)}****${input.phone.slice(7)}`);
    const found = await zhang.get(`/api/v1/customers?q=${input.phone.slice(-4)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: { id: number }) => c.id)).toContain(created.body.id);
  });
});
