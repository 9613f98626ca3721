// 'card_update' outbox rows (payload.cardUpdate, written by server/src/modules/bot/card-updates.ts):
// they change a card sent earlier instead of sending a new message. The card is looked up when
// the update goes out, not when it was enqueued, because the decision that closes a card may
// commit while the card itself is still on its way: an update for a card not sent yet waits
// (transient, retried with backoff); one for a card that is gone, never got a response_code, or
// whose WeCom response_code is past its 72 h is skipped and recorded as such, not dead-lettered.
// DingTalk OA work notifications (dingtalk_notice) are found by their task_id (external_id).
import type { Models } from '../../../server/src/db/models';
import type { BotMessageStatus } from '../../../server/src/contracts/bot';
import { MessengerError, type MessengerProvider } from '../../../server/src/modules/messenger/messenger-error';
import type { OutboxRow, RowOutcome } from './channel';

/** WeCom response codes are good for 72 hours after the card was sent. */
export const RESPONSE_CODE_TTL_MS = 72 * 3600_000;

export interface CardTarget {
  status: BotMessageStatus;
  responseCode: string | null;
  externalId: string | null;
  sentAt: Date | null;
}

export type CardLookup = (messageId: number) => Promise<CardTarget | null>;

export function cardLookup(models: Models): CardLookup {
  return async (id) => {
    const r = await models.BotMessage.findByPk(id, { attributes: ['status', 'responseCode', 'externalId', 'sentAt'], raw: true });
    return r ? { status: r.status, responseCode: r.responseCode, externalId: r.externalId, sentAt: r.sentAt ? new Date(r.sentAt) : null } : null;
  };
}

export const isCardUpdate = (row: OutboxRow) => !!row.payload.cardUpdate;

/**
 * Applies one card update. `apply` makes the API call with the card found; it returns a note
 * when the platform said the card can no longer change (a skip, not a failure).
 */
export async function sendCardUpdate(
  provider: MessengerProvider,
  row: OutboxRow,
  lookup: CardLookup | undefined,
  now: number,
  apply: (card: CardTarget) => Promise<{ code: string; message: string } | void>,
): Promise<RowOutcome> {
  const skip = (code: string, message: string): RowOutcome => ({ outcome: 'sent', note: { code, message } });
  const id = row.payload.cardUpdate!.messageId;
  const card = lookup ? await lookup(id) : null;
  if (!card || card.status === 'cancelled' || card.status === 'dead') return skip('CARD_GONE', '原卡片未发出,无需更新');
  if (card.status !== 'sent') {
    return { outcome: 'failed', error: new MessengerError(provider, 'CARD_NOT_SENT_YET', 'transient', `原卡片(消息 ${id})尚未发出,稍后再更新`) };
  }
  if (provider === 'wecom') {
    if (!card.responseCode) return skip('NO_RESPONSE_CODE', '原卡片没有 response_code,无法更新');
    if (card.sentAt && now - card.sentAt.getTime() > RESPONSE_CODE_TTL_MS) return skip('RESPONSE_CODE_EXPIRED', '原卡片已超过 72 小时,企业微信不再允许更新');
  } else if (!card.externalId) {
    // dingtalk_notice: an OA work notification is changed by the task_id asyncsend_v2 returned.
    if (row.channel === 'dingtalk_notice') return skip('NO_TASK_ID', '原工作通知没有 task_id,无法更新状态栏');
    return skip('NO_OUT_TRACK_ID', '原卡片没有 outTrackId,无法更新');
  }
  const note = await apply(card);
  return note ? skip(note.code, note.message) : { outcome: 'sent' };
}
