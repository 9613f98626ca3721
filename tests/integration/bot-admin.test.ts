// Admin side of the bot: team group robots (credentials stored encrypted, only ever shown masked,
// validated per provider), the test send, the delivery log with filters, alerts and their
// resolution; everything admin-only and nothing written on a refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotTestApp, type BotTestApp } from '../helpers/bot-worker';
import { count, expectValidation, rows } from '../helpers/fixtures';
import type { Client } from '../helpers/test-app';

let t: BotTestApp;
let admin: Client;
let teamId: number, otherTeamId: number;
const WECOM_KEY = '693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa';
const DING_TOKEN = 'e'.repeat(64);
const DING_SECRET = `SEC${'7'.repeat(64)}`;
let wecomRobotId: number, dingRobotId: number;

const del = (c: Client, url: string) => c.agent.delete(url).set('X-Requested-With', 'XMLHttpRequest');

beforeAll(async () => {
  t = await createBotTestApp({ wecom: true, dingtalk: true });
  admin = await t.loginAs('王敏');
  teamId = (await t.deps.db.models.Department.findOne({ where: { name: '杭州一部' } }))!.id;
  otherTeamId = (await t.deps.db.models.Department.findOne({ where: { name: '杭州二部' } }))!.id;
  t.wecomRobots!.addRobot(WECOM_KEY, '杭州一部群');
  t.dingRobots!.addRobot(DING_TOKEN, `SEC${'8'.repeat(64)}`); // the real robot's secret differs from what the admin will type
});
afterAll(async () => t?.close());

describe('team robots', () => {
  it('stores a WeCom webhook key encrypted (the pasted URL is accepted) and shows it masked', async () => {
    const res = await admin.post('/api/v1/admin/team-robots', { departmentId: teamId, provider: 'wecom', name: '杭州一部群', token: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    wecomRobotId = res.body.id;
    expect(res.body).toMatchObject({ departmentId: teamId, departmentName: '杭州一部', provider: 'wecom', enabled: true, secret: null });
    expect(res.body.token).toBe(`693****${WECOM_KEY.slice(-4)}`);
    expect(JSON.stringify(res.body)).not.toContain(WECOM_KEY);
    const [row] = await rows(t, 'SELECT token_enc, secret_enc FROM team_robots WHERE id = ?', [wecomRobotId]);
    expect(String(row.token_enc)).toMatch(/^v1:/);
    expect(String(row.token_enc)).not.toContain(WECOM_KEY);
    expect(t.deps.crypto.decrypt(String(row.token_enc))).toBe(WECOM_KEY);
    const [audit] = await rows(t, "SELECT after_data FROM audit_logs WHERE action = 'team_robot.create' AND entity_id = ?", [String(wecomRobotId)]);
    expect(String(audit.after_data)).not.toContain(WECOM_KEY);
  });

  it('stores a DingTalk access token and 加签 secret encrypted; list and get never show them', async () => {
    const res = await admin.post('/api/v1/admin/team-robots', { departmentId: teamId, provider: 'dingtalk', name: '杭州一部钉钉群', token: `https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}`, secret: DING_SECRET });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    dingRobotId = res.body.id;
    expect(res.body.secret).toBe(`SEC****${DING_SECRET.slice(-4)}`);
    const [row] = await rows(t, 'SELECT token_enc, secret_enc FROM team_robots WHERE id = ?', [dingRobotId]);
    expect(t.deps.crypto.decrypt(String(row.token_enc))).toBe(DING_TOKEN);
    expect(t.deps.crypto.decrypt(String(row.secret_enc))).toBe(DING_SECRET);
    for (const res2 of [await admin.get('/api/v1/admin/team-robots'), await admin.get(`/api/v1/admin/bot/messages`)]) {
      expect(res2.status).toBe(200);
      expect(JSON.stringify(res2.body)).not.toContain(DING_TOKEN);
      expect(JSON.stringify(res2.body)).not.toContain(DING_SECRET);
      expect(JSON.stringify(res2.body)).not.toContain(WECOM_KEY);
    }
    const list = (await admin.get('/api/v1/admin/team-robots')).body;
    expect(list.map((r: { id: number }) => r.id).sort()).toEqual([wecomRobotId, dingRobotId].sort());
  });

  it('refuses bad input with a field and a Chinese message, and writes nothing', async () => {
    const before = { robots: await count(t, 'team_robots'), audit: await count(t, 'audit_logs') };
    expectValidation(await admin.post('/api/v1/admin/team-robots', { departmentId: otherTeamId, provider: 'wecom', name: '群', token: 'not a url!' }), 'token');
    expectValidation(await admin.post('/api/v1/admin/team-robots', { departmentId: otherTeamId, provider: 'dingtalk', name: '群', token: DING_TOKEN }), 'secret');
    expectValidation(await admin.post('/api/v1/admin/team-robots', { departmentId: otherTeamId, provider: 'dingtalk', name: '群', token: DING_TOKEN, secret: 'abc' }), 'secret');
    expectValidation(await admin.post('/api/v1/admin/team-robots', { departmentId: otherTeamId, provider: 'wecom', name: '群', token: WECOM_KEY, secret: DING_SECRET }), 'secret');
    expectValidation(await admin.post('/api/v1/admin/team-robots', { departmentId: otherTeamId, provider: 'feishu', name: '群', token: WECOM_KEY }), 'provider');
    expectValidation(await admin.post('/api/v1/admin/team-robots', { departmentId: 999999, provider: 'wecom', name: '群', token: WECOM_KEY }), 'departmentId');
    expectValidation(await admin.post('/api/v1/admin/team-robots', { departmentId: otherTeamId, provider: 'wecom', name: '', token: WECOM_KEY }), 'name');
    const dup = await admin.post('/api/v1/admin/team-robots', { departmentId: teamId, provider: 'wecom', name: '又一个', token: WECOM_KEY });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'TEAM_ROBOT_EXISTS', message: expect.stringMatching(/[\u4e00-\u9fa5]/) });
    expectValidation(await admin.patch(`/api/v1/admin/team-robots/${dingRobotId}`, { secret: 'SEC-short' }), 'secret');
    expectValidation(await admin.patch(`/api/v1/admin/team-robots/${wecomRobotId}`, { token: 'bad key with spaces' }), 'token');
    expect((await admin.patch('/api/v1/admin/team-robots/999999', { name: 'x' })).status).toBe(404);
    expect({ robots: await count(t, 'team_robots'), audit: await count(t, 'audit_logs') }).toEqual(before);
  });

  it('a test message to the WeCom robot arrives at once', async () => {
    const res = await admin.post(`/api/v1/admin/team-robots/${wecomRobotId}/test`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ channel: 'wecom_robot', status: 'sent', recipientName: '杭州一部群', kind: 'robot_test' });
    expect(t.wecomRobots!.delivered.at(-1)!.content).toContain('测试消息');
  });

  it('a wrong 加签 secret: the test send is dead with 310000 and an alert the admin can resolve; fixing the secret works', async () => {
    const res = await admin.post(`/api/v1/admin/team-robots/${dingRobotId}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'dead', lastErrorCode: '310000' });
    const alerts = (await admin.get('/api/v1/admin/alerts')).body;
    const alert = alerts.find((a: { kind: string; message: string }) => a.message.includes('310000'));
    expect(alert).toMatchObject({ kind: 'bot_delivery', count: 1, resolvedAt: null });
    expect(alert.message).toContain('加签');

    const fixed = await admin.patch(`/api/v1/admin/team-robots/${dingRobotId}`, { secret: `SEC${'8'.repeat(64)}`, name: '杭州一部钉钉群(新)' });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ name: '杭州一部钉钉群(新)', secret: 'SEC****8888' });
    expect((await admin.post(`/api/v1/admin/team-robots/${dingRobotId}/test`)).body.status).toBe('sent');
    expect(t.dingRobots!.delivered.at(-1)!.text).toContain('测试消息');

    const resolved = await admin.post(`/api/v1/admin/alerts/${alert.id}/resolve`);
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolvedAt).toBeTruthy();
    expect((await admin.get('/api/v1/admin/alerts')).body.find((a: { id: number }) => a.id === alert.id)).toBeUndefined();
    expect((await admin.get('/api/v1/admin/alerts?resolved=true')).body.find((a: { id: number }) => a.id === alert.id)).toBeTruthy();
    expect((await admin.post('/api/v1/admin/alerts/999999/resolve')).status).toBe(404);
  });

  it('switching a robot off sends team messages to the console; deleting it cancels what waits for it', async () => {
    expect((await admin.patch(`/api/v1/admin/team-robots/${dingRobotId}`, { enabled: false })).body.enabled).toBe(false);
    const r = await t.deps.db.transaction((tx) => t.deps.bot.notifyTeam(tx, { departmentId: teamId, kind: 'daily_summary', payload: { title: '日报', text: '今日放款 3 笔' }, idemKey: 'daily:1' }));
    expect(r.messages.map((m) => m.channel)).toEqual(['wecom_robot']);
    const res = await del(admin, `/api/v1/admin/team-robots/${wecomRobotId}`);
    expect(res.status).toBe(204);
    const [m] = await rows(t, "SELECT status, last_error_code FROM bot_messages WHERE kind = 'daily_summary'");
    expect(m).toMatchObject({ status: 'cancelled', last_error_code: 'ROBOT_REMOVED' });
    expect((await admin.get('/api/v1/admin/team-robots')).body.map((x: { id: number }) => x.id)).toEqual([dingRobotId]);
    expect((await del(admin, `/api/v1/admin/team-robots/${wecomRobotId}`)).status).toBe(404);
    const after = await t.deps.db.transaction((tx) => t.deps.bot.notifyTeam(tx, { departmentId: teamId, kind: 'daily_summary', payload: { title: '日报', text: '今日放款 3 笔' }, idemKey: 'daily:2' }));
    expect(after.messages.map((m) => m.channel)).toEqual(['console']);
  });
});

describe('delivery log', () => {
  it('filters by status and channel, with recipient names and each attempt', async () => {
    const res = await admin.get('/api/v1/admin/bot/messages?channel=dingtalk_robot');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { status: string }) => i.status)).toEqual(['sent', 'dead']); // newest first
    const dead = res.body.items[1];
    expect(dead).toMatchObject({ channelName: '钉钉群机器人', recipientName: '杭州一部钉钉群(新)', departmentName: '杭州一部' });
    expect(dead.attemptLog).toEqual([expect.objectContaining({ attemptNo: 1, outcome: 'permanent', errorCode: '310000' })]);
    const onlyDead = await admin.get('/api/v1/admin/bot/messages?status=dead');
    expect(onlyDead.body.items.every((i: { status: string }) => i.status === 'dead')).toBe(true);
    const page = await admin.get('/api/v1/admin/bot/messages?limit=1');
    expect(page.body.items).toHaveLength(1);
    const next = await admin.get(`/api/v1/admin/bot/messages?limit=1&beforeId=${page.body.nextBeforeId}`);
    expect(next.body.items[0].id).toBeLessThan(page.body.items[0].id);
    expectValidation(await admin.get('/api/v1/admin/bot/messages?status=lost'), 'status');
    expectValidation(await admin.get('/api/v1/admin/bot/messages?channel=sms'), 'channel');
  });

  it('only a dead message can be retried', async () => {
    const sent = (await admin.get('/api/v1/admin/bot/messages?status=sent&limit=1')).body.items[0];
    const r = await admin.post(`/api/v1/admin/bot/messages/${sent.id}/retry`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('BOT_MESSAGE_NOT_RETRYABLE');
    expect((await admin.post('/api/v1/admin/bot/messages/999999/retry')).status).toBe(404);
    expect((await rows(t, 'SELECT status FROM bot_messages WHERE id = ?', [sent.id]))[0].status).toBe('sent');
  });
});

describe('admin only', () => {
  it('every endpoint is 403 for other roles (and 401 signed out); nothing is written', async () => {
    const [dead] = await rows(t, "SELECT id FROM bot_messages WHERE status = 'dead' LIMIT 1");
    const before = { robots: await count(t, 'team_robots'), messages: await count(t, 'bot_messages'), statuses: await rows(t, 'SELECT id, status FROM bot_messages ORDER BY id') };
    const calls = (c: Client) => [
      c.get('/api/v1/admin/bot/messages'),
      c.get(`/api/v1/admin/bot/messages/${dead.id}`),
      c.post(`/api/v1/admin/bot/messages/${dead.id}/retry`),
      c.get('/api/v1/admin/bot/console'),
      c.get('/api/v1/admin/team-robots'),
      c.post('/api/v1/admin/team-robots', { departmentId: otherTeamId, provider: 'wecom', name: '群', token: WECOM_KEY }),
      c.patch(`/api/v1/admin/team-robots/${dingRobotId}`, { name: '改名' }),
      del(c, `/api/v1/admin/team-robots/${dingRobotId}`),
      c.post(`/api/v1/admin/team-robots/${dingRobotId}/test`),
      c.get('/api/v1/admin/alerts'),
      c.post('/api/v1/admin/alerts/1/resolve'),
    ];
    for (const name of ['张伟', '吴婷', '周强', '陈刚', '李娜', '孙丽']) {
      const c = await t.loginAs(name);
      for (const [i, res] of (await Promise.all(calls(c))).entries()) {
        expect(res.status, `${name}: call ${i}`).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
      }
    }
    for (const res of await Promise.all(calls(t.anonymous()))) expect(res.status).toBe(401);
    expect({ robots: await count(t, 'team_robots'), messages: await count(t, 'bot_messages'), statuses: await rows(t, 'SELECT id, status FROM bot_messages ORDER BY id') }).toEqual(before);
  });
});
