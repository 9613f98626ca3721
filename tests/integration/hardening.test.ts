// A pool customer's contact details come only with claiming it; the session cookie is Secure
// whenever the public address is https, even behind a TLS-terminating proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, type TestApp } from '../helpers/test-app';
import { count } from '../helpers/fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('pool customers', () => {
  it('cannot be revealed before they are claimed, and nothing is audited', async () => {
    const zhang = await t.loginAs('张伟');
    const input = customerInput();
    const created = await zhang.post('/api/v1/customers', input);
    await zhang.post(`/api/v1/customers/${created.body.id}/release`, { reason: '暂无需求' });
    const liu = await t.loginAs('刘洋');
    const detail = await liu.get(`/api/v1/customers/${created.body.id}`);
    expect(detail.body).toMatchObject({ inPool: true, phoneRevealable: false });
    const before = await count(t, 'audit_logs', "action = 'reveal'");
    const refused = await liu.post(`/api/v1/customers/${created.body.id}/reveal`, { field: 'phone' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CUSTOMER_IN_POOL');
    expect(JSON.stringify(refused.body)).not.toContain(input.phone);
    expect(await count(t, 'audit_logs', "action = 'reveal'")).toBe(before);

    await liu.post(`/api/v1/customers/${created.body.id}/claim`);
    const revealed = await liu.post(`/api/v1/customers/${created.body.id}/reveal`, { field: 'phone' });
    expect(revealed.status).toBe(200);
    expect(revealed.body.value).toBe(input.phone);
  });
});

describe('session cookie behind an https proxy', () => {
  it('is Secure and HttpOnly when PUBLIC_URL is https, even over a plain-HTTP hop', async () => {
    const secure = await createTestApp({ env: { PUBLIC_URL: 'https://crm.example.com' } });
    try {
      const res = await secure.anonymous().post('/api/v1/auth/dev-login', { userId: await secure.userId('张伟') });
      expect(res.status).toBe(200);
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/crm_session=/);
      expect(cookie).toMatch(/;\s*secure/i);
      expect(cookie).toMatch(/;\s*httponly/i);
    } finally {
      await secure.close();
    }
  });

  it('is not Secure on a plain http address (local trial)', async () => {
    const res = await t.anonymous().post('/api/v1/auth/dev-login', { userId: await t.userId('张伟') });
    expect(String(res.headers['set-cookie'])).not.toMatch(/;\s*secure/i);
  });
});
