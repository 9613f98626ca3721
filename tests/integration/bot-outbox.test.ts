// The bot's outbox (C26): rows are written in the business transaction (and vanish with its
// rollback), a repeated enqueue is a no-op, recipients get the channel their messenger offers
// (console when none), teams go to their group robots, and delivery batches recipients where the
// API allows (WeCom 1,000 per call, DingTalk 100).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotTestApp, deliverAll, testDispatcher, textPayload, type BotTestApp } from '../helpers/bot-worker';
import { count, rows } from '../helpers/fixtures';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { createDispatcher } from '../../bot/src/outbox/dispatcher';
import { startBot } from '../../bot/src/index';
import type { BotJob } from '../../bot/src/jobs/job';

let t: BotTestApp;
const uid: Record<string, number> = {};

beforeAll(async () => {
  t = await createBotTestApp({ wecom: true, dingtalk: true, env: { DINGTALK_CARD_TEMPLATE_ID: 'fake-approval-card.schema', DINGTALK_STREAM: 'true' } });
  for (const n of ['张伟', '刘洋', '吴婷', '王敏', '黄静']) uid[n] = await t.userId(n);
});
afterAll(async () => t?.close());

describe('enqueue in the business transaction', () => {
  it('commits with the change and rolls back with it', async () => {
    const { db, bot, audit } = t.deps;
    await expect(
      db.transaction(async (tx) => {
        await audit.record(null, { action: 'test.change', entityType: 'test', entityId: 1 }, tx);
        await bot.notifyUsers(tx, { userIds: [uid['张伟']], kind: 'task_reminder', payload: textPayload('回滚的提醒'), idemKey: 'rollback:1' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await count(t, 'bot_messages', "idem_key LIKE 'rollback:1|%'")).toBe(0);
    expect(await count(t, 'audit_logs', "action = 'test.change'")).toBe(0);

    await db.transaction(async (tx) => {
      await audit.record(null, { action: 'test.change', entityType: 'test', entityId: 2 }, tx);
      await bot.notifyUsers(tx, { userIds: [uid['张伟']], kind: 'task_reminder', payload: textPayload('提交的提醒'), idemKey: 'commit:1', ref: { type: 'task', id: 7 } });
    });
    const [r] = await rows(t, "SELECT * FROM bot_messages WHERE idem_key LIKE 'commit:1|%'");
    expect(r).toMatchObject({ status: 'pending', kind: 'task_reminder', recipient_user_id: uid['张伟'], ref_type: 'task', ref_id: '7', attempts: 0 });
  });

  it('a duplicate enqueue (same key, even in another transaction) is a no-op, not an error', async () => {
    const input = { userIds: [uid['刘洋'], uid['刘洋']], kind: 'task_reminder', payload: textPayload('重复'), idemKey: 'dup:1' };
    await t.deps.db.transaction((tx) => t.deps.bot.notifyUsers(tx, input));
    await t.deps.db.transaction((tx) => t.deps.bot.notifyUsers(tx, input));
    await t.deps.db.transaction((tx) => t.deps.bot.notifyUsers(tx, { ...input, payload: textPayload('重复但内容变了') }));
    // 刘洋 has WeCom and DingTalk: one row per channel, however often it was enqueued.
    const got = await rows(t, "SELECT channel, payload FROM bot_messages WHERE idem_key LIKE 'dup:1|%' ORDER BY channel");
    expect(got.map((r) => r.channel)).toEqual(['dingtalk_notice', 'wecom_app']);
    expect(JSON.parse(String(got[0].payload)).title).toBe('重复');
  });
});

describe('channel resolution', () => {
  it('each messenger the user is on; cards on DingTalk when buttons are asked for; disabled staff skipped', async () => {
    await t.deps.db.models.User.update({ dingtalkUserid: null }, { where: { id: uid['吴婷'] } });
    await t.deps.db.models.User.update({ status: 'disabled' }, { where: { id: uid['黄静'] } });
    const buttons = [{ key: 'approval:1:approve', text: '同意', style: 'primary' as const }, { key: 'approval:1:reject', text: '拒绝', style: 'danger' as const }];
    const r = await t.deps.db.transaction((tx) =>
      t.deps.bot.notifyUsers(tx, { userIds: [uid['张伟'], uid['吴婷'], uid['黄静'], 999999], kind: 'approval_card', payload: { title: '审批', text: '请审批', buttons }, idemKey: 'card:1' }),
    );
    expect(r.skippedUserIds.sort()).toEqual([uid['黄静'], 999999].sort());
    expect(r.messages.map((m) => `${m.recipientUserId}:${m.channel}`).sort()).toEqual(
      [`${uid['张伟']}:wecom_app`, `${uid['张伟']}:dingtalk_card`, `${uid['吴婷']}:wecom_app`].sort(),
    );
    await t.deps.db.models.User.update({ dingtalkUserid: `dd-${uid['吴婷']}` }, { where: { id: uid['吴婷'] } });
    await t.deps.db.models.User.update({ status: 'active' }, { where: { id: uid['黄静'] } });
  });

  it('a team message goes to each enabled robot of the team, else to the console', async () => {
    const team = (await t.deps.db.models.Department.findOne({ where: { name: '杭州一部' } }))!;
    const other = (await t.deps.db.models.Department.findOne({ where: { name: '苏州一部' } }))!;
    await t.deps.db.models.TeamRobot.bulkCreate([
      { departmentId: team.id, provider: 'wecom', name: '一部群', tokenEnc: t.deps.crypto.encrypt('team-key-0001') },
      { departmentId: team.id, provider: 'dingtalk', name: '一部钉钉群', tokenEnc: t.deps.crypto.encrypt('a'.repeat(64)), secretEnc: t.deps.crypto.encrypt(`SEC${'1'.repeat(64)}`), enabled: false },
    ]);
    const a = await t.deps.db.transaction((tx) => t.deps.bot.notifyTeam(tx, { departmentId: team.id, kind: 'daily_summary', payload: textPayload('日报'), idemKey: 'team:1' }));
    expect(a.messages.map((m) => m.channel)).toEqual(['wecom_robot']);
    expect(a.messages[0].recipient).toMatch(/^robot:\d+$/);
    const b = await t.deps.db.transaction((tx) => t.deps.bot.notifyTeam(tx, { departmentId: other.id, kind: 'daily_summary', payload: textPayload('日报'), idemKey: 'team:1' }));
    expect(b.messages.map((m) => m.channel)).toEqual(['console']);
    // Clean up so later deliveries in this file do not include them.
    await t.deps.db.models.BotMessage.update({ status: 'cancelled' }, { where: { kind: 'daily_summary' } });
  });
});

describe('batching', () => {
  it('an interactive card goes to DingTalk as a card (outTrackId stored) and to WeCom as template_card (response_code stored)', async () => {
    await deliverAll(t, testDispatcher(t));
    const cardRows = await rows(t, "SELECT channel, status, external_id, response_code, recipient FROM bot_messages WHERE idem_key LIKE 'card:1|%' ORDER BY channel");
    expect(cardRows.map((r) => `${r.channel}:${r.status}`)).toEqual(['dingtalk_card:sent', 'wecom_app:sent', 'wecom_app:sent']);
    const ding = cardRows[0];
    expect(t.cards!.cards.get(String(ding.external_id))).toMatchObject({ spaceType: 'IM_ROBOT', spaceId: ding.recipient });
    expect(JSON.parse(t.cards!.cards.get(String(ding.external_id))!.params.buttons)).toHaveLength(2);
    for (const w of cardRows.slice(1)) {
      expect(w.response_code).toBeTruthy();
      expect(t.wecomMessages!.cards.get(String(w.response_code))?.userids).toEqual([w.recipient]);
    }
    const tc = t.wecomMessages!.delivered.find((d) => d.msgtype === 'template_card')!;
    expect(tc.content).toMatchObject({ card_type: 'button_interaction', button_list: [{ key: 'approval:1:approve', style: 1 }, { key: 'approval:1:reject', style: 2 }] });
  });
  it('2,500 WeCom recipients of one notice take 3 calls, each userid once', async () => {
    expect(await count(t, 'bot_messages', "status = 'pending'")).toBe(0);
    const wx = t.wecom!;
    const ids: string[] = [];
    for (let i = 0; i < 2500; i++) {
      const id = `bulk-${String(i).padStart(4, '0')}`;
      wx.addUser({ userid: id, name: `员工${i}`, department: [1] });
      ids.push(id);
    }
    await t.deps.db.transaction((tx) =>
      t.deps.bot.enqueue(tx, ids.map((id) => ({ idemKey: `notice:1|${id}`, channel: 'wecom_app' as const, kind: 'notice', recipient: id, payload: textPayload('全员通知', '明天上午 9 点开会') }))),
    );
    const before = wx.count('/cgi-bin/message/send');
    await deliverAll(t, testDispatcher(t));
    const calls = wx.calls.filter((c) => c.path === '/cgi-bin/message/send').slice(before);
    expect(calls.length).toBe(3);
    expect(calls.map((c) => c.body.touser.split('|').length).sort()).toEqual([1000, 1000, 500].sort());
    const delivered = t.wecomMessages!.delivered.filter((d) => d.recipient.startsWith('bulk-'));
    expect(delivered.length).toBe(2500);
    expect(new Set(delivered.map((d) => d.recipient)).size).toBe(2500);
    expect(await count(t, 'bot_messages', "kind = 'notice' AND status = 'sent'")).toBe(2500);
    // One call's rows share its batch_id; every row has its attempt.
    expect(await count(t, 'bot_messages', "kind = 'notice' AND batch_id IS NULL")).toBe(0);
    const [b] = await rows(t, "SELECT COUNT(DISTINCT batch_id) AS n FROM bot_messages WHERE kind = 'notice'");
    expect(Number(b.n)).toBe(3);
    expect(await count(t, 'bot_message_attempts a JOIN bot_messages m ON m.id = a.message_id', "m.kind = 'notice' AND a.outcome = 'sent'")).toBe(2500);
  });

  it('DingTalk work notifications carry at most 100 userids per call; unknown users are dead, the rest sent', async () => {
    const dd = t.dingtalk!;
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) {
      const id = `ding-${i}`;
      if (i % 50 !== 7) dd.addUser({ userid: id, name: `员工${i}`, dept_id_list: [1] });
      ids.push(id);
    }
    await t.deps.db.transaction((tx) =>
      t.deps.bot.enqueue(tx, ids.map((id) => ({ idemKey: `dnotice:1|${id}`, channel: 'dingtalk_notice' as const, kind: 'dnotice', recipient: id, payload: { title: '通知', text: '请查看', url: '/customers' } }))),
    );
    await deliverAll(t, testDispatcher(t));
    const sends = dd.calls.filter((c) => c.path === '/topapi/message/corpconversation/asyncsend_v2' && c.body.userid_list.includes('ding-'));
    expect(sends.length).toBe(3);
    expect(t.notices!.maxUseridsPerCall()).toBeLessThanOrEqual(100);
    expect(await count(t, 'bot_messages', "kind = 'dnotice' AND status = 'sent'")).toBe(245);
    const dead = await rows(t, "SELECT recipient, last_error_code FROM bot_messages WHERE kind = 'dnotice' AND status = 'dead' ORDER BY recipient");
    expect(dead.map((r) => r.recipient)).toEqual(['ding-107', 'ding-157', 'ding-207', 'ding-57', 'ding-7']);
    expect(new Set(dead.map((r) => r.last_error_code))).toEqual(new Set(['INVALID_USER']));
    // The fallback for links: an action_card into the DingTalk workbench app, snake_case.
    const card = t.notices!.delivered.find((d) => d.recipient === 'ding-0')!;
    expect(card.msgtype).toBe('action_card');
    expect(card.content.single_url).toMatch(/^dingtalk:\/\/dingtalkclient\/action\/openapp\?corpid=dingfakecorp0000001&.*app_id=0_3000001.*redirect_url=http%3A%2F%2F127\.0\.0\.1%3A3000%2Fcustomers$/);
  });

});

describe('console channel', () => {
  let plain: TestApp;
  beforeAll(async () => {
    plain = await createTestApp({ env: { BOT_DISPATCH_INTERVAL_MS: '100' } });
  });
  afterAll(async () => plain?.close());

  it('with no messenger configured, messages are written to the log and the console list, and marked sent', async () => {
    const zhang = await plain.userId('张伟');
    const r = await plain.deps.db.transaction((tx) => plain.deps.bot.notifyUsers(tx, { userIds: [zhang], kind: 'task_reminder', payload: textPayload('今日待办', '3 位客户待跟进'), idemKey: 'console:1' }));
    expect(r.messages).toEqual([{ channel: 'console', recipient: '-', recipientUserId: zhang }]);
    const logged: unknown[] = [];
    const log = plain.deps.log.child({});
    log.info = ((o: unknown) => void logged.push(o)) as typeof log.info;
    const stats = await createDispatcher({ ...plain.deps, log }).drain();
    expect(stats).toMatchObject({ claimed: 1, sent: 1 });
    expect(logged).toEqual([expect.objectContaining({ title: '今日待办', recipientUserId: zhang })]);
    const admin = await plain.loginAs('王敏');
    const res = await admin.get('/api/v1/admin/bot/console');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ channel: 'console', status: 'sent', recipientName: '张伟', payload: expect.objectContaining({ title: '今日待办' }) })]);
  });

  it('startBot delivers on its own, runs each job under its lease (once at a time) and stops cleanly', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    const job: BotJob = { name: 'test-job', schedule: () => '0 3 * * *', leaseMs: 60_000, run: async () => void (runs++, await gate) };
    const off: BotJob = { ...job, name: 'off-job', schedule: () => null };
    const bad: BotJob = { ...job, name: 'bad-job', schedule: () => 'every day' };
    const bot = startBot(plain.deps, { jobs: [job, off, bad] });
    try {
      expect(bot.scheduled).toEqual(['test-job']);
      const zhang = await plain.userId('张伟');
      await plain.deps.db.transaction((tx) => plain.deps.bot.notifyUsers(tx, { userIds: [zhang], kind: 'loop', payload: textPayload('自动发送'), idemKey: 'loop:1' }));
      for (let i = 0; i < 100 && (await count(plain, 'bot_messages', "kind = 'loop' AND status = 'sent'")) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await count(plain, 'bot_messages', "kind = 'loop' AND status = 'sent'")).toBe(1);

      const first = bot.runJob('test-job');
      await new Promise((r) => setTimeout(r, 20));
      expect(await bot.runJob('test-job')).toBe(false); // the first run holds the lease
      release();
      expect(await first).toBe(true);
      expect(runs).toBe(1);
      const [lease] = await rows(plain, "SELECT owner, lease_until, last_result FROM job_leases WHERE name = 'test-job'");
      expect(lease).toMatchObject({ owner: null, lease_until: null, last_result: 'ok' });
    } finally {
      await bot.stop();
    }
  });

  it('no group robot can be added for a messenger that is not configured', async () => {
    const admin = await plain.loginAs('王敏');
    const team = (await plain.deps.db.models.Department.findOne({ where: { name: '杭州一部' } }))!;
    const res = await admin.post('/api/v1/admin/team-robots', { departmentId: team.id, provider: 'wecom', name: '群', token: '693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'MESSENGER_NOT_CONFIGURED', message: '未接入企业微信,不能添加企业微信群机器人' });
    expect(await count(plain, 'team_robots')).toBe(0);
  });
});
