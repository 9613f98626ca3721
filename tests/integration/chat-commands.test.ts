// Chat commands sent to the WeCom app: 「查」 finds only customers in the sender's data scope and
// masks phones, 「今日待办」 lists the sender's own overdue and due-today customers, people unknown
// to the CRM are told to ask the admin, and a redelivered message is answered once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { customerInput } from '../helpers/test-app';
import { installMessages, type WecomMessagesFake } from '../fakes/wecom/messages';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver';
import { deliverAll, testDispatcher } from '../helpers/bot-worker';
import type { Dispatcher } from '../../bot/src/outbox/dispatcher';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { parseCommand } from '../../server/src/modules/callbacks/commands';

let t: MessengerTestApp;
let messages: WecomMessagesFake;
let driver: WecomCallbackDriver;
let dispatcher: Dispatcher;
const BASE = 'http://127.0.0.1:3000';
// Two customers whose phones share the last four digits, in two officers' books.
const mine = { name: '陈一', phone: '13900001234' };
const colleagues = { name: '周二', phone: '13700001234' };
const ids: Record<string, number> = {};

/** Sends `text` as `from` and returns the app's reply (delivered through the bot outbox). */
async function ask(from: string, text: string, times = 1, createTime?: number): Promise<string> {
  const before = messages.deliveredTo(from).length;
  const answers = await driver.deliver(driver.textMessage({ from, content: text, createTime }), { times });
  expect(answers.every((a) => a.status === 200 && a.inTime)).toBe(true);
  await t.deps.callbacks.idle();
  await deliverAll(t, dispatcher);
  const got = messages.deliveredTo(from).slice(before);
  expect(got, `replies to ${from} for ${text}`).toHaveLength(1);
  expect(got[0].msgtype).toBe('text');
  return got[0].content.content as string;
}

beforeAll(async () => {
  t = await createMessengerTestApp({ wecom: true, env: { PUBLIC_URL: BASE } });
  messages = installMessages(t.wecom!);
  driver = new WecomCallbackDriver(t.wecom!, t.server);
  dispatcher = testDispatcher(t);
  const { User, Customer } = t.deps.db.models;
  for (const [name, userid] of [['张伟', 'zhangwei'], ['刘洋', 'liuyang'], ['吴婷', 'wuting'], ['黄静', 'huangjing']] as const) {
    await User.update({ wecomUserid: userid }, { where: { name } });
    t.wecom!.addUser({ userid, name, department: [1] });
  }
  t.wecom!.addUser({ userid: 'stranger', name: '外人', department: [1] });
  await User.update({ status: 'disabled' }, { where: { name: '黄静' } });
  t.deps.org.invalidate();

  const zhang = await t.loginAs('张伟');
  const liu = await t.loginAs('刘洋');
  for (const [c, who, key] of [[mine, zhang, 'mine'], [colleagues, liu, 'colleagues']] as const) {
    const r = await who.post('/api/v1/customers', customerInput(c));
    expect(r.status).toBe(201);
    ids[key] = r.body.id;
  }
  const today = shanghaiDate();
  const dueToday = await zhang.post('/api/v1/customers', customerInput({ name: '今日跟进', nextFollowUpDate: today }));
  ids.dueToday = dueToday.body.id;
  await Customer.update({ nextFollowUpDate: addDays(today, -2) }, { where: { id: ids.mine } });
  await Customer.update({ nextFollowUpDate: addDays(today, -1) }, { where: { id: ids.colleagues } });
});
afterAll(() => t?.close());

describe('查', () => {
  it('an officer finds their own customer by the last 4 digits, with a link and a masked phone, and not a colleague\'s', async () => {
    const reply = await ask('zhangwei', '查 1234');
    expect(reply).toContain(`<a href="${BASE}/customers/${ids.mine}">陈一</a>`);
    expect(reply).toContain('139****1234');
    expect(reply).not.toContain('13900001234');
    expect(reply).not.toContain('周二');
    expect(reply).not.toContain(`/customers/${ids.colleagues}`);
  });

  it("an officer's search for a colleague's full number finds nothing", async () => {
    const reply = await ask('zhangwei', `查 ${colleagues.phone}`);
    expect(reply).toContain('没有找到');
    expect(reply).not.toContain('周二');
  });

  it('the team lead finds both, still masked', async () => {
    const reply = await ask('wuting', '查询 1234');
    expect(reply).toContain(`${BASE}/customers/${ids.mine}`);
    expect(reply).toContain(`${BASE}/customers/${ids.colleagues}`);
    expect(reply).toContain('137****1234');
    expect(reply).not.toMatch(/1[37]900001234|13700001234/);
  });

  it('explains the format when the query is neither a number nor 4 digits', async () => {
    expect(await ask('zhangwei', '查 张三')).toContain('查 手机尾号4位');
  });
});

describe('今日待办', () => {
  it("lists the sender's overdue and due-today customers, nobody else's", async () => {
    const reply = await ask('zhangwei', '今日待办');
    expect(reply).toContain('逾期 1 位,今日待跟进 1 位');
    expect(reply).toContain(`${BASE}/customers/${ids.mine}`);
    expect(reply).toContain(`${BASE}/customers/${ids.dueToday}`);
    expect(reply).not.toContain('周二');
  });

  it('a redelivered message is answered once', async () => {
    const reply = await ask('liuyang', '今日待办', 3);
    expect(reply).toContain(`${BASE}/customers/${ids.colleagues}`);
    expect(reply).not.toContain('陈一');
  });
});

describe('anyone else', () => {
  it('tells a member the CRM does not know, or a disabled one, to ask the admin; nothing is looked up', async () => {
    for (const who of ['stranger', 'huangjing']) {
      const reply = await ask(who, '查 1234');
      expect(reply).toMatch(/^信贷CRM · \d\d:\d\d:\d\d\n您的账号尚未开通信贷CRM,请联系管理员开通$/);
    }
  });

  it('answers 帮助 and anything unknown with the list of commands, every time it is asked', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await ask('zhangwei', '帮助', 1, now - 1)).toContain('今日待办');
    expect(await ask('zhangwei', '帮助', 1, now)).toContain('今日待办'); // asked again: answered again
    expect(messages.duplicates.filter((d) => d.recipient === 'zhangwei')).toHaveLength(0);
    const unknown = await ask('zhangwei', '你好');
    expect(unknown).toContain('没看懂');
    expect(unknown).toContain('查 5678');
  });
});

describe('parseCommand', () => {
  it.each([
    ['今日待办', { name: 'todo' }],
    ['  待办 ', { name: 'todo' }],
    ['@信贷CRM 查 5678', { name: 'find', query: '5678' }],
    ['查5678', { name: 'find', query: '5678' }],
    ['查询 138 1234 5678', { name: 'find', query: '138 1234 5678' }],
    ['帮助', { name: 'help', unknown: false }],
    ['?', { name: 'help', unknown: false }],
    ['随便说说', { name: 'help', unknown: true }],
  ])('%s', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});
