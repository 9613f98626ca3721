// Rate limits (C26, reference W5, W7, D4, D6), counted at the fakes on the test clock: WeCom app
// messages never exceed 30 per member per minute (the real server would drop the excess without
// a word, so the fake records drops and there must be none); group robots never exceed 20 per
// minute and nothing is lost (the surplus is merged into one message or delayed); DingTalk's
// 500 per user per day waits for the next Shanghai day, and its daily cap / duplicate answers
// (143105 / 143106) are handled.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBotTestApp, deliverAll, testDispatcher, textPayload, toMs, type BotTestApp } from '../helpers/bot-worker';
import { count, rows } from '../helpers/fixtures';
import { nextShanghaiDay } from '../../bot/src/outbox/rate-limit';
import type { BotChannel } from '../../server/src/contracts/bot';

let t: BotTestApp;

beforeAll(async () => {
  t = await createBotTestApp({ wecom: true, dingtalk: true, link: false });
  t.wecom!.addUser({ userid: 'busy', name: '忙人', department: [1] });
  t.wecom!.addUser({ userid: 'calm', name: '闲人', department: [1] });
  t.dingtalk!.addUser({ userid: 'dd-busy', name: '忙人', dept_id_list: [1] });
});
afterAll(async () => t?.close());
beforeEach(async () => {
  expect(await count(t, 'bot_messages', "status IN ('pending', 'sending')")).toBe(0);
});

async function enqueue(channel: BotChannel, recipient: string, kind: string, n: number, payload = (i: number) => textPayload(`${kind} 第${i}条`)) {
  await t.deps.db.transaction((tx) =>
    t.deps.bot.enqueue(tx, Array.from({ length: n }, (_, i) => ({ idemKey: `${kind}:${recipient}:${i}`, channel, kind, recipient, payload: payload(i) }))),
  );
}

describe('WeCom app: 30 per member per minute', () => {
  it('75 messages to one member go out over 3 minutes, none dropped; two dispatchers share the count', async () => {
    await enqueue('wecom_app', 'busy', 'burst', 75);
    await enqueue('wecom_app', 'calm', 'burst', 5);
    const start = t.clock.ms;
    // Two dispatchers (two instances) taking turns: their in-process windows are separate, the
    // database count is shared.
    const a = testDispatcher(t, { batchSize: 20 });
    const b = testDispatcher(t, { batchSize: 20 });
    for (let i = 0; i < 60 && (await count(t, 'bot_messages', "kind = 'burst' AND status <> 'sent'")) > 0; i++) {
      await a.runOnce();
      await b.runOnce();
      t.clock.advance(7_000);
    }
    const msgs = t.wecomMessages!;
    expect(msgs.dropped).toEqual([]);
    expect(msgs.deliveredTo('busy')).toHaveLength(75);
    expect(msgs.deliveredTo('calm')).toHaveLength(5);
    expect(msgs.maxPerMemberPerMinute()).toBeLessThanOrEqual(30);
    expect(msgs.maxPerMemberPerMinute()).toBeGreaterThanOrEqual(25); // and not needlessly slow
    expect(t.clock.ms - start).toBeGreaterThanOrEqual(120_000);
    expect(await count(t, 'bot_messages', "kind = 'burst' AND status = 'sent'")).toBe(80);
    // Held-back messages are not tries: every row has exactly one attempt.
    expect(await count(t, 'bot_message_attempts a JOIN bot_messages m ON m.id = a.message_id', "m.kind = 'burst'")).toBe(80);
  });
});

describe('group robots: 20 per minute, merge or delay, never drop', () => {
  it('WeCom: 50 messages to one group robot arrive (merged where needed) without ever passing 20 a minute', async () => {
    const key = 'robot-key-0001';
    t.wecomRobots!.addRobot(key, '杭州一部群');
    const team = (await t.deps.db.models.Department.findOne({ where: { name: '杭州一部' } }))!;
    const robot = await t.deps.db.models.TeamRobot.create({ departmentId: team.id, provider: 'wecom', name: '杭州一部群', tokenEnc: t.deps.crypto.encrypt(key) });
    await t.deps.db.transaction(async (tx) => {
      for (let i = 0; i < 50; i++) {
        await t.deps.bot.notifyTeam(tx, { departmentId: team.id, kind: 'robot-burst', payload: { title: `第${i}条群消息`, text: `客户 ${i} 已放款`, url: `/customers/${i}` }, idemKey: `rb:${i}` });
      }
    });
    expect(await count(t, 'bot_messages', `recipient = 'robot:${robot.id}' AND status = 'pending'`)).toBe(50);
    await deliverAll(t, testDispatcher(t));
    const robots = t.wecomRobots!;
    expect(robots.maxPerMinute()).toBeLessThanOrEqual(20);
    const text = robots.delivered.map((d) => d.content).join('\n');
    for (let i = 0; i < 50; i++) expect(text).toContain(`第${i}条群消息`);
    expect(robots.delivered.length).toBeLessThan(50); // some were merged
    expect(robots.delivered.some((d) => d.content.startsWith('**') && /条消息/.test(d.content))).toBe(true);
    expect(t.wecom!.calls.filter((c) => c.path === '/cgi-bin/webhook/send' && (c.answer as { errcode: number }).errcode === 45009)).toEqual([]);
    expect(await count(t, 'bot_messages', "kind = 'robot-burst' AND status = 'sent'")).toBe(50);
  });

  it('DingTalk: 45 messages to a signed robot, never past 20 a minute (no 130101), all delivered', async () => {
    const token = 'c'.repeat(64);
    const secret = `SEC${'5'.repeat(64)}`;
    t.dingRobots!.addRobot(token, secret);
    const team = (await t.deps.db.models.Department.findOne({ where: { name: '苏州一部' } }))!;
    await t.deps.db.models.TeamRobot.create({ departmentId: team.id, provider: 'dingtalk', name: '苏州一部群', tokenEnc: t.deps.crypto.encrypt(token), secretEnc: t.deps.crypto.encrypt(secret) });
    await t.deps.db.transaction(async (tx) => {
      for (let i = 0; i < 45; i++) {
        await t.deps.bot.notifyTeam(tx, { departmentId: team.id, kind: 'ding-burst', payload: { title: `钉钉群消息${i}`, text: `内容 ${i}`, mentionUserIds: i === 44 ? ['dd-busy'] : undefined }, idemKey: `db:${i}` });
      }
    });
    await deliverAll(t, testDispatcher(t));
    const robots = t.dingRobots!;
    expect(robots.maxPerMinute()).toBeLessThanOrEqual(20);
    const all = robots.delivered.map((d) => d.text).join('\n');
    for (let i = 0; i < 45; i++) expect(all).toContain(`钉钉群消息${i}`);
    expect(robots.delivered.some((d) => d.atUserIds.includes('dd-busy'))).toBe(true);
    expect(t.dingtalk!.calls.filter((c) => c.path === '/robot/send' && (c.answer as { errcode: number }).errcode !== 0)).toEqual([]);
    expect(await count(t, 'bot_messages', "kind = 'ding-burst' AND status = 'sent'")).toBe(45);
  });

  it('a 130101 from DingTalk (another sender used the robot up) delays the message; it is delivered a minute later', async () => {
    const token = 'c'.repeat(64);
    t.dingtalk!.failNext('/robot/send', 130101, 1);
    const team = (await t.deps.db.models.Department.findOne({ where: { name: '苏州一部' } }))!;
    t.clock.advance(120_000);
    await t.deps.db.transaction((tx) => t.deps.bot.notifyTeam(tx, { departmentId: team.id, kind: 'ding-late', payload: textPayload('迟到的消息'), idemKey: 'late:1' }));
    const moved = await deliverAll(t, testDispatcher(t));
    expect(moved).toBeGreaterThanOrEqual(30_000);
    expect(t.dingRobots!.delivered.filter((d) => d.token === token && d.text.includes('迟到的消息'))).toHaveLength(1);
    const [r] = await rows(t, "SELECT status, attempts FROM bot_messages WHERE kind = 'ding-late'");
    expect(r).toMatchObject({ status: 'sent', attempts: 1 });
  });
});

describe('DingTalk work notifications: 500 per user per day', () => {
  it('past our count for the day, messages wait for the next Shanghai day', async () => {
    // 498 sent earlier today (as far as this app knows).
    const now = new Date(t.clock.ms);
    await t.deps.db.models.BotMessage.bulkCreate(
      Array.from({ length: 498 }, (_, i) => ({
        idemKey: `earlier:${i}`, channel: 'dingtalk_notice' as const, kind: 'earlier', recipient: 'dd-busy', payload: textPayload(`早先 ${i}`),
        status: 'sent' as const, attempts: 1, nextAttemptAt: now, sentAt: now, batchId: `old-${i}`,
      })),
    );
    await enqueue('dingtalk_notice', 'dd-busy', 'daycap', 5);
    const d = testDispatcher(t);
    await d.drain();
    expect(await count(t, 'bot_messages', "kind = 'daycap' AND status = 'sent'")).toBe(2);
    const waiting = await rows(t, "SELECT next_attempt_at FROM bot_messages WHERE kind = 'daycap' AND status = 'pending'");
    expect(waiting).toHaveLength(3);
    const tomorrow = nextShanghaiDay(t.clock.ms);
    for (const w of waiting) expect(toMs(w.next_attempt_at)).toBeGreaterThanOrEqual(tomorrow);
    await deliverAll(t, d);
    expect(t.clock.ms).toBeGreaterThanOrEqual(tomorrow);
    expect(t.notices!.deliveredTo('dd-busy').filter((x) => String(x.content.content).startsWith('daycap'))).toHaveLength(5);
  });

  it("DingTalk's own cap (143105) defers to the next day; its same-content rule (143106) counts as already delivered", async () => {
    // Another system already sent this user 500 notices today: DingTalk forbids more.
    const fake = t.notices!;
    const today = t.clock.ms;
    for (let i = 0; i < 500; i++) fake.delivered.push({ recipient: 'dd-busy', msgtype: 'text', content: { content: `别的系统 ${i}` }, at: today, taskId: 1 });
    await enqueue('dingtalk_notice', 'dd-busy', 'forbidden', 1);
    const d = testDispatcher(t);
    await d.drain();
    const [r] = await rows(t, "SELECT id, status, attempts, last_error_code, next_attempt_at FROM bot_messages WHERE kind = 'forbidden'");
    expect(r).toMatchObject({ status: 'pending', attempts: 0, last_error_code: '143105' });
    await deliverAll(t, d);
    expect((await rows(t, 'SELECT status FROM bot_messages WHERE id = ?', [r.id]))[0].status).toBe('sent');
    expect(fake.deliveredTo('dd-busy').filter((x) => String(x.content.content).startsWith('forbidden 第0条'))).toHaveLength(1);

    // The same text twice in a day under two keys: DingTalk delivers it once; the second row is
    // recorded as sent with the 143106 note, not retried.
    await enqueue('dingtalk_notice', 'dd-busy', 'same-a', 1, () => textPayload('同样的内容'));
    await enqueue('dingtalk_notice', 'dd-busy', 'same-b', 1, () => textPayload('同样的内容'));
    await deliverAll(t, d);
    const same = await rows(t, "SELECT kind, status, last_error_code FROM bot_messages WHERE kind IN ('same-a', 'same-b') ORDER BY kind");
    expect(same).toEqual([{ kind: 'same-a', status: 'sent', last_error_code: null }, { kind: 'same-b', status: 'sent', last_error_code: '143106' }]);
    expect(fake.deliveredTo('dd-busy').filter((x) => x.content.content === '同样的内容\n同样的内容的内容')).toHaveLength(1);
  });
});
