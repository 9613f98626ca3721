// Chat commands the bot answers when staff write to the app (WeCom) or the robot (DingTalk):
// 「今日待办」 the sender's overdue and due-today follow-ups, 「查 手机号/尾号4位」 customers in
// the sender's data scope with links to the H5 page, 「帮助」. Replies always mask phone numbers
// (chat history outlives any role), and people unknown to the CRM are told to ask the admin.
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { maskPhone } from '../../contracts/fields';
import { normalizePhone } from '../../contracts/identity';
import { ERROR_CODES } from '../../contracts/errors';
import { ListCustomers } from '../../contracts/customer.schemas';
import type { CustomerService } from '../customers/customer.service';
import type { ChatMessageEvent, ChatReply } from './handler-registry';

const MAX_LINES = 8;
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/**
 * Stamps the reply's title with the time of the question: WeCom app messages go out with the
 * duplicate check on (bot outbox), which would swallow the same answer to the same question asked
 * again within the hour; the stamp keeps every answer distinct and says which question it answers.
 */
function stamped(r: ChatReply, at: Date): ChatReply {
  return { ...r, title: `${r.title} · ${clock.format(at)}` };
}

const escHtml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const escMarkdown = (s: string) => s.replace(/[[\]()*_`#]/g, (c) => `\\${c}`);

export type ChatCommand = { name: 'todo' } | { name: 'find'; query: string } | { name: 'help'; unknown: boolean };

/** Parses what was written; a leading @mention (DingTalk groups) is ignored. */
export function parseCommand(text: string): ChatCommand {
  const t = text.replace(/^@\S+\s*/, '').replace(/\s+/g, ' ').trim();
  if (/^(今日待办|待办|今日)$/.test(t)) return { name: 'todo' };
  const find = /^查询?\s*(.*)$/.exec(t);
  if (find) return { name: 'find', query: find[1].trim() };
  if (/^(帮助|help|\?|？)$/i.test(t)) return { name: 'help', unknown: false };
  return { name: 'help', unknown: true };
}

const HELP = ['可以发送:', '· 今日待办 —— 逾期和今天要跟进的客户', '· 查 13812345678 —— 按手机号查客户', '· 查 5678 —— 按手机尾号查客户', '· 帮助'];

interface Line {
  id: number;
  name: string;
  phone: string;
  detail: string;
}

export function createChatCommands(deps: Deps, customers: CustomerService) {
  const base = deps.config.publicUrl;
  const link = (id: number) => `${base}/customers/${id}`;

  /** One reply in two renderings: WeCom text (with <a href> links) and DingTalk markdown. */
  function reply(title: string, intro: string[], lines: Line[], outro: string[] = []): ChatReply {
    const shown = lines.slice(0, MAX_LINES);
    const more = lines.length > shown.length ? [`…另有 ${lines.length - shown.length} 位,请在应用中查看`] : [];
    const text = [...intro, ...shown.map((l, i) => `${i + 1}. <a href="${link(l.id)}">${escHtml(l.name)}</a> ${l.phone} ${l.detail}`), ...more, ...outro].join('\n');
    const markdown = [
      ...intro.map((s) => `${s}  `),
      ...shown.map((l, i) => `${i + 1}. [${escMarkdown(l.name)}](${link(l.id)}) ${l.phone} ${l.detail}`),
      ...more,
      ...outro.map((s) => `${s}  `),
    ].join('\n');
    return { title, text, markdown };
  }

  async function todo(rc: RequestContext): Promise<ChatReply> {
    const w = await customers.workbench(rc);
    const line = (c: (typeof w.overdue.items)[number]): Line => ({ id: c.id, name: c.name, phone: maskPhone(c.phone), detail: `${c.stageName}${c.nextFollowUpDate ? ` 应跟进 ${c.nextFollowUpDate.slice(5)}` : ''}` });
    const title = `今日待办(${w.date})`;
    if (w.overdue.count === 0 && w.dueToday.count === 0) return reply(title, ['今天没有要跟进的客户。'], [], [`工作台: ${base}/`]);
    const out = [`逾期 ${w.overdue.count} 位,今日待跟进 ${w.dueToday.count} 位:`];
    return reply(title, out, [...w.overdue.items.map(line), ...w.dueToday.items.map(line)], [`工作台: ${base}/`]);
  }

  async function find(rc: RequestContext, query: string): Promise<ChatReply> {
    const digits = query.replace(/[\s-]/g, '');
    const phone = normalizePhone(digits);
    const last4 = /^\d{4}$/.test(digits) ? digits : null;
    if (!phone && !last4) return { title: '查客户', text: '请发送「查 手机号」或「查 手机尾号4位」,例如:查 5678' };
    const page = await customers.list(rc, ListCustomers.parse({ q: phone ?? last4, limit: 20 }));
    const what = phone ? `手机号 ${maskPhone(phone)}` : `尾号 ${last4}`;
    if (page.items.length === 0) return { title: '查客户', text: `没有找到${what} 的客户(只查您有权查看的客户)。` };
    const lines = page.items.map((c) => ({ id: c.id, name: c.name, phone: maskPhone(c.phone), detail: `${c.stageName}${c.ownerName ? ` · ${c.ownerName}` : ''}` }));
    return reply('查客户', [`${what}:找到 ${page.nextCursor ? `${lines.length}+` : lines.length} 位客户`], lines);
  }

  /** The answer to one message: every message sent to the app gets one. */
  async function answer(ev: ChatMessageEvent): Promise<ChatReply> {
    const actor = ev.userId === null ? null : await deps.org.activeActor(ev.userId);
    if (!actor) return { title: '信贷CRM', text: ERROR_CODES.MESSENGER_USER_UNKNOWN };
    const rc: RequestContext = { actor, ip: null };
    const cmd = parseCommand(ev.text);
    if (cmd.name === 'todo') return todo(rc);
    if (cmd.name === 'find') return find(rc, cmd.query);
    return { title: '帮助', text: [...(cmd.unknown ? ['没看懂这条消息。'] : []), ...HELP].join('\n') };
  }

  // The 'chat_message' handler.
  return async (ev: ChatMessageEvent): Promise<ChatReply> => stamped(await answer(ev), ev.sentAt);
}

/** Registers the chat commands (once per process: the same name replaces an earlier registration). */
export function registerChatCommands(deps: Deps, customers: CustomerService) {
  return deps.callbacks.on('chat_message', 'chat-commands', createChatCommands(deps, customers));
}
