// Sign-in through WeCom against the fake: the OAuth2 redirect from the workbench and the desktop
// QR login, the state (forged, replayed, expired, from another browser), codes (used, expired),
// people the CRM does not know, disabled staff and outsiders; a session that works afterwards.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { installWecomOauth, type WecomOauth } from '../fakes/wecom/oauth';
import { createOAuthStateCodec, SSO_STATE_TTL_SECONDS } from '../../server/src/modules/auth/oauth-state';
import { count, exec, rows } from '../helpers/fixtures';

const WECOM_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.0 MicroMessenger/7.0.1 Language/zh';
const CALLBACK = 'http://127.0.0.1:3000/api/v1/auth/wecom/callback';

let t: MessengerTestApp;
let oauth: WecomOauth;

beforeAll(async () => {
  t = await createMessengerTestApp({ wecom: true });
  oauth = installWecomOauth(t.wecom!);
  t.wecom!.addUser({ userid: 'ZhangWei', name: '张伟', department: [1] });
  t.wecom!.addUser({ userid: 'LiuYang', name: '刘洋', department: [1] });
  t.wecom!.addUser({ userid: 'stranger', name: '新同事', department: [1] });
  await exec(t, 'UPDATE users SET wecom_userid = ? WHERE name = ?', ['ZhangWei', '张伟']);
  await exec(t, "UPDATE users SET wecom_userid = ?, status = 'disabled' WHERE name = ?", ['LiuYang', '刘洋']);
});
afterAll(async () => t?.close());

type Agent = ReturnType<typeof request.agent>;
const newAgent = (): Agent => request.agent(t.server);
const cookieValue = (res: request.Response, name: string) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);

/** The browser inside WeCom: our start → the fake's authorize page → back to our callback. */
async function throughWecom(agent: Agent, opts: { redirect?: string; ua?: string; flow?: 'start' | 'qr-start' } = {}) {
  const start = await agent.get(`/api/v1/auth/wecom/${opts.flow ?? 'start'}${opts.redirect !== undefined ? `?redirect=${encodeURIComponent(opts.redirect)}` : ''}`);
  expect(start.status).toBe(302);
  const page = await fetch(start.headers.location, { redirect: 'manual', headers: { 'user-agent': opts.ua ?? WECOM_UA } });
  expect(page.status, await page.clone().text()).toBe(302);
  const back = new URL(page.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
  const callback = await agent.get(back.pathname + back.search);
  return { start, back, callback, state: back.searchParams.get('state')!, code: back.searchParams.get('code')!, nonceCookie: cookieValue(start, 'crm_sso')! };
}

const meOf = (agent: Agent) => agent.get('/api/v1/me');

describe('WeCom sign-in from the workbench (snsapi_base)', () => {
  it('sends the browser to the authorize page with the documented parameters', async () => {
    const res = await newAgent().get('/api/v1/auth/wecom/start?redirect=%2Fcustomers%2F12');
    expect(res.status).toBe(302);
    const loc: string = res.headers.location;
    expect(loc.startsWith(`${t.wecom!.url}/connect/oauth2/authorize?`)).toBe(true);
    expect(loc.endsWith('#wechat_redirect')).toBe(true);
    const u = new URL(loc);
    expect([...u.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state', 'agentid']);
    expect(u.searchParams.get('appid')).toBe(t.wecom!.corp.corpId);
    expect(u.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('scope')).toBe('snsapi_base');
    expect(u.searchParams.get('agentid')).toBe(String(t.wecom!.corp.agentId));
    expect(u.searchParams.get('state')).toMatch(/^[a-zA-Z0-9]{1,128}$/);
    const cookie = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('crm_sso='))!.toLowerCase();
    expect(cookie).toContain('httponly');
    expect(cookie).toContain('path=/api/v1/auth/wecom');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('signs a member in silently and lands on the page they asked for; the session works', async () => {
    oauth.currentUser = 'ZhangWei';
    const agent = newAgent();
    const logins = await count(t, 'audit_logs', "action = 'login'");
    const { callback } = await throughWecom(agent, { redirect: '/customers?stage=lead' });
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe('/customers?stage=lead');
    expect(cookieValue(callback, 'crm_session')).toBeTruthy();
    expect(cookieValue(callback, 'crm_sso')).toBe(''); // the nonce cookie is cleared
    const me = await meOf(agent);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: await t.userId('张伟'), name: '张伟', role: 'officer' });
    expect(await count(t, 'audit_logs', "action = 'login'")).toBe(logins + 1);
    const [audit] = await rows(t, "SELECT * FROM audit_logs WHERE action = 'login' ORDER BY id DESC LIMIT 1");
    expect([Number(audit.actor_id), JSON.parse(String(audit.after_data))]).toEqual([await t.userId('张伟'), { via: 'wecom' }]);
    expect((await agent.get('/api/v1/customers')).status).toBe(200);
  });

  it('never redirects off-site after sign-in (open redirect)', async () => {
    oauth.currentUser = 'ZhangWei';
    for (const evil of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', '/api/v1/auth/wecom/start']) {
      const { callback } = await throughWecom(newAgent(), { redirect: evil });
      expect(callback.headers.location, evil).toBe('/');
    }
  });

  it('signs in from a desktop browser through the QR login page', async () => {
    oauth.currentUser = 'ZhangWei';
    const agent = newAgent();
    const { start, callback } = await throughWecom(agent, { flow: 'qr-start', redirect: '/pool', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0' });
    const u = new URL(start.headers.location);
    expect(u.origin + u.pathname).toBe(`${t.wecom!.url}/wwlogin/sso/login`);
    expect(Object.fromEntries(u.searchParams)).toMatchObject({ login_type: 'CorpApp', appid: t.wecom!.corp.corpId, agentid: String(t.wecom!.corp.agentId), redirect_uri: CALLBACK });
    expect(callback.headers.location).toBe('/pool');
    expect((await meOf(agent)).body.name).toBe('张伟');
  });

  it('the fake refuses like WeCom: outside the WeCom client, an untrusted redirect domain, a bad state', async () => {
    const start = await newAgent().get('/api/v1/auth/wecom/start');
    const loc = start.headers.location as string;
    const outside = await fetch(loc, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 Chrome/120.0' } });
    expect([outside.status, await outside.text()]).toEqual([200, '请在企业微信客户端打开链接']);
    const untrusted = new URL(loc);
    untrusted.searchParams.set('redirect_uri', 'https://evil.example/cb');
    expect(await (await fetch(untrusted, { redirect: 'manual', headers: { 'user-agent': WECOM_UA } })).text()).toMatch(/^errcode=50001/);
    const badState = new URL(loc);
    badState.searchParams.set('state', 'a-b');
    expect(await (await fetch(badState, { redirect: 'manual', headers: { 'user-agent': WECOM_UA } })).text()).toMatch(/^errcode=40001 state/);
  });
});

describe('refusals end on the H5 page that explains them, with no session', () => {
  async function expectRefused(agent: Agent, res: request.Response, reason: string, redirect?: string) {
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.location, 'http://x');
    expect(loc.pathname).toBe('/no-access');
    expect(loc.searchParams.get('reason')).toBe(reason);
    expect(loc.searchParams.get('redirect')).toBe(redirect ?? null);
    expect(cookieValue(res, 'crm_session')).toBeUndefined();
    expect((await meOf(agent)).status).toBe(401);
  }

  it('a forged state', async () => {
    oauth.currentUser = 'ZhangWei';
    const agent = newAgent();
    const start = await agent.get('/api/v1/auth/wecom/start');
    const state = new URL(start.headers.location).searchParams.get('state')!;
    const flipped = state.slice(0, -1) + (state.endsWith('0') ? '1' : '0');
    const res = await agent.get(`/api/v1/auth/wecom/callback?code=${oauth.issueCode('ZhangWei')}&state=${flipped}`);
    await expectRefused(agent, res, 'state');
    // and with no state at all
    await expectRefused(agent, await agent.get(`/api/v1/auth/wecom/callback?code=${oauth.issueCode('ZhangWei')}`), 'state');
  });

  it('a replayed state, even with its nonce cookie and a fresh code', async () => {
    oauth.currentUser = 'ZhangWei';
    const first = await throughWecom(newAgent());
    expect(first.callback.headers.location).toBe('/');
    const replayer = newAgent();
    const res = await replayer
      .get(`/api/v1/auth/wecom/callback?code=${oauth.issueCode('ZhangWei')}&state=${first.state}`)
      .set('Cookie', `crm_sso=${first.nonceCookie}`);
    await expectRefused(replayer, res, 'state');
    expect(await count(t, 'sso_states', 'nonce = ?', [first.state.slice(0, 32)])).toBe(1);
  });

  it('a repeated callback in a browser that is already signed in goes to 工作台, with no new session', async () => {
    oauth.currentUser = 'ZhangWei';
    const agent = newAgent();
    const first = await throughWecom(agent, { redirect: '/pool' });
    const again = await agent.get(first.back.pathname + first.back.search);
    // the nonce cookie (and with it the page) went with the first use
    expect([again.status, again.headers.location]).toEqual([302, '/']);
    expect(cookieValue(again, 'crm_session')).toBeUndefined();
  });

  it('a state started in another browser (login CSRF)', async () => {
    const attacker = await newAgent().get('/api/v1/auth/wecom/start');
    const state = new URL(attacker.headers.location).searchParams.get('state')!;
    const victim = newAgent();
    await victim.get('/api/v1/auth/wecom/start'); // the victim has a nonce cookie of their own
    await expectRefused(victim, await victim.get(`/api/v1/auth/wecom/callback?code=${oauth.issueCode('ZhangWei')}&state=${state}`), 'state');
  });

  it('an expired state (older than 10 minutes), keeping the page to return to', async () => {
    const old = createOAuthStateCodec(t.config.session.secret, () => Date.now() - (SSO_STATE_TTL_SECONDS + 1) * 1000).issue('wecom', '/pool');
    const agent = newAgent();
    const res = await agent.get(`/api/v1/auth/wecom/callback?code=${oauth.issueCode('ZhangWei')}&state=${old.state}`).set('Cookie', `crm_sso=${old.cookie}`);
    await expectRefused(agent, res, 'state', '/pool');
  });

  it('a code that was already used, or is older than 5 minutes (40029)', async () => {
    oauth.currentUser = 'ZhangWei';
    const used = (await throughWecom(newAgent())).code;
    const agent = newAgent();
    const start = await agent.get('/api/v1/auth/wecom/start?redirect=%2Fpool');
    const state = new URL(start.headers.location).searchParams.get('state')!;
    await expectRefused(agent, await agent.get(`/api/v1/auth/wecom/callback?code=${used}&state=${state}`), 'code', '/pool');

    const stale = oauth.issueCode('ZhangWei');
    t.clock.advance(5 * 60_000 + 1000);
    const agent2 = newAgent();
    const start2 = await agent2.get('/api/v1/auth/wecom/start');
    const state2 = new URL(start2.headers.location).searchParams.get('state')!;
    await expectRefused(agent2, await agent2.get(`/api/v1/auth/wecom/callback?code=${stale}&state=${state2}`), 'code');
  });

  it('a WeCom member the CRM does not know', async () => {
    oauth.currentUser = 'stranger';
    const agent = newAgent();
    await expectRefused(agent, (await throughWecom(agent, { redirect: '/customers' })).callback, 'unknown', '/customers');
  });

  it('a disabled employee', async () => {
    oauth.currentUser = 'LiuYang';
    const agent = newAgent();
    await expectRefused(agent, (await throughWecom(agent)).callback, 'disabled');
  });

  it('someone outside the corp (openid, no userid)', async () => {
    oauth.currentUser = { openid: 'oAbCdEfG123' };
    const agent = newAgent();
    await expectRefused(agent, (await throughWecom(agent)).callback, 'not_member');
  });

  it('WeCom refusing the server (60020 untrusted IP)', async () => {
    oauth.currentUser = 'ZhangWei';
    t.wecom!.ipNotTrusted = true;
    try {
      const agent = newAgent();
      await expectRefused(agent, (await throughWecom(agent)).callback, 'unavailable');
    } finally {
      t.wecom!.ipNotTrusted = false;
    }
  });

  it('an XHR caller gets the JSON error instead of a redirect', async () => {
    oauth.currentUser = 'stranger';
    const agent = newAgent();
    const start = await agent.get('/api/v1/auth/wecom/start');
    const state = new URL(start.headers.location).searchParams.get('state')!;
    const res = await agent.get(`/api/v1/auth/wecom/callback?code=${oauth.issueCode('stranger')}&state=${state}`).set('X-Requested-With', 'XMLHttpRequest');
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'MESSENGER_USER_UNKNOWN', message: '您的账号尚未开通信贷CRM,请联系管理员开通' });
    const forged = await agent.get(`/api/v1/auth/wecom/callback?code=x&state=${'0'.repeat(82)}`).set('X-Requested-With', 'XMLHttpRequest');
    expect([forged.status, forged.body.error.code]).toEqual([400, 'SSO_STATE_INVALID']);
  });
});

describe('what the H5 is told', () => {
  it('/auth/config names the WeCom app, never its secret', async () => {
    const res = await request(t.server).get('/api/v1/auth/config');
    expect(res.body).toEqual({ devLogin: true, wecom: { corpId: t.wecom!.corp.corpId, agentId: t.wecom!.corp.agentId }, dingtalk: false });
    expect(JSON.stringify(res.body)).not.toContain(t.wecom!.corp.secret);
  });

  it('DingTalk sign-in is not available when only WeCom is configured', async () => {
    const res = await request(t.server).post('/api/v1/auth/dingtalk').set('X-Requested-With', 'XMLHttpRequest').send({ code: 'abc' });
    expect([res.status, res.body.error.code]).toEqual([404, 'MESSENGER_NOT_CONFIGURED']);
  });
});
