// DingTalk Stream mode against the fake gateway: the handshake (bad credentials refused), card
// taps reaching their handler once with the ACK carrying the new card data, un-ACKed frames
// redelivered (and a lost ACK answered again without a second decision), pings echoed, events
// ACKed after storing, and robot messages answered through the session webhook.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import axios from 'axios';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { installStream, TOPIC_ROBOT, type StreamGateway } from '../fakes/dingtalk/stream';
import { CrmStreamClient, GATEWAY_PATH, startDingtalkStream, StreamHandshakeError, type DingtalkStream } from '../../bot/src/stream/dingtalk-stream';
import type { CardActionEvent, CardActionResult, MessengerEvent } from '../../server/src/modules/callbacks/handler-registry';
import { classifyStreamCard } from '../../server/src/modules/callbacks/callback-events';
import { installCards } from '../fakes/dingtalk/cards';

let t: MessengerTestApp;
let gateway: StreamGateway;
let stream: DingtalkStream;
const taps: CardActionEvent[] = [];
let decide: (e: CardActionEvent) => Promise<CardActionResult | undefined> = async () => ({ replaceName: '已同意' });
let seq = 0;
const outTrackId = () => `card-${++seq}`;

beforeAll(async () => {
  t = await createMessengerTestApp({ dingtalk: true, env: { DINGTALK_STREAM: 'true' } });
  gateway = await installStream(t.dingtalk!);
  await t.deps.db.models.User.update({ dingtalkUserid: 'dt_zhangwei' }, { where: { name: '张伟' } });
  t.deps.callbacks.on('card_action', 'test-approvals', async (e) => {
    if (!e.key.startsWith('test:')) return undefined;
    taps.push(e);
    return decide(e);
  });
  stream = startDingtalkStream(t.deps, { keepAlive: false, retryMs: { first: 50, max: 200 } })!;
  await stream.client.ready;
  await gateway.waitForConnection();
});
afterAll(async () => {
  stream?.stop();
  await gateway?.stop();
  await t?.close();
});
beforeEach(() => {
  taps.length = 0;
  decide = async () => ({ replaceName: '已同意' });
  gateway.ackTimeoutMs = 10_000; // answered frames only wait as long as the handler takes; a loaded CI box needs slack
});

describe('handshake', () => {
  it('subscribed to card callbacks, robot messages and events with the app credentials', () => {
    expect(gateway.handshakes.filter((h) => h.status === 200)).toHaveLength(1);
    expect(gateway.connectionCount()).toBe(1);
  });

  it('with a bad secret fails: no ticket, no connection, retried with back-off until stopped', async () => {
    const gatewayUrl = `${t.dingtalk!.url}${GATEWAY_PATH}`;
    const bad = new CrmStreamClient({ clientId: t.dingtalk!.app.clientId, clientSecret: 'wrong-secret', gatewayUrl, log: t.deps.log, keepAlive: false, retryMs: { first: 10_000, max: 10_000 } });
    await expect(bad.getEndpoint()).rejects.toMatchObject({ name: 'Error', status: 401, code: 'InvalidAuthentication' });
    await expect(bad.getEndpoint()).rejects.toBeInstanceOf(StreamHandshakeError);
    await bad.connect();
    expect(bad.lastError).toBeInstanceOf(StreamHandshakeError);
    bad.stop();
    expect(gateway.connectionCount()).toBe(1);
    expect(gateway.handshakes.filter((h) => h.status === 401)).toHaveLength(3);
  });

  it('the fake gateway answers XML without Accept: application/json, as the real one', async () => {
    const res = await axios.post(`${t.dingtalk!.url}${GATEWAY_PATH}`, { clientId: t.dingtalk!.app.clientId, clientSecret: t.dingtalk!.app.clientSecret, subscriptions: [{ type: 'EVENT', topic: '*' }] }, { headers: { Accept: 'text/xml' }, validateStatus: () => true });
    expect(String(res.data)).toContain('<?xml');
  });
});

describe('card callbacks', () => {
  it('reach their handler once, and the ACK carries the new card data', async () => {
    const id = outTrackId();
    const ack = await gateway.pushCardAction({ userId: 'dt_zhangwei', outTrackId: id, actionId: 'agree_btn', params: { key: 'test:approve', approvalId: '12' } });
    expect(ack.acked).toBe(true);
    expect(ack.data).toEqual({ response: { cardUpdateOptions: { updateCardDataByKey: true }, cardData: { cardParamMap: { status: '已同意' } } } });
    expect(taps).toHaveLength(1);
    expect(taps[0]).toMatchObject({ provider: 'dingtalk', userId: await t.userId('张伟'), messengerUserId: 'dt_zhangwei', key: 'test:approve', outTrackId: id, taskId: null, params: { key: 'test:approve', approvalId: '12' } });
    expect(gateway.unacked()).toHaveLength(0);
  });

  it('use the handler\'s own card data when it gives one', async () => {
    decide = async () => ({ replaceName: '已驳回', cardData: { status: 'rejected', result: '已驳回' } });
    const ack = await gateway.pushCardAction({ userId: 'dt_zhangwei', outTrackId: outTrackId(), params: { key: 'test:reject' } });
    expect(ack.data.response.cardData.cardParamMap).toEqual({ status: 'rejected', result: '已驳回' });
  });

  it('a frame left un-ACKed (the handler failed) is redelivered with its messageId and then handled', async () => {
    gateway.ackTimeoutMs = 300;
    let calls = 0;
    decide = async () => {
      if (++calls === 1) throw new Error('database briefly unavailable');
      return { replaceName: '已同意' };
    };
    const first = await gateway.pushCardAction({ userId: 'dt_zhangwei', outTrackId: outTrackId(), params: { key: 'test:approve' } });
    expect(first.acked).toBe(false);
    expect(gateway.unacked()).toHaveLength(1);
    gateway.ackTimeoutMs = 10_000; // the redelivery is answered; give a loaded machine time to do it
    const [again] = await gateway.redeliver();
    expect(again).toMatchObject({ messageId: first.messageId, acked: true, deliveries: 2 });
    expect(again.data.response.cardData.cardParamMap.status).toBe('已同意');
    expect(calls).toBe(2);
    expect(gateway.unacked()).toHaveLength(0);
  });

  it('a lost ACK brings the frame back; it is answered with the same decision, not decided twice', async () => {
    gateway.dropAcks = 1;
    const first = await gateway.pushCardAction({ userId: 'dt_zhangwei', outTrackId: outTrackId(), params: { key: 'test:approve' } });
    expect(first.dropped).toBe(true);
    gateway.ackTimeoutMs = 10_000;
    const [again] = await gateway.redeliver();
    expect(again.acked).toBe(true);
    expect(again.data).toEqual(first.data);
    expect(taps).toHaveLength(1);
  });

  it('a tap stored but never answered (the process died, DingTalk gave up) is decided by the sweeper, which updates the card by API', async () => {
    const cards = installCards(t.dingtalk!);
    t.dingtalk!.addUser({ userid: 'dt_zhangwei', name: '张伟', dept_id_list: [1] });
    const id = outTrackId();
    await t.deps.messengers.dingtalk!.api('POST', '/v1.0/card/instances/createAndDeliver', {
      cardTemplateId: 'fake-approval-card.schema', outTrackId: id, callbackType: 'STREAM', cardData: { cardParamMap: { status: 'pending' } },
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' }, openSpaceId: 'dtv1.card//IM_ROBOT.dt_zhangwei', userIdType: 1,
    });
    const content = JSON.stringify({ cardPrivateData: { actionIds: ['agree'], params: { key: 'test:approve' } } });
    const data = { userId: 'dt_zhangwei', outTrackId: id, type: 'actionCallback', content };
    t.deps.callbacks.stop();
    await t.deps.callbacks.accept('stream', classifyStreamCard(data), { provider: 'dingtalk', message: data });
    t.deps.callbacks.start();
    expect(await t.deps.callbacks.sweep()).toBe(1);
    expect(taps).toHaveLength(1);
    expect(cards.cards.get(id)!.params.status).toBe('已同意');
    expect(cards.cards.get(id)!.updates).toHaveLength(1);
  });

  it('a tap by someone the CRM does not know is ACKed without a card change and reaches no handler', async () => {
    const ack = await gateway.pushCardAction({ userId: 'dt_stranger', outTrackId: outTrackId(), params: { key: 'test:approve' } });
    expect(ack.acked).toBe(true);
    expect(ack.data).toEqual({ response: {} });
    expect(taps).toHaveLength(0);
  });
});

describe('system, events and robot messages', () => {
  it('echoes pings', async () => {
    expect(await gateway.ping()).toBe(true);
  });

  it('ACKs events with SUCCESS after storing them, and hands them to the event handlers once', async () => {
    const seen: MessengerEvent[] = [];
    const off = t.deps.callbacks.on('event', 'test-events', (e) => void seen.push(e));
    const ack = await gateway.pushEvent('user_modify_org', { userId: ['dt_zhangwei'] });
    expect(ack).toMatchObject({ acked: true, data: { status: 'SUCCESS' } });
    await t.deps.callbacks.idle();
    off();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ provider: 'dingtalk', type: 'user_modify_org' });
    expect(await t.deps.db.models.CallbackEvent.count({ where: { source: 'stream', eventType: 'user_modify_org' } })).toBe(1);
  });

  it('answers a robot message through its session webhook, once even when redelivered', async () => {
    gateway.dropAcks = 1;
    const first = await gateway.pushRobotText({ senderStaffId: 'dt_zhangwei', content: '帮助' });
    expect(first.dropped).toBe(true);
    gateway.ackTimeoutMs = 10_000;
    const [again] = await gateway.redeliver();
    expect(again.acked).toBe(true);
    await t.deps.callbacks.idle();
    expect(gateway.sessionReplies).toHaveLength(1);
    expect(gateway.sessionReplies[0]).toMatchObject({ userId: 'dt_zhangwei', body: { msgtype: 'markdown' } });
    expect(gateway.sessionReplies[0].body.markdown.text).toContain('今日待办');
  });

  it('tells a robot user the CRM does not know to ask the admin', async () => {
    await gateway.pushRobotText({ senderStaffId: 'dt_stranger', content: '查 1234' });
    await t.deps.callbacks.idle();
    expect(gateway.sessionReplies.at(-1)).toMatchObject({ userId: 'dt_stranger' });
    expect(gateway.sessionReplies.at(-1)!.body.markdown.text).toMatch(/^#### 信贷CRM · [\d:]{8}\n您的账号尚未开通信贷CRM,请联系管理员开通$/);
  });

  it('never sends the access token to a session webhook outside the DingTalk API host', async () => {
    const calls = t.dingtalk!.calls.length;
    const ack = await gateway.push('CALLBACK', TOPIC_ROBOT, { msgId: 'msg-foreign-1', senderStaffId: 'dt_zhangwei', text: { content: '帮助' }, sessionWebhook: 'http://127.0.0.1:9/steal', createAt: Date.now() });
    expect(ack.acked).toBe(true);
    await t.deps.callbacks.idle();
    const row = await t.deps.db.models.CallbackEvent.findOne({ where: { dedupeKey: 'msg:msg-foreign-1' } });
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.error).toContain('FOREIGN_SESSION_WEBHOOK');
    expect(t.dingtalk!.calls.slice(calls).filter((c) => c.path !== '/gettoken')).toHaveLength(0);
  });

  it('broke no protocol rule along the way', () => {
    expect(gateway.violations).toEqual([]);
  });
});
