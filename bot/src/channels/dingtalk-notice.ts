// DingTalk work notifications (reference D4): asyncsend_v2 with text, markdown, action_card
// (links; buttons become links into the H5) or oa (a payload with fields). A payload with a
// `status` (an approval task without Stream cards) is an oa message with a status bar (待审批)
// opening the H5 detail page, sent on its own so its task_id is that person's message alone; when
// the task closes, a 'card_update' row changes the bar (status_bar/update, e.g. 已同意).
// Identical payloads go to up to 100 users per call. The send is
// asynchronous on DingTalk's side, so the dispatcher asks getsendresult at once and maps its
// lists back to rows: invalid users fail, the daily cap (143105) waits for the next day, and
// "same content already sent today" (143106) means the user already has it.
import type { BotPayload } from '../../../server/src/contracts/bot';
import type { DingtalkClient, OapiResponse } from '../../../server/src/modules/messenger/dingtalk/dingtalk.client';
import { MessengerError } from '../../../server/src/modules/messenger/messenger-error';
import type { ChannelSender, RowOutcome } from './channel';
import { absoluteUrl, fieldLines, truncateChars, withParam } from './format';
import { isCardUpdate, sendCardUpdate, type CardLookup } from './card-update';

export const DINGTALK_MAX_USERIDS = 100;
const API_SEND = '/topapi/message/corpconversation/asyncsend_v2';
const API_RESULT = '/topapi/message/corpconversation/getsendresult';
const API_STATUS = '/topapi/message/corpconversation/status_bar/update';
/** status_value length we keep to (a short label; the exact limit is not documented). */
export const STATUS_VALUE_MAX = 10;

/** The status bar colour for a closed task's text: green when approved, red when rejected, grey otherwise. */
export function statusBarColor(text: string): string {
  if (text.startsWith('已同意')) return '0xFF78C06E';
  if (text.startsWith('已驳回')) return '0xFFF65E5E';
  return '0xFF9E9E9E';
}

export interface DingtalkLinkOptions {
  corpId: string;
  agentId: number;
  publicUrl: string;
}

/** Opens an H5 page inside the DingTalk workbench app (signs the user in silently there). */
export function dingtalkAppLink(o: DingtalkLinkOptions, url: string): string {
  const target = absoluteUrl(o.publicUrl, url);
  return `dingtalk://dingtalkclient/action/openapp?corpid=${encodeURIComponent(o.corpId)}&container_type=work_platform&app_id=0_${o.agentId}&redirect_type=jump&redirect_url=${encodeURIComponent(target)}`;
}

function markdownBody(p: BotPayload): string {
  const lines = fieldLines(p);
  return [`#### ${p.title}`, p.markdown ?? p.text, ...(lines.length ? ['', ...lines.map((l) => `- ${l}`)] : [])].join('\n');
}

/** The `msg` object of asyncsend_v2 for one payload. Pure: tested on its own. */
export function renderDingtalkNotice(p: BotPayload, o: DingtalkLinkOptions): Record<string, unknown> {
  const title = truncateChars(p.title, 64);
  const form = (p.fields ?? []).slice(0, 6).map((f) => ({ key: `${f.label}:`, value: f.value }));
  if (p.status) {
    // A message whose status changes later (status_bar/update): oa, opening the H5 page. Buttons
    // are not rendered: an oa message has none, and the page offers whatever is still possible.
    const page = dingtalkAppLink(o, p.url ?? '/');
    return {
      msgtype: 'oa',
      oa: {
        message_url: page,
        pc_message_url: page,
        head: { bgcolor: 'FF1677FF', text: '信贷CRM' },
        status_bar: { status_value: truncateChars(p.status.value, STATUS_VALUE_MAX), ...(p.status.bg ? { status_bg: p.status.bg } : {}) },
        body: { title, ...(form.length ? { form } : {}), content: p.text },
      },
    };
  }
  if (p.buttons?.length) {
    // Each button opens its H5 page (default: the payload's page with ?act=<button key>).
    const page = p.url ?? '/';
    return {
      msgtype: 'action_card',
      action_card: {
        title,
        markdown: markdownBody(p),
        btn_orientation: p.buttons.length === 2 ? '1' : '0',
        btn_json_list: p.buttons.map((b) => ({ title: truncateChars(b.text, 20), action_url: dingtalkAppLink(o, b.url ?? withParam(page, 'act', b.key)) })),
      },
    };
  }
  if (p.fields?.length) {
    return {
      msgtype: 'oa',
      oa: {
        ...(p.url ? { message_url: dingtalkAppLink(o, p.url), pc_message_url: dingtalkAppLink(o, p.url) } : {}),
        head: { bgcolor: 'FF1677FF', text: '信贷CRM' },
        body: { title, form, content: p.text },
      },
    };
  }
  if (p.url) {
    return { msgtype: 'action_card', action_card: { title, markdown: markdownBody(p), single_title: '查看详情', single_url: dingtalkAppLink(o, p.url) } };
  }
  if (p.markdown) return { msgtype: 'markdown', markdown: { title, text: markdownBody(p) } };
  return { msgtype: 'text', text: { content: [p.title, p.text].filter(Boolean).join('\n') } };
}

interface SendResult {
  invalid_user_id_list?: string[];
  forbidden_user_id_list?: string[];
  failed_user_id_list?: string[];
  forbidden_list?: { code: string | number; count?: number; userid: string }[];
}

/** `cards` finds the message a 'card_update' row changes (see card-update.ts). */
export function dingtalkNoticeChannel(client: DingtalkClient, publicUrl: string, cards?: { lookup: CardLookup; now: () => number }): ChannelSender {
  const link = { corpId: client.config.corpId, agentId: client.config.agentId, publicUrl };
  return {
    channel: 'dingtalk_notice',
    maxRecipients: DINGTALK_MAX_USERIDS,
    // A status bar belongs to one task_id: such messages (and their updates) go one per call.
    batchable: (row) => !row.payload.status && !isCardUpdate(row),
    async send(rows) {
      const agent_id = client.config.agentId;
      if (isCardUpdate(rows[0])) {
        const out = new Map<number, RowOutcome>();
        for (const r of rows) {
          out.set(r.id, await sendCardUpdate('dingtalk', r, cards?.lookup, cards?.now() ?? Date.now(), async (card) => {
            const status_value = truncateChars(r.payload.title, STATUS_VALUE_MAX);
            await client.oapiPost(API_STATUS, { agent_id, task_id: Number(card.externalId), status_value, status_bg: statusBarColor(status_value) });
          }));
        }
        return out;
      }
      const res = await client.oapiPost<OapiResponse & { task_id?: number }>(API_SEND, {
        agent_id,
        userid_list: rows.map((r) => r.recipient).join(','),
        msg: renderDingtalkNotice(rows[0].payload, link),
      });
      const taskId = res.task_id !== undefined ? String(res.task_id) : null;
      let result: SendResult = {};
      if (taskId) {
        try {
          result = (await client.oapiPost<OapiResponse & { send_result?: SendResult }>(API_RESULT, { agent_id, task_id: Number(taskId) })).send_result ?? {};
        } catch {
          // The send was accepted; without its result we count it as delivered.
        }
      }
      const invalid = new Set(result.invalid_user_id_list ?? []);
      const failed = new Set(result.failed_user_id_list ?? []);
      const forbidden = new Map((result.forbidden_list ?? []).map((f) => [f.userid, String(f.code)]));
      for (const u of result.forbidden_user_id_list ?? []) if (!forbidden.has(u)) forbidden.set(u, '143105');
      const out = new Map<number, RowOutcome>();
      for (const r of rows) {
        const code = forbidden.get(r.recipient);
        let o: RowOutcome;
        if (invalid.has(r.recipient)) o = { outcome: 'failed', error: new MessengerError('dingtalk', 'INVALID_USER', 'permanent', `用户不存在或不在应用可见范围: ${r.recipient}`, { api: API_SEND }) };
        else if (code === '143106') o = { outcome: 'sent', externalId: taskId, note: { code, message: '同样内容今天已发给该用户(钉钉去重)' } };
        else if (code) o = { outcome: 'failed', error: new MessengerError('dingtalk', code, 'rate_limited', `钉钉限制了对该用户的发送(${code})`, { api: API_SEND }) };
        else if (failed.has(r.recipient)) o = { outcome: 'failed', error: new MessengerError('dingtalk', 'SEND_FAILED', 'transient', `钉钉投递失败: ${r.recipient}`, { api: API_SEND }) };
        else o = { outcome: 'sent', externalId: taskId };
        out.set(r.id, o);
      }
      return out;
    },
  };
}
