// One-tap approval in DingTalk (C12) against the fake. With Stream and a card template: the
// team lead's interactive card (createAndDeliver) carries the facts and 同意 / 驳回 / 查看详情; a
// tap over the fake Stream gateway approves and the ACK carries the card's new data; a lost ACK
// brings the frame back without a second decision; the other approver of the any-of 风控 node has
// their card updated (PUT /v1.0/card/instances) "已由 X 处理"; a 驳回 tap decides nothing and
// answers with the link to the reject sheet. Without a template: an OA work notification with
// the facts and a status bar 待审批 opens /approvals/<id> in the DingTalk app; once the task is
// decided in the H5 its status bar is updated (status_bar/update by the send's task_id) to 已同意,
// and the other approver's of an any-of node to 已由 X 处理.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotTestApp, deliverAll, testDispatcher, type BotTestApp } from '../helpers/bot-worker';
import { installStream, type StreamGateway } from '../fakes/dingtalk/stream';
import { startDingtalkStream, type DingtalkStream } from '../../bot/src/stream/dingtalk-stream';
import type { CardInstance } from '../fakes/dingtalk/cards';
import type { Dispatcher } from '../../bot/src/outbox/dispatcher';
import { actionsOf, applicationRow, decide, submitted, tasksOf } from '../helpers/applications';
import { rows } from '../helpers/fixtures';

const TEMPLATE = 'fake-approval-card.schema';

async function pendingTask(t: BotTestApp, appId: number, name: string) {
  const task = (await tasksOf(t, appId)).find((x) => x.assignee === name && x.status === 'pending');
  expect(task, `${name} holds a pending task`).toBeTruthy();
  return Number(task!.id);
}

/** The DingTalk app link a button opens, decoded back to the H5 address. */
const target = (link: string) => decodeURIComponent(new URL(link.replace('dingtalk://', 'http://')).searchParams.get('redirect_url') ?? '');

describe('with Stream and a card template', () => {
  let t: BotTestApp;
  let gateway: StreamGateway;
  let stream: DingtalkStream;
  let dispatcher: Dispatcher;
  let appId: number;
  const dd = async (name: string) => t.dingIds.get(await t.userId(name))!;
  const cardOf = async (name: string): Promise<CardInstance> => {
    const list = t.cards!.deliveredTo(await dd(name));
    expect(list.length, `${name} has a card`).toBeGreaterThan(0);
    return list.at(-1)!;
  };

  beforeAll(async () => {
    t = await createBotTestApp({ dingtalk: true, env: { DINGTALK_STREAM: 'true', DINGTALK_CARD_TEMPLATE_ID: TEMPLATE } });
    gateway = await installStream(t.dingtalk!);
    stream = startDingtalkStream(t.deps, { keepAlive: false, retryMs: { first: 50, max: 200 } })!;
    await stream.client.ready;
    await gateway.waitForConnection();
    dispatcher = testDispatcher(t);
  });
  afterAll(async () => {
    stream?.stop();
    await gateway?.stop();
    await t?.close();
  });

  it('the team lead gets an interactive card with the facts and 同意 / 驳回 / 查看详情', async () => {
    appId = (await submitted(await t.loginAs('张伟'))).id;
    const task = await pendingTask(t, appId, '吴婷');
    await deliverAll(t, dispatcher);
    const card = await cardOf('吴婷');
    expect(card.cardTemplateId).toBe(TEMPLATE);
    expect(card.params.title).toBe('贷款审批 · 房抵贷 30万');
    expect(card.params.status).toBe('pending');
    expect(Object.fromEntries(JSON.parse(card.params.fields).map((f: { label: string; value: string }) => [f.label, f.value]))).toMatchObject({ 客户: '测***', 金额: '30万', 期限: '36 个月', 信贷员: '张伟' });
    const buttons = JSON.parse(card.params.buttons);
    expect(buttons.map((b: { key: string; text: string }) => [b.key, b.text])).toEqual([
      [`approval:${task}:approve`, '同意'],
      [`approval:${task}:reject`, '驳回'],
      [`approval:${task}:view`, '查看详情'],
    ]);
    expect(buttons[0].url).toBeUndefined();
    expect(target(buttons[1].url)).toBe(`http://127.0.0.1:3000/approvals/${appId}?act=reject`);
    expect(target(buttons[2].url)).toBe(`http://127.0.0.1:3000/approvals/${appId}`);
  });

  it('同意 over Stream decides once; the ACK carries 已同意; a lost ACK is answered again without a second decision', async () => {
    const task = await pendingTask(t, appId, '吴婷');
    const card = await cardOf('吴婷');
    gateway.dropAcks = 1;
    const first = await gateway.pushCardAction({ userId: await dd('吴婷'), outTrackId: card.outTrackId, actionId: 'approve', params: { key: `approval:${task}:approve` } });
    expect(first.dropped).toBe(true);
    const [again] = await gateway.redeliver();
    expect(again.acked).toBe(true);
    expect(again.data).toEqual({ response: { cardUpdateOptions: { updateCardDataByKey: true }, cardData: { cardParamMap: { status: '已同意' } } } });
    expect((await actionsOf(t, appId)).filter((a) => a === 'approve')).toHaveLength(1);
    expect((await tasksOf(t, appId)).find((x) => Number(x.id) === task)!.status).toBe('approved');
    await deliverAll(t, dispatcher);
    // The tapped card was answered in the ACK: no PUT for it.
    expect(card.updates).toHaveLength(0);
    expect(t.cards!.deliveredTo(await dd('李娜'))).toHaveLength(1);
    expect(t.cards!.deliveredTo(await dd('赵磊'))).toHaveLength(1);
    // The applicant's result is a work notification.
    expect(t.notices!.deliveredTo(await dd('张伟')).some((n) => JSON.stringify(n.content).includes('吴婷'))).toBe(true);
  });

  it('any-of: 赵磊 approves; 李娜\'s card is updated by PUT: 已由 赵磊 处理', async () => {
    const task = await pendingTask(t, appId, '赵磊');
    const ack = await gateway.pushCardAction({ userId: await dd('赵磊'), outTrackId: (await cardOf('赵磊')).outTrackId, params: { key: `approval:${task}:approve` } });
    expect(ack.data.response.cardData.cardParamMap.status).toBe('已同意');
    expect((await applicationRow(t, appId)).status).toBe('approved');
    await deliverAll(t, dispatcher);
    const li = await cardOf('李娜');
    expect(li.updates.map((u) => u.params)).toEqual([{ status: '已由 赵磊 处理' }]);
    expect((await cardOf('赵磊')).updates).toHaveLength(0);
  });

  it('驳回 over Stream decides nothing: the ACK carries the hint and the link, and a notice brings the link', async () => {
    const s = await submitted(await t.loginAs('张伟'));
    const task = await pendingTask(t, s.id, '吴婷');
    await deliverAll(t, dispatcher);
    const ack = await gateway.pushCardAction({ userId: await dd('吴婷'), outTrackId: (await cardOf('吴婷')).outTrackId, params: { key: `approval:${task}:reject` } });
    const params = ack.data.response.cardData.cardParamMap;
    expect(params.status).toBeUndefined();
    expect(target(params.rejectUrl)).toBe(`http://127.0.0.1:3000/approvals/${s.id}?act=reject`);
    expect((await applicationRow(t, s.id)).status).toBe('pending');
    expect(await actionsOf(t, s.id)).not.toContain('reject');
    await deliverAll(t, dispatcher);
    const prompt = t.notices!.deliveredTo(await dd('吴婷')).find((n) => n.msgtype === 'action_card' && n.content.title === '驳回需填写原因');
    expect(prompt).toBeTruthy();
    expect(target(prompt!.content.single_url)).toBe(`http://127.0.0.1:3000/approvals/${s.id}?act=reject`);
  });

  it('a tap by someone without the task decides nothing', async () => {
    const s = await submitted(await t.loginAs('张伟'));
    const task = await pendingTask(t, s.id, '吴婷');
    const ack = await gateway.pushCardAction({ userId: await dd('王敏'), outTrackId: 'not-their-card', params: { key: `approval:${task}:approve` } });
    expect(ack.data.response.cardData.cardParamMap).toEqual({ status: '无权处理' });
    expect((await tasksOf(t, s.id)).find((x) => Number(x.id) === task)!.status).toBe('pending');
  });
});

describe('without a card template', () => {
  let t: BotTestApp;
  let dispatcher: Dispatcher;
  let appId: number;
  const dd = async (name: string) => t.dingIds.get(await t.userId(name))!;
  /** The approval task notices a person got (OA with a status bar). */
  const taskNotices = async (name: string) => t.notices!.deliveredTo(await dd(name)).filter((n) => n.content?.status_bar);

  beforeAll(async () => {
    t = await createBotTestApp({ dingtalk: true });
    dispatcher = testDispatcher(t);
  });
  afterAll(() => t?.close());

  it('the approver gets an OA work notification with the facts and a status bar 待审批 that opens the detail page', async () => {
    const s = await submitted(await t.loginAs('张伟'));
    appId = s.id;
    await deliverAll(t, dispatcher);
    const [n, ...more] = await taskNotices('吴婷');
    expect(more).toHaveLength(0);
    expect(n.msgtype).toBe('oa');
    expect(n.content.body.title).toBe('贷款审批 · 房抵贷 30万');
    expect(Object.fromEntries(n.content.body.form.map((f: { key: string; value: string }) => [f.key, f.value]))).toMatchObject({ '客户:': '测***', '金额:': '30万', '期限:': '36 个月', '信贷员:': '张伟' });
    expect(n.content.status_bar).toEqual({ status_value: '待审批', status_bg: '0xFFF65E5E' });
    expect(n.content.message_url).toMatch(/^dingtalk:\/\/dingtalkclient\/action\/openapp\?corpid=/);
    expect(target(n.content.message_url)).toBe(`http://127.0.0.1:3000/approvals/${s.id}`);
    expect(target(n.content.pc_message_url)).toBe(`http://127.0.0.1:3000/approvals/${s.id}`);
    expect(JSON.stringify(n.content)).not.toContain('act=');
    expect(t.cards!.cards.size).toBe(0);
    expect(t.notices!.statusUpdates).toHaveLength(0);
  });

  it('an H5 approval turns the approver\'s status bar to 已同意, exactly once', async () => {
    const [n] = await taskNotices('吴婷');
    expect((await decide(await t.loginAs('吴婷'), appId, 'approve')).status).toBe(200);
    await deliverAll(t, dispatcher);
    await deliverAll(t, dispatcher);
    expect(t.notices!.statusUpdatesOf(n.taskId).map((u) => [u.statusValue, u.statusBg])).toEqual([['已同意', '0xFF78C06E']]);
    expect(t.notices!.statusUpdates).toHaveLength(1);
    // The next node's approvers get their own OA notices, each its own task_id.
    const [li] = await taskNotices('李娜');
    const [zhao] = await taskNotices('赵磊');
    expect(li.content.status_bar.status_value).toBe('待审批');
    expect(li.taskId).not.toBe(zhao.taskId);
  });

  it('any-of: 赵磊 approves in the H5; his bar says 已同意 and 李娜\'s 已由 赵磊 处理', async () => {
    const [li] = await taskNotices('李娜');
    const [zhao] = await taskNotices('赵磊');
    expect((await decide(await t.loginAs('赵磊'), appId, 'approve')).status).toBe(200);
    expect((await applicationRow(t, appId)).status).toBe('approved');
    await deliverAll(t, dispatcher);
    expect(t.notices!.statusUpdatesOf(zhao.taskId).map((u) => u.statusValue)).toEqual(['已同意']);
    expect(t.notices!.statusUpdatesOf(li.taskId).map((u) => [u.statusValue, u.statusBg])).toEqual([['已由 赵磊 处理', '0xFF9E9E9E']]);
    const updates = await rows(t, "SELECT status, last_error_code FROM bot_messages WHERE kind = 'card_update' AND channel = 'dingtalk_notice' AND ref_id = ?", [String(appId)]);
    expect(updates).toEqual([0, 1, 2].map(() => ({ status: 'sent', last_error_code: null })));
  });
});
