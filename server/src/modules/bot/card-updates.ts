// Closing interactive cards already handed to the outbox (e.g. an approval card once its task is
// decided elsewhere). Inside the caller's transaction: a card still waiting to be sent is
// cancelled (nobody needs it any more); a card being sent or sent gets a 'card_update' outbox
// message on its own channel, which the dispatcher delivers, retries and logs like any send
// (WeCom update_template_card with the card's stored response_code; DingTalk PUT card instance by
// its outTrackId; a DingTalk OA work notification with a status bar — a payload with `status` —
// gets status_bar/update by its task_id). One update per card ever (its idem key), so a repeated
// close is a no-op.
import { Op, type Transaction } from 'sequelize';
import type { Models } from '../../db/models';
import type { BotChannel, BotPayload } from '../../contracts/bot';
import type { OutboxMessage } from './bot.service';

/** Channels whose cards can change after delivery (dingtalk_notice: only OA messages with a status bar). */
export const UPDATABLE_CARD_CHANNELS: BotChannel[] = ['wecom_app', 'dingtalk_card', 'dingtalk_notice'];

export interface CloseCardsInput {
  /** The business object the cards were sent about (bot_messages.ref_type / ref_id). */
  ref: { type: string; id: string | number };
  /** Cards to close: those with a button whose key starts with `keyPrefix`, and the text replacing their buttons. */
  closes: { keyPrefix: string; text: string }[];
  /** Cards whose update the caller applies itself (the tapped card: WeCom task_id / DingTalk outTrackId). */
  skipCardRefs?: string[];
  /** The card ref of an outbox row (the same derivation the channels use for task_id / outTrackId). */
  cardRef: (idemKey: string) => string;
}

export interface CloseCardsResult {
  cancelled: number[];
  updates: number[];
}

const parsePayload = (p: unknown): BotPayload => (typeof p === 'string' ? JSON.parse(p) : (p as BotPayload));

export async function closeCards(
  models: Models,
  enqueue: (tx: Transaction | null, m: OutboxMessage[]) => Promise<void>,
  tx: Transaction | null,
  input: CloseCardsInput,
): Promise<CloseCardsResult> {
  const out: CloseCardsResult = { cancelled: [], updates: [] };
  if (!input.closes.length) return out;
  const rows = await models.BotMessage.findAll({
    where: { refType: input.ref.type, refId: String(input.ref.id), channel: { [Op.in]: UPDATABLE_CARD_CHANNELS }, status: { [Op.in]: ['pending', 'sending', 'sent'] } },
    order: [['id', 'ASC']],
    transaction: tx ?? undefined,
    raw: true,
  });
  const skip = new Set(input.skipCardRefs ?? []);
  const updates: OutboxMessage[] = [];
  for (const r of rows) {
    const payload = parsePayload(r.payload);
    if (payload.cardUpdate || !payload.buttons?.length) continue;
    // A work notification without a status bar (action_card links) cannot change: leave it.
    if (r.channel === 'dingtalk_notice' && !payload.status) continue;
    const close = input.closes.find((c) => payload.buttons!.some((b) => b.key.startsWith(c.keyPrefix)));
    if (!close) continue;
    if (r.status === 'pending') {
      // Not claimed by a dispatcher yet: cancel it (conditional, a dispatcher may claim it now).
      const [n] = await models.BotMessage.update(
        { status: 'cancelled', lastError: `卡片已无需发送:${close.text}`.slice(0, 500) },
        { where: { id: r.id, status: 'pending' }, transaction: tx ?? undefined },
      );
      if (n === 1) {
        out.cancelled.push(Number(r.id));
        continue;
      }
    }
    if (skip.has(input.cardRef(r.idemKey))) continue;
    updates.push({
      idemKey: `card-update:${r.id}`,
      channel: r.channel,
      kind: 'card_update',
      recipient: r.recipient,
      recipientUserId: r.recipientUserId,
      departmentId: r.departmentId,
      payload: { title: close.text, text: '', cardUpdate: { messageId: Number(r.id) } },
      ref: input.ref,
    });
    out.updates.push(Number(r.id));
  }
  await enqueue(tx, updates);
  return out;
}
