// JS-SDK configuration for the H5 against the fakes: WeCom config + agentConfig signatures and
// DingTalk dd.config, each accepted by the fake's own verifier (what the client checks), tickets
// fetched once and reused, only pages of this app signed, and a colleague's messenger ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { installWecomJsapi, type WecomJsapi } from '../fakes/wecom/jsapi';
import { installDingtalkJsapi, type DingtalkJsapi } from '../fakes/dingtalk/jsapi';
import { exec } from '../helpers/fixtures';
import type { Client } from '../helpers/test-app';
import { wecomJsapiSignature } from '../../server/src/modules/messenger/jssdk-signature';

let t: MessengerTestApp;
let wj: WecomJsapi;
let dj: DingtalkJsapi;
let zhang: Client;

const PAGE = 'http://127.0.0.1:3000/customers/12?tab=follow&name=%E5%BC%A0%E4%B8%89#top';
const cfg = (c: Client, url: string, platform?: string) =>
  c.get(`/api/v1/messenger/jssdk-config?url=${encodeURIComponent(url)}${platform ? `&platform=${platform}` : ''}`);

beforeAll(async () => {
  t = await createMessengerTestApp({ wecom: true, dingtalk: true });
  wj = installWecomJsapi(t.wecom!);
  dj = installDingtalkJsapi(t.dingtalk!);
  zhang = await t.loginAs('张伟');
});
afterAll(async () => t?.close());

describe('WeCom ww.register signatures', () => {
  it('a ticket the server cannot get is 503 MESSENGER_UNAVAILABLE (and is fetched again next time)', async () => {
    t.wecom!.failNext('/cgi-bin/get_jsapi_ticket', 60020);
    const res = await cfg(zhang, PAGE, 'wecom');
    expect([res.status, res.body.error?.code]).toEqual([503, 'MESSENGER_UNAVAILABLE']);
  });

  it('config and agentConfig verify at the fake, each with its own ticket, for the URL minus #fragment', async () => {
    const res = await cfg(zhang, PAGE, 'wecom');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['wecom']);
    const w = res.body.wecom;
    expect(w).toMatchObject({ corpId: t.wecom!.corp.corpId, agentId: t.wecom!.corp.agentId });
    for (const part of [w.config, w.agentConfig]) {
      expect(Object.keys(part).sort()).toEqual(['nonceStr', 'signature', 'timestamp']);
      expect(part.signature).toMatch(/^[0-9a-f]{40}$/);
      expect(Math.abs(part.timestamp - Date.now() / 1000)).toBeLessThan(60);
    }
    expect(wj.verifySignature('corp', PAGE, w.config)).toBe(true);
    expect(wj.verifySignature('agent', PAGE, w.agentConfig)).toBe(true);
    // the two are not interchangeable, and a signature is for one page only
    expect(wj.verifySignature('agent', PAGE, w.config)).toBe(false);
    expect(wj.verifySignature('corp', 'http://127.0.0.1:3000/customers/13', w.config)).toBe(false);
    // the signature is the reference formula (W3) over the live ticket
    const [ticket] = [...wj.tickets.corp.keys()];
    expect(wecomJsapiSignature({ ticket, nonceStr: w.config.nonceStr, timestamp: w.config.timestamp, url: PAGE.split('#')[0] })).toBe(w.config.signature);
  });

  it('fetches each ticket once for many page views, and again only after it expires', async () => {
    const before = { corp: wj.fetches('corp'), agent: wj.fetches('agent') };
    const pages = Array.from({ length: 25 }, (_, i) => `http://127.0.0.1:3000/customers/${i + 1}`);
    const answers = await Promise.all(pages.map((p) => cfg(zhang, p, 'wecom')));
    answers.forEach((r, i) => expect(wj.verifySignature('corp', pages[i], r.body.wecom.config)).toBe(true));
    expect(wj.fetches('corp') - before.corp).toBe(0);
    expect(wj.fetches('agent') - before.agent).toBe(0);
    expect(wj.fetches('corp')).toBe(1);
    expect(wj.fetches('agent')).toBe(1);

    t.clock.advance(7200_000); // tickets (and the token) expire
    const res = await cfg(zhang, PAGE, 'wecom');
    expect(wj.verifySignature('corp', PAGE, res.body.wecom.config)).toBe(true);
    expect([wj.fetches('corp'), wj.fetches('agent')]).toEqual([2, 2]);
  });
});

describe('DingTalk dd.config', () => {
  it('verifies at the fake, which signs the URL with its query decoded', async () => {
    const res = await cfg(zhang, PAGE, 'dingtalk');
    expect(res.status).toBe(200);
    const d = res.body.dingtalk;
    expect(d).toMatchObject({ agentId: t.dingtalk!.app.agentId, corpId: t.dingtalk!.app.corpId, type: 0 });
    expect(Object.keys(d).sort()).toEqual(['agentId', 'corpId', 'nonceStr', 'signature', 'timeStamp', 'type']);
    expect(dj.verifySignature(PAGE, d)).toBe(true);
    // decoding matters here: the same ticket over the raw URL gives another signature
    const [ticket] = [...dj.tickets.keys()];
    expect(wecomJsapiSignature({ ticket, nonceStr: d.nonceStr, timestamp: d.timeStamp, url: PAGE })).not.toBe(d.signature);
  });

  it('fetches the ticket once for many page views', async () => {
    const before = dj.fetches();
    await Promise.all(Array.from({ length: 10 }, () => cfg(zhang, PAGE, 'dingtalk')));
    expect(dj.fetches()).toBe(before);
    expect(before).toBe(1);
  });

  it('without a platform, every configured one is signed', async () => {
    const res = await cfg(zhang, PAGE);
    expect(Object.keys(res.body).sort()).toEqual(['dingtalk', 'wecom']);
  });

  it('a malformed escape in the query is 422 INVALID_URL', async () => {
    const res = await cfg(zhang, 'http://127.0.0.1:3000/customers?q=%E5%BC', 'dingtalk');
    expect([res.status, res.body.error.code]).toEqual([422, 'INVALID_URL']);
  });
});

describe('only pages of this app, only for signed-in staff', () => {
  it('401 without a session', async () => {
    const res = await t.anonymous().get(`/api/v1/messenger/jssdk-config?url=${encodeURIComponent(PAGE)}`);
    expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it.each([
    'https://evil.example/customers',
    'http://127.0.0.1:3000@evil.example/',
    'http://127.0.0.1:30000/customers',
    'http://127.0.0.1:3000.evil.example/',
    'https://127.0.0.1:3000/customers',
    'javascript:alert(1)//http://127.0.0.1:3000/',
    '/customers',
    'not a url',
  ])('422 INVALID_URL for %s', async (url) => {
    const tickets = wj.fetches('corp');
    const res = await cfg(zhang, url);
    expect([res.status, res.body.error.code]).toEqual([422, 'INVALID_URL']);
    expect(wj.fetches('corp')).toBe(tickets);
  });

  it('422 VALIDATION_FAILED without a url or with an unknown platform', async () => {
    expect((await zhang.get('/api/v1/messenger/jssdk-config')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await cfg(zhang, PAGE, 'feishu')).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('opening a chat with a colleague', () => {
  it('answers the colleague’s WeCom and DingTalk ids', async () => {
    await exec(t, 'UPDATE users SET wecom_userid = ?, dingtalk_userid = ? WHERE name = ?', ['WuTing', 'ding-wuting', '吴婷']);
    const wu = await t.userId('吴婷');
    const res = await zhang.get(`/api/v1/messenger/chat-target/${wu}`);
    expect(res.body).toEqual({ id: wu, name: '吴婷', wecomUserid: 'WuTing', dingtalkUserid: 'ding-wuting' });
  });

  it('404 for someone disabled or unknown; 401 without a session', async () => {
    await exec(t, "UPDATE users SET status = 'disabled' WHERE name = ?", ['刘洋']);
    expect((await zhang.get(`/api/v1/messenger/chat-target/${await t.userId('刘洋')}`)).status).toBe(404);
    expect((await zhang.get('/api/v1/messenger/chat-target/999999')).status).toBe(404);
    expect((await t.anonymous().get(`/api/v1/messenger/chat-target/${await t.userId('吴婷')}`)).status).toBe(401);
  });
});
