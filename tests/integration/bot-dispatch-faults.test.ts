// Delivery under faults (C26): transient failures (-1, lost answers, 5xx) are retried with
// backoff and every message still arrives exactly once; permanent failures (60020, unknown user)
// go dead at once with an admin alert and no retry; after BOT_MAX_ATTEMPTS transient failures a
// message is a dead letter, listed by the admin API, and retrying it delivers it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBotTestApp, deliverAll, testDispatcher, textPayload, type BotTestApp } from '../helpers/bot-worker';
import { count, rows } from '../helpers/fixtures';
import type { Client } from '../helpers/test-app';
import { createDingtalkClient } from '../../server/src/modules/messenger/dingtalk/dingtalk.client';

let t: BotTestApp;
let admin: Client;
let userIds: number[] = [];

beforeAll(async () => {
  t = await createBotTestApp({ wecom: true, dingtalk: true, env: { BOT_MAX_ATTEMPTS: '4' } });
  userIds = (await t.deps.db.models.User.findAll({ where: { status: 'active' }, order: [['id', 'ASC']], raw: true })).map((u) => u.id);
  admin = await t.loginAs('王敏');
});
afterAll(async () => t?.close());

beforeEach(async () => {
  // Each case starts with an empty queue and a healthy fake.
  await t.deps.db.models.BotMessage.update({ status: 'cancelled' }, { where: { status: ['pending', 'sending'] } });
  t.wecom!.transientRate = 0;
  t.wecom!.ipNotTrusted = false;
  t.dingtalk!.transientRate = 0;
});

/** Each user gets `n` messages of their own (so one call each); `shared`: the same text for all (batched). */
async function enqueueMany(prefix: string, n: number, channelUsers = userIds, shared = false) {
  await t.deps.db.transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      for (const u of shared ? [0] : channelUsers) {
        const to = shared ? channelUsers : [u];
        await t.deps.bot.notifyUsers(tx, { userIds: to, kind: prefix, payload: textPayload(`${prefix} 第${i + 1}条`, shared ? '大家好' : `给 ${u} 的消息`), idemKey: `${prefix}:${i}:${u}` });
      }
    }
  });
}

describe('transient faults', () => {
  it('30% of WeCom calls answer -1 and some answers are lost: every message arrives exactly once, attempts recorded', async () => {
    const wx = t.wecom!;
    const msgs = t.wecomMessages!;
    wx.transientPaths.add('/cgi-bin/message/send');
    wx.transientRate = 0.3;
    msgs.loseAnswerNext(6); // delivered, but the 502 makes the dispatcher retry: duplicate check must absorb it
    // Each user: 4 different messages (one call each), plus one notice shared by everybody (one batched call).
    await enqueueMany('faults-wx', 4);
    await t.deps.db.transaction((tx) => t.deps.bot.notifyUsers(tx, { userIds, kind: 'faults-wx', payload: textPayload('全员通知'), idemKey: 'faults-wx:all' }));
    const before = msgs.delivered.length;
    const callsBefore = wx.count('/cgi-bin/message/send');

    await deliverAll(t, testDispatcher(t));

    const expected = userIds.length * 5;
    expect(await count(t, 'bot_messages', "kind = 'faults-wx' AND channel = 'wecom_app' AND status = 'sent'")).toBe(expected);
    const delivered = msgs.delivered.slice(before);
    expect(delivered.length).toBe(expected);
    const perMessage = new Map<string, number>();
    for (const d of delivered) perMessage.set(`${d.recipient}|${d.content.content}`, (perMessage.get(`${d.recipient}|${d.content.content}`) ?? 0) + 1);
    expect(perMessage.size).toBe(expected);
    expect(Math.max(...perMessage.values())).toBe(1);
    // The faults really happened: -1 answers, lost answers re-sent and suppressed by the duplicate check.
    const answers = wx.calls.filter((c) => c.path === '/cgi-bin/message/send').slice(callsBefore);
    expect(answers.filter((c) => (c.answer as { errcode?: number } | undefined)?.errcode === -1).length).toBeGreaterThan(10);
    expect(msgs.duplicates.length).toBeGreaterThanOrEqual(6);
    expect(msgs.dropped).toEqual([]);
    const failed = await rows(t, "SELECT a.outcome, a.error_code FROM bot_message_attempts a JOIN bot_messages m ON m.id = a.message_id WHERE m.kind = 'faults-wx' AND a.outcome <> 'sent'");
    expect(failed.length).toBeGreaterThanOrEqual(6);
    expect(new Set(failed.map((f) => f.outcome))).toEqual(new Set(['transient']));
    expect(failed.some((f) => f.error_code === 'HTTP_502')).toBe(true);
    // Every sent row has exactly one 'sent' attempt.
    const [x] = await rows(t, "SELECT COUNT(*) AS n FROM bot_message_attempts a JOIN bot_messages m ON m.id = a.message_id WHERE m.kind = 'faults-wx' AND m.channel = 'wecom_app' AND a.outcome = 'sent'");
    expect(Number(x.n)).toBe(expected);
  });

  it('30% of DingTalk work notifications fail with -1: retried with backoff, each delivered once', async () => {
    const dd = t.dingtalk!;
    dd.transientPaths.add('/topapi/message/corpconversation/asyncsend_v2');
    dd.transientRate = 0.3;
    const before = t.notices!.delivered.length;
    // dingtalk_notice rows of the previous case were cancelled; enqueue fresh ones.
    await enqueueMany('faults-dd', 3);
    const moved = await deliverAll(t, testDispatcher(t));
    const expected = userIds.length * 3;
    expect(await count(t, 'bot_messages', "kind = 'faults-dd' AND channel = 'dingtalk_notice' AND status = 'sent'")).toBe(expected);
    const delivered = t.notices!.delivered.slice(before);
    expect(delivered.length).toBe(expected);
    expect(new Set(delivered.map((d) => `${d.recipient}|${d.content.content}`)).size).toBe(expected);
    expect(await count(t, 'bot_message_attempts a JOIN bot_messages m ON m.id = a.message_id', "m.kind = 'faults-dd' AND a.outcome = 'transient' AND a.error_code = '-1'")).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0); // the clock had to move: retries wait (backoff), they do not spin
  });
});

describe('permanent failures', () => {
  it('60020 (server IP not trusted): dead at once, one admin alert counting every cause, no retry', async () => {
    const wx = t.wecom!;
    wx.ipNotTrusted = true;
    // Two different messages to three people: two calls (each batches the three), both refused.
    await enqueueMany('perm-ip', 2, userIds.slice(0, 3), true);
    const d = testDispatcher(t);
    await d.drain();
    const dead = await rows(t, "SELECT status, attempts, last_error_code FROM bot_messages WHERE kind = 'perm-ip' AND channel = 'wecom_app'");
    expect(dead).toHaveLength(6);
    for (const r of dead) expect(r).toMatchObject({ status: 'dead', attempts: 1, last_error_code: '60020' });
    const alerts = await rows(t, "SELECT kind, message, count, resolved_at FROM admin_alerts WHERE dedupe_key = 'bot:wecom:60020'");
    expect(alerts).toHaveLength(1); // one alert per cause, counting each refused call
    expect(alerts[0]).toMatchObject({ kind: 'bot_delivery', resolved_at: null });
    expect(Number(alerts[0].count)).toBe(2);
    const alert = alerts[0];
    expect(String(alert.message)).toContain('企业可信IP');
    const calls = wx.count('/cgi-bin/message/send');
    t.clock.advance(3_600_000);
    await d.drain();
    expect(wx.count('/cgi-bin/message/send')).toBe(calls); // nothing retried
    expect(await count(t, 'bot_message_attempts a JOIN bot_messages m ON m.id = a.message_id', "m.kind = 'perm-ip' AND m.channel = 'wecom_app'")).toBe(6);
  });

  it('an unknown recipient is dead (invaliduser) while the others of the same call are sent', async () => {
    await t.deps.db.transaction((tx) =>
      t.deps.bot.enqueue(tx, ['wx-ghost', `wx-${userIds[0]}`, `wx-${userIds[1]}`].map((r) => ({ idemKey: `ghost|${r}`, channel: 'wecom_app' as const, kind: 'ghost', recipient: r, payload: textPayload('同一条通知') }))),
    );
    await deliverAll(t, testDispatcher(t));
    const got = await rows(t, "SELECT recipient, status, last_error_code, batch_id FROM bot_messages WHERE kind = 'ghost' ORDER BY recipient");
    expect(got.map((r) => `${r.recipient}:${r.status}`)).toEqual([`wx-${userIds[0]}:sent`, `wx-${userIds[1]}:sent`, 'wx-ghost:dead']);
    expect(got[2].last_error_code).toBe('81013');
    const call = t.wecom!.calls.filter((c) => c.path === '/cgi-bin/message/send').at(-1)!;
    expect(call.body.touser.split('|').sort()).toEqual(['wx-ghost', `wx-${userIds[0]}`, `wx-${userIds[1]}`].sort());
  });
});

describe('dead letters', () => {
  it('after BOT_MAX_ATTEMPTS transient failures the message is dead, listed for the admin, and a retry delivers it', async () => {
    const wx = t.wecom!;
    wx.failNext('/cgi-bin/message/send', 45033, 4); // "concurrency limit": transient, not retried by the client itself
    await enqueueMany('deadletter', 1, [userIds[2]]);
    const moved = await deliverAll(t, testDispatcher(t));
    const [row] = await rows(t, "SELECT id, status, attempts, last_error_code, last_error FROM bot_messages WHERE kind = 'deadletter' AND channel = 'wecom_app'");
    expect(row).toMatchObject({ status: 'dead', attempts: 4, last_error_code: '45033' });
    expect(String(row.last_error)).toContain('已重试 4 次');
    // Backoff between the tries: 5 s, 10 s, 20 s (± jitter) at least.
    expect(moved).toBeGreaterThanOrEqual(17_500);
    const attempts = await rows(t, 'SELECT attempt_no, outcome, error_code FROM bot_message_attempts WHERE message_id = ? ORDER BY id', [row.id]);
    expect(attempts).toEqual([1, 2, 3, 4].map((n) => ({ attempt_no: n, outcome: 'transient', error_code: '45033' })));
    expect(await count(t, 'admin_alerts', "dedupe_key = 'bot:dead_letter:wecom_app' AND resolved_at IS NULL")).toBe(1);

    const list = await admin.get('/api/v1/admin/bot/messages?status=dead&channel=wecom_app');
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: { id: number }) => i.id === Number(row.id));
    expect(item).toMatchObject({ status: 'dead', statusName: '发送失败', lastErrorCode: '45033', attempts: 4 });
    expect(item.attemptLog).toHaveLength(4);

    const before = t.wecomMessages!.deliveredTo(`wx-${userIds[2]}`).length;
    const retry = await admin.post(`/api/v1/admin/bot/messages/${row.id}/retry`);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'pending', attempts: 0 });
    await deliverAll(t, testDispatcher(t));
    expect(t.wecomMessages!.deliveredTo(`wx-${userIds[2]}`).length).toBe(before + 1);
    const [after] = await rows(t, 'SELECT status, attempts FROM bot_messages WHERE id = ?', [row.id]);
    expect(after).toMatchObject({ status: 'sent', attempts: 1 });
    expect((await admin.post(`/api/v1/admin/bot/messages/${row.id}/retry`)).body.error.code).toBe('BOT_MESSAGE_NOT_RETRYABLE');
  });

  it('a rate-limit answer (45009) delays the message without using up a try', async () => {
    t.wecom!.failNext('/cgi-bin/message/send', 45009, 1);
    await enqueueMany('ratelimited', 1, [userIds[3]]);
    const d = testDispatcher(t);
    await d.drain();
    const [row] = await rows(t, "SELECT id, status, attempts, last_error_code, next_attempt_at FROM bot_messages WHERE kind = 'ratelimited' AND channel = 'wecom_app'");
    expect(row).toMatchObject({ status: 'pending', attempts: 0, last_error_code: '45009' });
    await d.drain();
    expect((await rows(t, 'SELECT status FROM bot_messages WHERE id = ?', [row.id]))[0].status).toBe('pending'); // not due yet
    await deliverAll(t, d);
    const attempts = await rows(t, 'SELECT outcome, error_code FROM bot_message_attempts WHERE message_id = ? ORDER BY id', [row.id]);
    expect(attempts).toEqual([{ outcome: 'deferred', error_code: '45009' }, { outcome: 'sent', error_code: null }]);
  });
});

describe('the fakes refuse what the real servers refuse', () => {
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  };

  it('WeCom message/send and webhook/send', async () => {
    const c = t.deps.messengers.wecom!;
    const to = `wx-${userIds[0]}`;
    const base = { touser: to, agentid: c.config.agentId };
    expect(await code(c.post('/cgi-bin/message/send', { ...base, agentid: String(c.config.agentId), msgtype: 'text', text: { content: 'x' } }))).toBe('40056');
    expect(await code(c.post('/cgi-bin/message/send', { agentid: c.config.agentId, msgtype: 'text', text: { content: 'x' } }))).toBe('82001');
    expect(await code(c.post('/cgi-bin/message/send', { ...base, msgtype: 'text', markdown: { content: 'x' } }))).toBe('40008');
    expect(await code(c.post('/cgi-bin/message/send', { ...base, msgtype: 'text', text: { content: '' } }))).toBe('44004');
    expect(await code(c.post('/cgi-bin/message/send', { ...base, msgtype: 'text', text: { content: '贷'.repeat(683) } }))).toBe('45002');
    expect(await code(c.post('/cgi-bin/message/send', { ...base, msgtype: 'textcard', textcard: { title: 't', description: 'd', url: 'https://x.example.com', btntxt: '查看全部详情' } }))).toBe('40035');
    expect(await code(c.post('/cgi-bin/message/send', { ...base, msgtype: 'textcard', textcard: { title: '贷'.repeat(43), description: 'd', url: 'https://x.example.com' } }))).toBe('45002');
    const card = (taskId: string, buttons: unknown[]) => ({ ...base, msgtype: 'template_card', template_card: { card_type: 'button_interaction', main_title: { title: '审批' }, task_id: taskId, button_list: buttons } });
    const b = [{ text: '同意', key: 'a' }];
    expect(await code(c.post('/cgi-bin/message/send', card('bad task id!', b)))).toBe('40035');
    expect(await code(c.post('/cgi-bin/message/send', card('t1', [...b, { text: '拒绝', key: 'a' }])))).toBe('40035');
    expect(await code(c.post('/cgi-bin/message/send', card('t1', Array.from({ length: 7 }, (_, i) => ({ text: `${i}`, key: `k${i}` })))))).toBe('40035');
    expect(await code(c.post('/cgi-bin/message/send', card('t1', b)))).toBe('ok');
    expect(await code(c.post('/cgi-bin/message/send', { ...card('t1', b), touser: `wx-${userIds[1]}` }))).toBe('40035'); // task_id reused
    expect(await code(c.post('/cgi-bin/message/send', { ...base, msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: 'x' } } }))).toBe('40035'); // card_action missing
    expect(await code(c.post('/cgi-bin/message/send', { ...base, touser: 'nobody', msgtype: 'text', text: { content: 'x' } }))).toBe('81013');

    t.wecomRobots!.addRobot('strict-robot-1');
    expect(await code(c.webhookSend('no-such-robot', { msgtype: 'text', text: { content: 'x' } }))).toBe('93000');
    expect(await code(c.webhookSend('strict-robot-1', { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } }))).toBe('45002');
    for (let i = 0; i < 20; i++) expect(await code(c.webhookSend('strict-robot-1', { msgtype: 'text', text: { content: `m${i}` } }))).toBe('ok');
    expect(await code(c.webhookSend('strict-robot-1', { msgtype: 'text', text: { content: 'm21' } }))).toBe('45009');
    t.clock.advance(60_000);
    expect(await code(c.webhookSend('strict-robot-1', { msgtype: 'text', text: { content: 'm22' } }))).toBe('ok');
  });

  it('DingTalk asyncsend_v2 and robot/send', async () => {
    const d = t.deps.messengers.dingtalk!;
    const api = '/topapi/message/corpconversation/asyncsend_v2';
    const to = `dd-${userIds[0]}`;
    const text = { msgtype: 'text', text: { content: 'x' } };
    expect(await code(d.oapiPost(api, { agent_id: String(d.config.agentId), userid_list: to, msg: text }))).toBe('40035');
    expect(await code(d.oapiPost(api, { agent_id: d.config.agentId, userid_list: Array.from({ length: 101 }, (_, i) => `u${i}`).join(','), msg: text }))).toBe('40035');
    expect(await code(d.oapiPost(api, { agent_id: d.config.agentId, userid_list: to, msg: { msgtype: 'action_card', action_card: { title: 't', markdown: 'm', singleTitle: '看', singleURL: 'https://x' } } }))).toBe('40035');
    expect(await code(d.oapiPost(api, { agent_id: d.config.agentId, userid_list: to, msg: { msgtype: 'action_card', action_card: { title: 't', markdown: 'm', single_title: '看', single_url: 'https://x' } } }))).toBe('ok');

    const token = 'f'.repeat(64);
    const secret = `SEC${'2'.repeat(64)}`;
    t.dingRobots!.addRobot(token, secret);
    expect(await code(d.robotSend(token, `SEC${'3'.repeat(64)}`, text))).toBe('310000');
    expect(await code(d.robotSend(token, null, text))).toBe('310000'); // unsigned
    expect(await code(d.robotSend('0'.repeat(64), secret, text))).toBe('300001');
    expect(await code(d.robotSend(token, secret, { ...text, at: { at_user_ids: ['x'] } }))).toBe('40035');
    expect(await code(d.robotSend(token, secret, { msgtype: 'action_card', action_card: { title: 't', text: 'x' } }))).toBe('40035');
    for (let i = 0; i < 20; i++) expect(await code(d.robotSend(token, secret, { msgtype: 'text', text: { content: `m${i}` } }))).toBe('ok');
    expect(await code(d.robotSend(token, secret, text))).toBe('130101');
    // A signature made more than an hour away from the server's clock is refused.
    t.clock.advance(2 * 3_600_000);
    const stale = createDingtalkClient(d.config, t.deps.messengers.tokens, { now: () => t.clock.ms - 2 * 3_600_000 });
    expect(await code(stale.robotSend(token, secret, text))).toBe('310000');
  });
});
