// Sign-in and sessions: the dev sign-in (only when enabled), the signed HttpOnly session
// cookie, /me, sign-out, tampering and expiry; plus the public health and OpenAPI endpoints.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { createApp } from '../../server/src/app';
import { createSessionCodec } from '../../server/src/modules/auth/session';
import { createTestApp, TEST_DB, type TestApp } from '../helpers/test-app';
import { count, expectError, rows } from '../helpers/fixtures';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const cookieOf = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('crm_session='));
const tokenOf = (cookie: string) => cookie.split(';')[0].slice('crm_session='.length);
const withToken = (token: string) => request(t.server).get('/api/v1/me').set('Cookie', `crm_session=${token}`);

/** The same database and services behind an app built from different settings. */
function appWith(env: Record<string, string>) {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.config.db.url, SQLITE_PATH: t.config.db.sqlitePath, ...env }, '');
  return createApp({ ...t.deps, config }).callback();
}

describe('dev sign-in', () => {
  it('lists the demo staff', async () => {
    const res = await t.anonymous().get('/api/v1/auth/dev-users');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(18);
    expect(res.body.find((u: { name: string }) => u.name === '张伟')).toEqual({ id: await t.userId('张伟'), name: '张伟', role: 'officer', roleName: '信贷员', departmentId: expect.any(Number), departmentName: '杭州一部' });
    expect(new Set(res.body.map((u: { role: string }) => u.role))).toEqual(new Set(['admin', 'director', 'risk', 'finance', 'branch_manager', 'team_lead', 'officer']));
    expect((await t.anonymous().get('/api/v1/auth/config')).body).toEqual({ devLogin: true, wecom: false, dingtalk: false });
  });

  it('sets a signed HttpOnly session cookie, audits the sign-in, and /me answers who you are', async () => {
    const anon = t.anonymous();
    const uid = await t.userId('张伟');
    const before = await count(t, 'audit_logs', "action = 'login'");
    const res = await anon.post('/api/v1/auth/dev-login', { userId: uid });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: uid, name: '张伟', role: 'officer', roleName: '信贷员', departmentName: '杭州一部', departmentKind: 'team', branchName: '杭州分公司', supervisorName: '吴婷', status: 'active' });
    const cookie = cookieOf(res)!;
    expect(cookie).toBeDefined();
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(cookie.toLowerCase()).toContain('samesite=lax');
    expect(cookie.toLowerCase()).toContain('path=/');
    expect(tokenOf(cookie)).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(await count(t, 'audit_logs', "action = 'login'")).toBe(before + 1);
    const [audit] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'login' ORDER BY id DESC LIMIT 1");
    expect([Number(audit.actor_id), audit.entity_type, String(audit.entity_id), JSON.parse(String(audit.after_data))]).toEqual([uid, 'user', String(uid), { via: 'dev' }]);

    const me = await anon.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: uid, name: '张伟', role: 'officer' });
    expect(me.headers['x-content-type-options']).toBe('nosniff');
  });

  it('an unknown user cannot sign in', async () => {
    const res = await t.anonymous().post('/api/v1/auth/dev-login', { userId: 999999 });
    expectError(res, 404, 'NOT_FOUND');
    expect(cookieOf(res)).toBeUndefined();
  });

  it('sign-out clears the cookie and the client is signed out', async () => {
    const c = await t.loginAs('刘洋');
    expect((await c.get('/api/v1/me')).status).toBe(200);
    const res = await c.post('/api/v1/auth/logout');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    const cleared = cookieOf(res)!;
    expect(tokenOf(cleared)).toBe('');
    expect(cleared.toLowerCase()).toMatch(/expires=thu, 01 jan 1970|max-age=0/);
    expectError(await c.get('/api/v1/me'), 401, 'UNAUTHENTICATED');
  });

  it('is off when disabled, and by default once a messenger is configured', async () => {
    const envs: Record<string, string>[] = [
      { AUTH_DEV_LOGIN: 'false' },
      { WECOM_CORP_ID: 'ww1234567890', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'test-secret' },
      { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), DATA_HASH_KEY: 'h'.repeat(40), DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
    ];
    for (const env of envs) {
      const server = appWith(env);
      const before = await count(t, 'audit_logs');
      expectError(await request(server).get('/api/v1/auth/dev-users'), 404, 'DEV_LOGIN_DISABLED');
      const res = await request(server).post('/api/v1/auth/dev-login').set('X-Requested-With', 'XMLHttpRequest').send({ userId: await t.userId('王敏') });
      expectError(res, 404, 'DEV_LOGIN_DISABLED');
      expect(res.body.error.message).toBe('开发登录未开启');
      expect(cookieOf(res)).toBeUndefined();
      expect((await request(server).get('/api/v1/auth/config')).body.devLogin).toBe(false);
      expect(await count(t, 'audit_logs')).toBe(before);
    }
    // Explicitly on wins over a configured messenger.
    const on = appWith({ WECOM_CORP_ID: 'ww1234567890', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'test-secret', AUTH_DEV_LOGIN: 'true' });
    expect((await request(on).get('/api/v1/auth/dev-users')).status).toBe(200);
  });
});

describe('session cookie', () => {
  let token = '';
  beforeAll(async () => {
    const res = await t.anonymous().post('/api/v1/auth/dev-login', { userId: await t.userId('张伟') });
    token = tokenOf(cookieOf(res)!);
  });

  it('the untouched token works', async () => {
    expect((await withToken(token)).body.name).toBe('张伟');
  });

  it('a payload changed to another user is refused', async () => {
    const [data, sig] = token.split('.');
    const payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ uid: await t.userId('张伟'), via: 'dev' });
    const forged = Buffer.from(JSON.stringify({ ...payload, uid: await t.userId('王敏') })).toString('base64url');
    expectError(await withToken(`${forged}.${sig}`), 401, 'UNAUTHENTICATED');
    const longer = Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 86400 * 365 })).toString('base64url');
    expectError(await withToken(`${longer}.${sig}`), 401, 'UNAUTHENTICATED');
  });

  it('a changed signature, garbage, or a token signed with another secret is refused', async () => {
    const [data, sig] = token.split('.');
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    for (const bad of [`${data}.${flipped}`, `${data}.`, data, 'garbage']) {
      expectError(await withToken(bad), 401, 'UNAUTHENTICATED');
    }
    const other = createSessionCodec('another-secret-of-at-least-32-characters!!');
    expectError(await withToken(other.encode({ uid: await t.userId('王敏'), exp: Math.floor(Date.now() / 1000) + 3600, via: 'dev' })), 401, 'UNAUTHENTICATED');
  });

  it('an expired token is refused; one signed with the server secret works', async () => {
    const codec = createSessionCodec(t.config.session.secret);
    const uid = await t.userId('王敏');
    expectError(await withToken(codec.encode({ uid, exp: Math.floor(Date.now() / 1000) - 1, via: 'dev' })), 401, 'UNAUTHENTICATED');
    expect((await withToken(codec.encode({ uid, exp: Math.floor(Date.now() / 1000) + 60, via: 'dev' }))).body.name).toBe('王敏');
  });
});

describe('public endpoints', () => {
  it('health answers status, database and version', async () => {
    const res = await request(t.server).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: TEST_DB, version: t.config.version });
    expect(t.config.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('openapi.json describes the customer API', async () => {
    const res = await request(t.server).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: '信贷CRM API', version: t.config.version });
    const methods = (p: string) => Object.keys(doc.paths[p] ?? {}).sort();
    expect(methods('/api/v1/customers')).toEqual(['get', 'post']);
    expect(methods('/api/v1/customers/{id}')).toEqual(['get', 'patch']);
    for (const p of ['/api/v1/customers/{id}/stage', '/api/v1/customers/{id}/reveal', '/api/v1/customers/{id}/assign', '/api/v1/customers/{id}/release', '/api/v1/customers/{id}/claim', '/api/v1/intake/leads', '/api/v1/auth/dev-login', '/api/v1/users/{id}/transfer-customers']) {
      expect(methods(p), p).toEqual(['post']);
    }
    for (const p of ['/api/v1/customers/check-duplicate', '/api/v1/pool', '/api/v1/workbench', '/api/v1/customers/{id}/history', '/api/v1/me']) expect(methods(p), p).toContain('get');
    expect(methods('/api/v1/customers/{id}/follow-ups')).toEqual(['get', 'post']);
    const create = doc.paths['/api/v1/customers'].post;
    expect(create.responses).toHaveProperty('201');
    expect(create.security).toEqual([{ session: [] }]);
    const schema = create.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'phone', 'idNumber', 'channel', 'loanAmountFen', 'collateral']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'phone', 'channel']));
    const listParams = doc.paths['/api/v1/customers'].get.parameters.map((p: { name: string }) => p.name);
    expect(listParams).toEqual(expect.arrayContaining(['q', 'stage', 'channel', 'nextFollowUpFrom', 'nextFollowUpTo', 'sort', 'cursor', 'limit']));
    expect(doc.paths['/api/v1/intake/leads'].post.security).toEqual([{ channelSignature: [] }]);
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'crm_session' });
  });
});
