// WeCom callbacks end to end against the fake: URL verification, refused forgeries (nothing
// stored, a log line), a card tap delivered three times reaching its handler once with one
// update_template_card, the fast acknowledgement with a slow handler, and recovery of events a
// crash left unhandled.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { installWecomCards, type WecomCards } from '../fakes/wecom/cards';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver';
import type { CardActionEvent, CardActionResult } from '../../server/src/modules/callbacks/handler-registry';
import { BOT_JOBS } from '../../bot/src/jobs';
import { callbackSweepJob } from '../../bot/src/jobs/callback-sweep.job';
import { sealEnvelope } from '../../server/src/modules/callbacks/callback-crypto';
import { buildXml } from '../../server/src/modules/callbacks/wecom-xml';

let t: MessengerTestApp;
let cards: WecomCards;
let driver: WecomCallbackDriver;
let seq = 0;
const taps: CardActionEvent[] = [];
let decide: (e: CardActionEvent) => Promise<CardActionResult | undefined> = async () => ({ replaceName: '已同意' });

const events = () => t.deps.db.models.CallbackEvent;
const taskId = () => `task_${++seq}`;
const updateCalls = () => t.wecom!.count('/cgi-bin/message/update_template_card');

beforeAll(async () => {
  t = await createMessengerTestApp({ wecom: true });
  cards = installWecomCards(t.wecom!);
  driver = new WecomCallbackDriver(t.wecom!, t.server);
  await t.deps.db.models.User.update({ wecomUserid: 'zhangwei' }, { where: { name: '张伟' } });
  await t.deps.db.models.User.update({ wecomUserid: 'wangmin' }, { where: { name: '王敏' } });
  t.deps.callbacks.on('card_action', 'test-approvals', async (e) => {
    if (!e.key.startsWith('test:')) return undefined;
    taps.push(e);
    return decide(e);
  });
});
afterAll(() => t?.close());
beforeEach(() => {
  taps.length = 0;
  decide = async () => ({ replaceName: '已同意' });
});

describe('URL verification (GET)', () => {
  it('answers the exact decrypted echostr, bare', async () => {
    const r = await driver.verifyUrl();
    expect(r.status).toBe(200);
    expect(r.text).toBe(r.expected);
    expect(r.elapsedMs).toBeLessThan(5000);
  });

  it.each([
    ['a forged signature', { badSignature: true }, 'signature'],
    ['another receive id', { receiveId: 'wwsomeothercorp' }, 'receive_id'],
    ['a timestamp 10 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 600 }, 'stale_timestamp'],
  ])('refuses %s', async (_what, forgery, reason) => {
    const r = await driver.verifyUrl(forgery);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'CALLBACK_REJECTED', details: { reason } });
    expect(r.text).not.toContain(r.expected);
  });
});

describe('events (POST)', () => {
  it.each([
    ['a forged signature', { badSignature: true }, 'signature'],
    ['another receive id', { receiveId: 'wwsomeothercorp' }, 'receive_id'],
    ['a stale timestamp (a replay 6 minutes later)', { timestamp: Math.floor(Date.now() / 1000) - 360 }, 'stale_timestamp'],
  ])('refuses %s: 403, a log line, nothing stored or handled', async (_what, forgery, reason) => {
    const warn = vi.spyOn(t.deps.log, 'warn');
    const before = await events().count();
    const tap = driver.cardEvent({ from: 'zhangwei', eventKey: 'test:approve', taskId: taskId() });
    const [r] = await driver.deliver(tap.fields, forgery);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'CALLBACK_REJECTED', details: { reason } });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ provider: 'wecom', reason }), 'callback rejected');
    warn.mockRestore();
    await t.deps.callbacks.idle();
    expect(await events().count()).toBe(before);
    expect(taps).toHaveLength(0);
  });

  it('refuses an envelope that is not the expected XML', async () => {
    const env = driver.envelope(driver.textMessage({ from: 'zhangwei', content: '帮助' }));
    for (const body of ['not xml', '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>', '<xml><ToUserName>x</ToUserName></xml>']) {
      const r = await driver.post({ query: env.query, body });
      expect(r.status, body).toBe(400);
      expect(r.body.error.code).toBe('CALLBACK_REJECTED');
    }
    const wrongCorp = await driver.post({ query: env.query, body: env.body.replace(t.wecom!.corp.corpId, 'wwother') });
    expect(wrongCorp.status).toBe(403);
  });

  it('a card tap delivered three times reaches its handler once, and the card is updated once with its response code', async () => {
    const id = taskId();
    const tap = driver.cardEvent({ from: 'zhangwei', eventKey: 'test:approve', taskId: id });
    const updatesBefore = cards.updates.length;
    const answers = await driver.deliver(tap.fields, { times: 3 });
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.inTime).toBe(true);
      expect(a.text).toBe('');
      expect(a.passiveProblem).toBeNull();
    }
    await t.deps.callbacks.idle();
    expect(taps).toHaveLength(1);
    expect(taps[0]).toMatchObject({ provider: 'wecom', userId: await t.userId('张伟'), messengerUserId: 'zhangwei', key: 'test:approve', taskId: id, responseCode: tap.responseCode, outTrackId: null });
    expect(cards.updates.slice(updatesBefore)).toEqual([expect.objectContaining({ responseCode: tap.responseCode, replaceName: '已同意', userids: ['zhangwei'], atall: false })]);
    const rows = await events().findAll({ where: { source: 'wecom', eventType: 'card_action' }, raw: true });
    const mine = rows.filter((r) => JSON.stringify(r.payload).includes(id));
    expect(mine).toHaveLength(1);
    expect(mine[0].status).toBe('handled');
    expect(mine[0].attempts).toBe(1);
  });

  it('a tap whose key no handler claims is stored and ignored; the card is left alone', async () => {
    const before = updateCalls();
    const tap = driver.cardEvent({ from: 'zhangwei', eventKey: 'other-module:x', taskId: taskId() });
    const [a] = await driver.deliver(tap.fields);
    expect(a.status).toBe(200);
    await t.deps.callbacks.idle();
    expect(taps).toHaveLength(0);
    expect(updateCalls()).toBe(before);
    const row = await events().findOne({ where: { status: 'ignored' }, order: [['id', 'DESC']] });
    expect(row?.error).toContain('other-module:x');
  });

  it('a tap by someone the CRM does not know reaches no handler', async () => {
    const tap = driver.cardEvent({ from: 'stranger', eventKey: 'test:approve', taskId: taskId() });
    const before = updateCalls();
    const [a] = await driver.deliver(tap.fields);
    expect(a.status).toBe(200);
    await t.deps.callbacks.idle();
    expect(taps).toHaveLength(0);
    expect(updateCalls()).toBe(before);
  });

  it('acknowledges at once even when the handler is slow, and applies its result afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    decide = async () => {
      await gate;
      return { replaceName: '已驳回', forAll: true };
    };
    const tap = driver.cardEvent({ from: 'wangmin', eventKey: 'test:reject', taskId: taskId() });
    const [a] = await driver.deliver(tap.fields);
    expect(a.status).toBe(200);
    expect(a.elapsedMs).toBeLessThan(1000);
    await vi.waitFor(() => expect(taps).toHaveLength(1)); // the handler is running…
    expect(cards.updates.some((u) => u.responseCode === tap.responseCode)).toBe(false); // …and has not decided yet
    release();
    await t.deps.callbacks.idle();
    expect(cards.updates.find((u) => u.responseCode === tap.responseCode)).toMatchObject({ replaceName: '已驳回', atall: true, userids: null });
  });

  it('an event acknowledged just before a crash is handled by the sweeper, once', async () => {
    t.deps.callbacks.stop(); // the process dies right after answering
    const tap = driver.cardEvent({ from: 'zhangwei', eventKey: 'test:approve', taskId: taskId() });
    const [a] = await driver.deliver(tap.fields);
    expect(a.status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(taps).toHaveLength(0);
    const row = await events().findOne({ order: [['id', 'DESC']] });
    expect(row?.status).toBe('received');
    t.deps.callbacks.start(); // restarted (or another instance): the bot's sweeper job runs every minute
    expect(BOT_JOBS).toContain(callbackSweepJob);
    expect(callbackSweepJob.schedule(t.config)).toBe('* * * * *');
    expect(await callbackSweepJob.run(t.deps)).toBe('handled 1 callback event(s)');
    expect(await t.deps.callbacks.sweep()).toBe(0);
    expect(taps).toHaveLength(1);
    await row!.reload();
    expect(row!.status).toBe('handled');
    expect(cards.updates.filter((u) => u.responseCode === tap.responseCode)).toHaveLength(1);
  });

  it('an event whose handler died mid-way is taken over once its lease runs out, not before', async () => {
    t.deps.callbacks.stop();
    const tap = driver.cardEvent({ from: 'zhangwei', eventKey: 'test:approve', taskId: taskId() });
    await driver.deliver(tap.fields);
    t.deps.callbacks.start();
    const row = (await events().findOne({ order: [['id', 'DESC']] }))!;
    await row.update({ leaseUntil: new Date(Date.now() + 60_000), attempts: 1 }); // held by a process that crashed
    expect(await t.deps.callbacks.sweep()).toBe(0);
    await row.update({ leaseUntil: new Date(Date.now() - 1000) });
    expect(await t.deps.callbacks.sweep()).toBe(1);
    expect(taps).toHaveLength(1);
    await row.reload();
    expect(row.status).toBe('handled');
    expect(row.attempts).toBe(2);
  });

  it('when the card update fails transiently, the retry re-applies the decision without running the handler again', async () => {
    t.wecom!.failNext('/cgi-bin/message/update_template_card', 45009);
    const tap = driver.cardEvent({ from: 'zhangwei', eventKey: 'test:approve', taskId: taskId() });
    await driver.deliver(tap.fields);
    await t.deps.callbacks.idle();
    const row = (await events().findOne({ order: [['id', 'DESC']] }))!;
    expect(row.status).toBe('received');
    expect(row.error).toContain('45009');
    expect(row.result).toMatchObject({ claimed: true, card: { replaceName: '已同意' } });
    expect(await t.deps.callbacks.sweep()).toBe(0); // backing off
    await row.update({ leaseUntil: new Date(Date.now() - 1000) });
    expect(await t.deps.callbacks.sweep()).toBe(1);
    expect(taps).toHaveLength(1);
    expect(cards.updates.filter((u) => u.responseCode === tap.responseCode)).toHaveLength(1);
    await row.reload();
    expect(row.status).toBe('handled');
  });

  it('a permanent failure (the response code was already used) marks the event failed, no retry', async () => {
    const tap = driver.cardEvent({ from: 'zhangwei', eventKey: 'test:approve', taskId: taskId() });
    cards.responseCodes.get(tap.responseCode)!.usedAt = t.clock.ms;
    await driver.deliver(tap.fields);
    await t.deps.callbacks.idle();
    const row = (await events().findOne({ order: [['id', 'DESC']] }))!;
    expect(row.status).toBe('failed');
    expect(row.error).toContain('40035');
    expect(await t.deps.callbacks.sweep()).toBe(0);
  });

  it("the driver verifies a passive reply as WeCom would (signature, receive id) before trusting it", () => {
    const c = t.wecom!.corp;
    const keys = { token: c.callbackToken, aesKey: c.encodingAesKey, receiveId: c.corpId };
    const reply = buildXml({ ToUserName: 'zhangwei', FromUserName: c.corpId, CreateTime: 1700000000, MsgType: 'update_button', Button: { ReplaceName: '已同意' } });
    const sealed = sealEnvelope(keys, reply, { timestamp: '1700000000', nonce: 'abc' });
    const wrap = (sig: string, enc = sealed.encrypt) => buildXml({ Encrypt: enc, MsgSignature: sig, TimeStamp: sealed.timestamp, Nonce: sealed.nonce });
    expect(driver.openPassive(wrap(sealed.signature))).toBe(reply);
    expect(() => driver.openPassive(wrap('0'.repeat(40)))).toThrow(/signature/);
    const foreign = sealEnvelope({ ...keys, receiveId: 'wwother' }, reply, { timestamp: '1700000000', nonce: 'abc' });
    expect(() => driver.openPassive(wrap(foreign.signature, foreign.encrypt))).toThrow(/receive id/);
  });

  it('other events are stored once and go to the generic event handlers', async () => {
    const seen: string[] = [];
    const off = t.deps.callbacks.on('event', 'test-events', (e) => void seen.push(`${e.type}:${e.messengerUserId}`));
    const fields = { ToUserName: t.wecom!.corp.corpId, FromUserName: 'zhangwei', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'event', Event: 'enter_agent', EventKey: '', AgentID: t.wecom!.corp.agentId };
    const answers = await driver.deliver(fields, { times: 3 });
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await t.deps.callbacks.idle();
    off();
    expect(seen).toEqual(['enter_agent:zhangwei']);
  });
});
