// WeCom app messages (reference W4): text, markdown, textcard (a payload with a link) and
// template_card button_interaction (a payload with buttons). Identical payloads go to up to 1,000
// members in one call (touser "a|b"); `invaliduser` in the answer fails just those rows.
// Duplicate check is always on, so a send repeated after an ambiguous timeout or a crash is not
// delivered twice by WeCom.
import type { BotPayload } from '../../../server/src/contracts/bot';
import type { WecomClient, WecomResponse } from '../../../server/src/modules/messenger/wecom/wecom.client';
import { MessengerError } from '../../../server/src/modules/messenger/messenger-error';
import type { ChannelSender, RowOutcome } from './channel';
import { absoluteUrl, byteLength, escapeHtml, fieldLines, messageRef, truncateBytes, truncateChars } from './format';
import { isCardUpdate, sendCardUpdate, type CardLookup } from './card-update';

/** How long WeCom suppresses the same message to the same member (s; WeCom allows ≤ 4 h). */
export const WECOM_DUPLICATE_CHECK_SECONDS = 3600;
export const WECOM_MAX_TOUSER = 1000;

const BUTTON_STYLE = { primary: 1, danger: 2, default: 3 } as const;
const TEXT_MAX = 2048;

export interface WecomRenderOptions {
  agentId: number;
  publicUrl: string;
  /** template_card task_id: unique per app, ≤ 128 B of [0-9A-Za-z_-@]. */
  taskId: string;
}

/** The message body (without `touser`) for one payload. Pure: tested on its own. */
export function renderWecomApp(p: BotPayload, o: WecomRenderOptions): Record<string, unknown> {
  const base = { agentid: o.agentId, safe: 0, enable_duplicate_check: 1, duplicate_check_interval: WECOM_DUPLICATE_CHECK_SECONDS };
  const link = p.url ? absoluteUrl(o.publicUrl, p.url) : null;
  const lines = fieldLines(p);

  if (p.buttons?.length) {
    return {
      ...base,
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        source: { desc: '信贷CRM', desc_color: 0 },
        main_title: { title: truncateChars(p.title, 36), ...(p.text ? { desc: truncateChars(p.text.split('\n')[0], 44) } : {}) },
        ...(p.text.includes('\n') ? { sub_title_text: truncateChars(p.text, 112) } : {}),
        ...(lines.length ? { horizontal_content_list: p.fields!.slice(0, 6).map((f) => ({ keyname: truncateChars(f.label, 5), value: truncateChars(f.value, 26) })) } : {}),
        card_action: { type: 1, url: link ?? absoluteUrl(o.publicUrl, '/') },
        task_id: o.taskId,
        // A link button (type 1) opens its url; the others call back with their key (type 0).
        button_list: p.buttons.slice(0, 6).map((b) =>
          b.link && b.url
            ? { type: 1, text: truncateChars(b.text, 10), style: BUTTON_STYLE[b.style ?? 'default'], url: absoluteUrl(o.publicUrl, b.url) }
            : { text: truncateChars(b.text, 10), style: BUTTON_STYLE[b.style ?? 'default'], key: b.key },
        ),
      },
    };
  }

  if (link && p.markdown) {
    // Markdown with a link (the daily summary): a textcard would cut the body at 512 B.
    const body = [`**${p.title}**`, p.markdown, ...lines.map((l) => `> ${l}`)].join('\n');
    const tail = `\n[查看详情](${link})`;
    return { ...base, msgtype: 'markdown', markdown: { content: truncateBytes(body, TEXT_MAX - byteLength(tail)) + tail } };
  }

  if (link) {
    const description = [p.text, ...lines].filter(Boolean).map((l) => `<div class="normal">${escapeHtml(l)}</div>`);
    return {
      ...base,
      msgtype: 'textcard',
      textcard: {
        title: truncateBytes(p.title, 128),
        // Cut whole lines first so no <div> is left open, then bytes as a last resort.
        description: fitLines(description, 512),
        url: link,
        btntxt: '详情',
      },
    };
  }

  if (p.markdown) {
    const body = [`**${p.title}**`, p.markdown, ...lines.map((l) => `> ${l}`)].join('\n');
    return { ...base, msgtype: 'markdown', markdown: { content: truncateBytes(body, TEXT_MAX) } };
  }

  return { ...base, msgtype: 'text', text: { content: truncateBytes([p.title, p.text, ...lines].filter(Boolean).join('\n'), TEXT_MAX) } };
}

/** Joins as many whole lines as fit in `max` bytes (at least the first, cut by bytes). */
function fitLines(lines: string[], max: number): string {
  let out = '';
  for (const l of lines) {
    const next = out ? `${out}${l}` : l;
    if (byteLength(next) > max) break;
    out = next;
  }
  return out || truncateBytes(escapeHtml(lines[0] ?? ''), max);
}

/** `cards` finds the card a 'card_update' row changes (see card-update.ts); `now` is the outbox clock. */
export function wecomAppChannel(client: WecomClient, publicUrl: string, cards?: { lookup: CardLookup; now: () => number }): ChannelSender {
  const UPDATE_API = '/cgi-bin/message/update_template_card';
  return {
    channel: 'wecom_app',
    maxRecipients: WECOM_MAX_TOUSER,
    batchable: (row) => !row.payload.buttons?.length && !isCardUpdate(row),
    async send(rows) {
      const first = rows[0];
      if (isCardUpdate(first)) {
        const out = new Map<number, RowOutcome>();
        for (const r of rows) {
          out.set(r.id, await sendCardUpdate('wecom', r, cards?.lookup, cards?.now() ?? Date.now(), async (card) => {
            try {
              await client.post(UPDATE_API, { userids: [r.recipient], agentid: client.config.agentId, response_code: card.responseCode, button: { replace_name: truncateChars(r.payload.title, 12) } });
            } catch (err) {
              // 40035 here: the response code was used (the card was already changed) or expired.
              if (err instanceof MessengerError && err.code === '40035') return { code: '40035', message: `企业微信不再接受该卡片的更新:${err.message}`.slice(0, 500) };
              throw err;
            }
          }));
        }
        return out;
      }
      const body = renderWecomApp(first.payload, { agentId: client.config.agentId, publicUrl, taskId: messageRef(first.idemKey) });
      const res = await client.post<WecomResponse & { invaliduser?: string; unlicenseduser?: string; msgid?: string; response_code?: string }>(
        '/cgi-bin/message/send',
        { touser: rows.map((r) => r.recipient).join('|'), ...body },
      );
      const invalid = new Set(`${res.invaliduser ?? ''}|${res.unlicenseduser ?? ''}`.split('|').filter(Boolean));
      const out = new Map<number, RowOutcome>();
      for (const r of rows) {
        out.set(
          r.id,
          invalid.has(r.recipient)
            ? { outcome: 'failed', error: new MessengerError('wecom', '81013', 'permanent', `成员不存在或无权接收: ${r.recipient}`, { api: '/cgi-bin/message/send' }) }
            : { outcome: 'sent', externalId: res.msgid ?? null, responseCode: res.response_code ?? null },
        );
      }
      return out;
    },
  };
}
