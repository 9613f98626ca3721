// DingTalk 免登 against the fake: the H5 gets a code from requestAuthCode and posts it; the
// server exchanges it (topapi/v2/user/getuserinfo) and maps the DingTalk userid to a CRM user.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { installDingtalkSso, type DingtalkSso } from '../fakes/dingtalk/sso';
import { count, exec, rows } from '../helpers/fixtures';

let t: MessengerTestApp;
let sso: DingtalkSso;

beforeAll(async () => {
  t = await createMessengerTestApp({ dingtalk: true });
  sso = installDingtalkSso(t.dingtalk!);
  t.dingtalk!.addUser({ userid: 'manager4521', name: '张伟', dept_id_list: [1] });
  t.dingtalk!.addUser({ userid: 'ding-liuyang', name: '刘洋', dept_id_list: [1] });
  t.dingtalk!.addUser({ userid: 'ding-newbie', name: '新同事', dept_id_list: [1] });
  await exec(t, 'UPDATE users SET dingtalk_userid = ? WHERE name = ?', ['manager4521', '张伟']);
  await exec(t, "UPDATE users SET dingtalk_userid = ?, status = 'disabled' WHERE name = ?", ['ding-liuyang', '刘洋']);
});
afterAll(async () => t?.close());

const agent = () => request.agent(t.server);
const signIn = (a: ReturnType<typeof agent>, code: unknown) => a.post('/api/v1/auth/dingtalk').set('X-Requested-With', 'XMLHttpRequest').send({ code });
const sessionCookie = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('crm_session='));

describe('DingTalk 免登', () => {
  it('signs a member in with a fresh auth code; the session works and the sign-in is audited', async () => {
    const a = agent();
    const logins = await count(t, 'audit_logs', "action = 'login'");
    const res = await signIn(a, sso.mintAuthCode('manager4521'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: await t.userId('张伟'), name: '张伟', role: 'officer' });
    expect(sessionCookie(res)?.toLowerCase()).toContain('httponly');
    expect((await a.get('/api/v1/me')).body.name).toBe('张伟');
    expect(await count(t, 'audit_logs', "action = 'login'")).toBe(logins + 1);
    const [audit] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'login' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(audit.after_data))).toEqual({ via: 'dingtalk' });
    // the server exchanged exactly that code with the fake
    const call = t.dingtalk!.calls.filter((c) => c.path === '/topapi/v2/user/getuserinfo').at(-1)!;
    expect(call.method).toBe('POST');
    expect(call.query.access_token).toBeTruthy();
  });

  it('a code works once: the second use is 401 SSO_CODE_INVALID', async () => {
    const code = sso.mintAuthCode('manager4521');
    expect((await signIn(agent(), code)).status).toBe(200);
    const a = agent();
    const again = await signIn(a, code);
    expect(again.status).toBe(401);
    expect(again.body.error).toEqual({ code: 'SSO_CODE_INVALID', message: '登录授权码无效或已使用,请重新从工作台打开' });
    expect(sessionCookie(again)).toBeUndefined();
    expect((await a.get('/api/v1/me')).status).toBe(401);
  });

  it('a code older than 5 minutes, or one never issued, is refused', async () => {
    const stale = sso.mintAuthCode('manager4521');
    t.clock.advance(5 * 60_000 + 1000);
    expect((await signIn(agent(), stale)).body.error.code).toBe('SSO_CODE_INVALID');
    expect((await signIn(agent(), 'made-up-code')).body.error.code).toBe('SSO_CODE_INVALID');
    expect((await signIn(agent(), sso.mintAuthCode('manager4521', 'dingothercorp'))).body.error.code).toBe('SSO_CODE_INVALID');
  });

  it('a DingTalk member the CRM does not know: 403 with the message to contact the admin, no session', async () => {
    const a = agent();
    const res = await signIn(a, sso.mintAuthCode('ding-newbie'));
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'MESSENGER_USER_UNKNOWN', message: '您的账号尚未开通信贷CRM,请联系管理员开通' });
    expect(sessionCookie(res)).toBeUndefined();
    expect((await a.get('/api/v1/me')).status).toBe(401);
  });

  it('a disabled employee: 403 USER_DISABLED', async () => {
    const res = await signIn(agent(), sso.mintAuthCode('ding-liuyang'));
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([403, 'USER_DISABLED', '账号已停用,请联系管理员']);
    expect(sessionCookie(res)).toBeUndefined();
  });

  it('needs the CSRF header and a code', async () => {
    const calls = t.dingtalk!.count('/topapi/v2/user/getuserinfo');
    const noHeader = await agent().post('/api/v1/auth/dingtalk').send({ code: sso.mintAuthCode('manager4521') });
    expect([noHeader.status, noHeader.body.error.code]).toEqual([403, 'CSRF_REJECTED']);
    for (const bad of ['', '   ', null, 42]) {
      const res = await signIn(agent(), bad);
      expect([res.status, res.body.error.code], String(bad)).toEqual([422, 'VALIDATION_FAILED']);
    }
    expect(t.dingtalk!.count('/topapi/v2/user/getuserinfo')).toBe(calls);
  });

  it('DingTalk failing (untrusted IP) is 503 MESSENGER_UNAVAILABLE, not a crash', async () => {
    t.dingtalk!.failNext('/topapi/v2/user/getuserinfo', 60020);
    const res = await signIn(agent(), sso.mintAuthCode('manager4521'));
    expect([res.status, res.body.error.code]).toEqual([503, 'MESSENGER_UNAVAILABLE']);
  });

  it('survives a revoked access token (refetched once) and still signs in', async () => {
    t.dingtalk!.revokeTokens();
    const res = await signIn(agent(), sso.mintAuthCode('manager4521'));
    expect(res.status).toBe(200);
  });

  it('/auth/config tells the H5 the corpId and clientId, never the secret; WeCom sign-in is off', async () => {
    const cfg = await request(t.server).get('/api/v1/auth/config');
    expect(cfg.body).toEqual({ devLogin: true, wecom: false, dingtalk: { corpId: t.dingtalk!.app.corpId, clientId: t.dingtalk!.app.clientId } });
    expect(JSON.stringify(cfg.body)).not.toContain(t.dingtalk!.app.clientSecret);
    const start = await request(t.server).get('/api/v1/auth/wecom/start');
    expect([start.status, start.headers.location]).toEqual([302, '/no-access?reason=not_configured']);
  });
});
