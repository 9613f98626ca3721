// One-tap approval in WeCom (C12) end to end against the fake: an officer submits → the team lead
// gets a template_card (button_interaction) with the application's facts, delivered by the
// dispatcher → the fake's callback driver posts the encrypted button event → the decision is
// recorded once (three deliveries, a double tap), the tapped card says 已同意 → the applicant is
// told, the 风控 node's two approvers get their cards; one of them approves from chat and the
// other's card is updated through the outbox with its own response_code ("已由 X 处理"); taps by
// someone without the task, or on 驳回, decide nothing; an H5 decision updates the card too, and
// an expired response_code is skipped without a dead letter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotTestApp, deliverAll, testDispatcher, type BotTestApp } from '../helpers/bot-worker';
import { installWecomCards, type WecomCards } from '../fakes/wecom/cards';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver';
import type { WecomDelivery } from '../fakes/wecom/messages';
import type { Dispatcher } from '../../bot/src/outbox/dispatcher';
import type { Client } from '../helpers/test-app';
import { actionsOf, applicationRow, decide, submitted, tasksOf } from '../helpers/applications';
import { count, rows } from '../helpers/fixtures';

let t: BotTestApp;
let cards: WecomCards;
let driver: WecomCallbackDriver;
let dispatcher: Dispatcher;
let zhang: Client;
const wx = async (name: string) => t.wecomIds.get(await t.userId(name))!;

/** The approval cards a member got (template_card deliveries), newest last. */
const cardsTo = async (name: string): Promise<WecomDelivery[]> => t.wecomMessages!.deliveredTo(await wx(name)).filter((d) => d.msgtype === 'template_card');
const pendingTask = async (appId: number, name: string) => {
  const task = (await tasksOf(t, appId)).find((x) => x.assignee === name && x.status === 'pending');
  expect(task, `${name} holds a pending task`).toBeTruthy();
  return Number(task!.id);
};
/** Taps a card button as `name`, delivering the event `times` times; waits until handled. */
async function tap(name: string, card: WecomDelivery, key: string, times = 1, createTime?: number) {
  const e = driver.cardEvent({ from: await wx(name), eventKey: key, taskId: card.taskId!, createTime });
  const answers = await driver.deliver(e.fields, { times });
  for (const a of answers) expect([a.status, a.inTime, a.text]).toEqual([200, true, '']);
  await t.deps.callbacks.idle();
  return e.responseCode;
}
const updatesWith = (code: string) => cards.updates.filter((u) => u.responseCode === code);

beforeAll(async () => {
  t = await createBotTestApp({ wecom: true });
  cards = installWecomCards(t.wecom!);
  driver = new WecomCallbackDriver(t.wecom!, t.server);
  dispatcher = testDispatcher(t);
  zhang = await t.loginAs('张伟');
});
afterAll(() => t?.close());

describe('approve from a WeCom card', () => {
  let appId: number;
  let leadCard: WecomDelivery;
  let leadTask: number;

  it('the team lead gets a button_interaction card with the facts and 同意 / 驳回 / 查看详情', async () => {
    appId = (await submitted(zhang)).id;
    leadTask = await pendingTask(appId, '吴婷');
    await deliverAll(t, dispatcher);
    [leadCard] = await cardsTo('吴婷');
    expect(leadCard).toBeTruthy();
    const c = leadCard.content;
    expect(c.card_type).toBe('button_interaction');
    expect(c.main_title.title).toBe('贷款审批 · 房抵贷 30万');
    const facts = Object.fromEntries(c.horizontal_content_list.map((h: { keyname: string; value: string }) => [h.keyname, h.value]));
    expect(facts).toMatchObject({ 客户: '测***', 金额: '30万', 期限: '36 个月', 信贷员: '张伟' });
    expect(facts['提交时间']).toMatch(/^\d\d\/\d\d \d\d:\d\d$/);
    expect(c.button_list).toEqual([
      { text: '同意', style: 1, key: `approval:${leadTask}:approve` },
      { type: 1, text: '驳回', style: 2, url: `http://127.0.0.1:3000/approvals/${appId}?act=reject` },
      { type: 1, text: '查看详情', style: 3, url: `http://127.0.0.1:3000/approvals/${appId}` },
    ]);
    expect(c.card_action.url).toBe(`http://127.0.0.1:3000/approvals/${appId}`);
    const [row] = await rows(t, "SELECT response_code FROM bot_messages WHERE kind = 'approval_task' AND recipient = ?", [await wx('吴婷')]);
    expect(row.response_code).toBeTruthy();
  });

  it('同意 delivered three times: one decision, the tapped card says 已同意 once, no second update of it', async () => {
    const code = await tap('吴婷', leadCard, `approval:${leadTask}:approve`, 3);
    expect((await tasksOf(t, appId)).find((x) => Number(x.id) === leadTask)).toMatchObject({ status: 'approved', action: 'approve' });
    expect((await actionsOf(t, appId)).filter((a) => a === 'approve')).toHaveLength(1);
    expect(updatesWith(code)).toEqual([expect.objectContaining({ replaceName: '已同意', userids: [await wx('吴婷')], atall: false })]);
    // The callback updated the tapped card itself: the outbox has no update for it.
    expect(await count(t, 'bot_messages', "kind = 'card_update'")).toBe(0);
  });

  it('a double tap (a second event) is the same decision, answered 已同意', async () => {
    const code = await tap('吴婷', leadCard, `approval:${leadTask}:approve`, 1, driver.nowSec() + 2);
    expect(updatesWith(code)).toEqual([expect.objectContaining({ replaceName: '已同意' })]);
    expect((await actionsOf(t, appId)).filter((a) => a === 'approve')).toHaveLength(1);
    expect(await count(t, 'callback_events', "event_type = 'card_action' AND status = 'handled'")).toBe(2);
  });

  it('the applicant is told and the 风控 node\'s two approvers get their cards, once each', async () => {
    await deliverAll(t, dispatcher);
    const results = t.wecomMessages!.deliveredTo(await wx('张伟')).filter((d) => JSON.stringify(d.content).includes('吴婷'));
    expect(results).toHaveLength(1);
    expect(JSON.stringify(results[0].content)).toContain('同意');
    for (const name of ['李娜', '赵磊']) {
      const list = await cardsTo(name);
      expect(list, name).toHaveLength(1);
      expect(list[0].content.button_list[0].key).toBe(`approval:${await pendingTask(appId, name)}:approve`);
    }
    expect((await applicationRow(t, appId)).current_node_id).toBe('risk');
  });

  it('any-of: 李娜 approves from chat; 赵磊\'s card is updated with its own response_code: 已由 李娜 处理', async () => {
    const [liCard] = await cardsTo('李娜');
    const [zhaoCard] = await cardsTo('赵磊');
    const liTask = await pendingTask(appId, '李娜');
    const zhaoTask = await pendingTask(appId, '赵磊');
    const code = await tap('李娜', liCard, `approval:${liTask}:approve`);
    expect(updatesWith(code)).toEqual([expect.objectContaining({ replaceName: '已同意' })]);
    expect((await applicationRow(t, appId)).status).toBe('approved');
    expect((await tasksOf(t, appId)).find((x) => Number(x.id) === zhaoTask)!.status).toBe('cancelled');

    const [zhaoRow] = await rows(t, "SELECT id, response_code FROM bot_messages WHERE kind = 'approval_task' AND recipient = ?", [await wx('赵磊')]);
    await deliverAll(t, dispatcher);
    expect(updatesWith(String(zhaoRow.response_code))).toEqual([expect.objectContaining({ replaceName: '已由 李娜 处理', userids: [await wx('赵磊')] })]);
    expect(zhaoCard.content.task_id).toBe(t.wecomMessages!.cards.get(String(zhaoRow.response_code))!.taskId);
    expect(await rows(t, "SELECT status, recipient FROM bot_messages WHERE kind = 'card_update'")).toEqual([{ status: 'sent', recipient: await wx('赵磊') }]);

    // The applicant hears the outcome; cc (财务) gets a notice.
    expect(t.wecomMessages!.deliveredTo(await wx('张伟')).some((d) => JSON.stringify(d.content).includes('已通过'))).toBe(true);
    const cc = await rows(t, "SELECT status FROM bot_messages WHERE kind = 'approval_cc' AND ref_id = ?", [String(appId)]);
    expect(cc.length).toBeGreaterThan(0);
    expect(cc.every((r) => r.status === 'sent')).toBe(true);
  });

  it('赵磊 tapping his closed card decides nothing; the card says who handled it', async () => {
    const [zhaoCard] = await cardsTo('赵磊');
    const zhaoTask = Number((await tasksOf(t, appId)).find((x) => x.assignee === '赵磊')!.id);
    const before = await actionsOf(t, appId);
    const code = await tap('赵磊', zhaoCard, `approval:${zhaoTask}:approve`);
    expect(updatesWith(code)).toEqual([expect.objectContaining({ replaceName: '已由 李娜 处理' })]);
    expect(await actionsOf(t, appId)).toEqual(before);
  });
});

describe('taps that must not decide', () => {
  let appId: number;
  let leadTask: number;
  let leadCard: WecomDelivery;

  beforeAll(async () => {
    appId = (await submitted(zhang)).id;
    leadTask = await pendingTask(appId, '吴婷');
    await deliverAll(t, dispatcher);
    leadCard = (await cardsTo('吴婷')).at(-1)!;
    expect(leadCard.content.button_list[0].key).toBe(`approval:${leadTask}:approve`);
  });

  it('someone who holds no task on that node: nothing decided, their card says 无权处理', async () => {
    const code = await tap('王敏', leadCard, `approval:${leadTask}:approve`);
    expect(updatesWith(code)).toEqual([expect.objectContaining({ replaceName: '无权处理', userids: [await wx('王敏')] })]);
    expect((await tasksOf(t, appId)).find((x) => Number(x.id) === leadTask)!.status).toBe('pending');
    expect(await actionsOf(t, appId)).not.toContain('approve');
  });

  it('驳回 from chat does not reject: the card keeps its buttons and the approver gets the link to the reject sheet', async () => {
    const code = await tap('吴婷', leadCard, `approval:${leadTask}:reject`, 2);
    expect(updatesWith(code)).toEqual([]);
    expect((await applicationRow(t, appId)).status).toBe('pending');
    expect(await actionsOf(t, appId)).not.toContain('reject');
    await deliverAll(t, dispatcher);
    const prompts = t.wecomMessages!.deliveredTo(await wx('吴婷')).filter((d) => d.msgtype === 'textcard' && d.content.title === '驳回需填写原因');
    expect(prompts).toHaveLength(1);
    expect(prompts[0].content.url).toBe(`http://127.0.0.1:3000/approvals/${appId}?act=reject`);
  });

  it('the H5 refuses a reject without a reason; with one it rejects, and the card is updated 已驳回 through the outbox', async () => {
    const wu = await t.loginAs('吴婷');
    const bare = await decide(wu, appId, 'reject');
    expect(bare.status).toBe(422);
    expect((await applicationRow(t, appId)).status).toBe('pending');
    const res = await decide(wu, appId, 'reject', '收入证明不足');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [card] = await rows(t, "SELECT response_code FROM bot_messages WHERE kind = 'approval_task' AND ref_id = ? AND recipient = ?", [String(appId), await wx('吴婷')]);
    await deliverAll(t, dispatcher);
    expect(updatesWith(String(card.response_code))).toEqual([expect.objectContaining({ replaceName: '已驳回', userids: [await wx('吴婷')] })]);
    // The applicant is told of the rejection with its reason.
    expect(t.wecomMessages!.deliveredTo(await wx('张伟')).some((d) => JSON.stringify(d.content).includes('收入证明不足'))).toBe(true);
  });
});

describe('card updates that cannot be applied', () => {
  it('a card past its 72 h response_code is skipped (recorded, not a dead letter); a withdrawal cancels a card not yet sent', async () => {
    const s = await submitted(zhang);
    await deliverAll(t, dispatcher);
    t.clock.ms += 73 * 3_600_000;
    const wu = await t.loginAs('吴婷');
    expect((await decide(wu, s.id, 'approve')).status).toBe(200);
    // The 风控 cards are not sent yet when the applicant withdraws: they are cancelled, not updated.
    expect((await zhang.post(`/api/v1/applications/${s.id}/withdraw`, { reason: '客户不贷了' })).status).toBe(200);
    const risk = await rows(t, "SELECT status FROM bot_messages WHERE kind = 'approval_task' AND ref_id = ? AND recipient IN (?, ?)", [String(s.id), await wx('李娜'), await wx('赵磊')]);
    expect(risk).toEqual([{ status: 'cancelled' }, { status: 'cancelled' }]);
    expect(await count(t, 'bot_messages', "kind = 'card_update' AND ref_id = ?", [String(s.id)])).toBe(1);

    const updatesBefore = cards.updates.length;
    await deliverAll(t, dispatcher);
    expect(cards.updates.length).toBe(updatesBefore);
    const [u] = await rows(t, "SELECT status, last_error_code FROM bot_messages WHERE kind = 'card_update' AND ref_id = ?", [String(s.id)]);
    expect(u).toEqual({ status: 'sent', last_error_code: 'RESPONSE_CODE_EXPIRED' });
    expect(await count(t, 'bot_messages', "status = 'dead'")).toBe(0);
  });
});
