// DingTalk HTTP event subscription against the fake's event driver: the check_url push on saving
// the URL, the encrypted "success" reply within 1.5 s, legacy query names, refused forgeries
// (nothing stored), and redelivered pushes stored and handled once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { DingtalkEventDriver } from '../fakes/dingtalk/event-driver';
import type { MessengerEvent } from '../../server/src/modules/callbacks/handler-registry';

let t: MessengerTestApp;
let driver: DingtalkEventDriver;
const seen: MessengerEvent[] = [];
const events = () => t.deps.db.models.CallbackEvent;

beforeAll(async () => {
  t = await createMessengerTestApp({ dingtalk: true });
  driver = new DingtalkEventDriver(t.dingtalk!, t.server);
  t.deps.callbacks.on('event', 'test-events', (e) => void seen.push(e));
});
afterAll(() => t?.close());

describe('DingTalk HTTP event subscription', () => {
  it('answers check_url with the encrypted "success" in time, and stores nothing for it', async () => {
    const before = await events().count();
    const r = await driver.checkUrl();
    expect(r.problem).toBeNull();
    expect(r.success).toBe(true);
    expect(Object.keys(r.body).sort()).toEqual(['encrypt', 'msg_signature', 'nonce', 'timeStamp']);
    expect(await events().count()).toBe(before);
  });

  it('accepts the legacy query names (signature, timeStamp)', async () => {
    const r = await driver.checkUrl({ legacyParams: true });
    expect(r.success).toBe(true);
  });

  it.each([
    ['a forged signature', { badSignature: true }, 'signature'],
    ['the corp id instead of the AppKey', { receiveId: 'dingfakecorp0000001' }, 'receive_id'],
    ['a timestamp 10 minutes old', { timestamp: Date.now() - 600_000 }, 'stale_timestamp'],
  ])('refuses %s: 403, no "success", nothing stored', async (_what, forgery, reason) => {
    const before = await events().count();
    const [r] = await driver.push({ EventType: 'user_add_org', UserId: ['u1'], CorpId: t.dingtalk!.app.corpId, TimeStamp: String(Date.now()) }, forgery);
    expect(r.status).toBe(403);
    expect(r.success).toBe(false);
    expect(r.body.error).toMatchObject({ code: 'CALLBACK_REJECTED', details: { reason } });
    await t.deps.callbacks.idle();
    expect(await events().count()).toBe(before);
  });

  it('refuses a body without encrypt and a plaintext that is not JSON', async () => {
    const env = driver.envelope({ EventType: 'check_url' });
    const noEncrypt = await driver.post({ query: env.query, body: { hello: 'x' } });
    expect(noEncrypt.status).toBe(400);
    const missingParams = await driver.post({ query: { nonce: 'x' }, body: env.body });
    expect(missingParams.status).toBe(422);
  });

  it('stores a redelivered event once, answers each push "success", and hands it to the event handlers once', async () => {
    seen.length = 0;
    const event = { EventType: 'user_add_org', UserId: ['manager4387'], CorpId: t.dingtalk!.app.corpId, TimeStamp: String(Date.now()) };
    const answers = await driver.push(event, { times: 3 });
    for (const a of answers) expect(a.problem).toBeNull();
    await t.deps.callbacks.idle();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ provider: 'dingtalk', type: 'user_add_org', raw: event });
    const rows = await events().findAll({ where: { source: 'dingtalk', eventType: 'user_add_org' }, raw: true });
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('handled');
  });
});
