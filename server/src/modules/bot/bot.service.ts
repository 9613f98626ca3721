// The bot's outbox. Business modules call notifyUsers / notifyTeam (or enqueue) inside their own
// transaction, so a message exists exactly when the change that caused it committed; the
// dispatcher (bot/src/outbox) delivers it later. This module owns which channel reaches a CRM
// user or a team, and idempotency: every row carries a unique key and enqueueing it twice is a
// no-op, so a retried business request never produces a second message.
import crypto from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { Config } from '../../../../config';
import type { Models } from '../../db/models';
import type { BotChannel, BotPayload } from '../../contracts/bot';
import { messageRef } from '../../../../bot/src/channels/format';
import { closeCards, type CloseCardsInput } from './card-updates';

export interface OutboxMessage {
  /** Unique per message (≤ 160 characters); a second enqueue with the same key is ignored. */
  idemKey: string;
  channel: BotChannel;
  /** What it is about (task_reminder, approval_card, daily_summary, …) for the delivery log. */
  kind: string;
  /** Messenger userid, `robot:<team_robots.id>`, or '-' for the console. */
  recipient: string;
  recipientUserId?: number | null;
  departmentId?: number | null;
  payload: BotPayload;
  ref?: { type: string; id: string | number } | null;
  /** Deliver no earlier than this (default: now). */
  notBefore?: Date;
}

export interface NotifyInput {
  kind: string;
  payload: BotPayload;
  /** The business event's key, e.g. `approval:12:step:3`; made unique per recipient and channel. */
  idemKey: string;
  ref?: { type: string; id: string | number } | null;
  notBefore?: Date;
}

export interface NotifyResult {
  /** Outbox rows written (duplicates of earlier calls are not counted twice: they are ignored). */
  messages: { channel: BotChannel; recipient: string; recipientUserId: number | null }[];
  /** Users who get nothing: unknown or disabled. */
  skippedUserIds: number[];
}

const MAX_IDEM = 160;

/** A per-recipient key from the business key; hashed when it would not fit the column. */
export function recipientIdemKey(base: string, channel: BotChannel, who: string): string {
  const key = `${base}|${channel}|${who}`;
  return key.length <= MAX_IDEM ? key : `h:${crypto.createHash('sha256').update(key).digest('hex')}`;
}

function checkPayload(p: BotPayload) {
  const problems: string[] = [];
  if (!p.title?.trim()) problems.push('title is required');
  if (typeof p.text !== 'string') problems.push('text is required');
  if (p.fields && p.fields.length > 6) problems.push('at most 6 fields');
  if (p.buttons) {
    if (p.buttons.length < 1 || p.buttons.length > 6) problems.push('1..6 buttons');
    const keys = new Set(p.buttons.map((b) => b.key));
    if (keys.size !== p.buttons.length) problems.push('button keys must be unique');
    for (const b of p.buttons) if (!b.key || Buffer.byteLength(b.key) > 1024 || !b.text) problems.push(`bad button ${b.key}`);
  }
  if (problems.length) throw new Error(`invalid bot payload: ${problems.join(', ')}`);
}

export function createBotService(config: Config, models: Models, opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;

  /**
   * Writes outbox rows in the caller's transaction. A row whose idem key already exists is
   * skipped silently (INSERT IGNORE / INSERT OR IGNORE on the unique key).
   */
  async function enqueue(tx: Transaction | null, input: OutboxMessage | OutboxMessage[]): Promise<void> {
    const list = Array.isArray(input) ? input : [input];
    if (!list.length) return;
    const at = new Date(now());
    const rows = list.map((m) => {
      // A too-long value would be truncated silently by INSERT IGNORE on MySQL: refuse it instead.
      if (!m.idemKey || m.idemKey.length > MAX_IDEM) throw new Error(`bot idem key must be 1..${MAX_IDEM} characters`);
      if (!m.recipient || m.recipient.length > 255 || m.kind.length > 48) throw new Error('bad bot recipient or kind');
      checkPayload(m.payload);
      return {
        idemKey: m.idemKey,
        channel: m.channel,
        kind: m.kind,
        recipient: m.recipient,
        recipientUserId: m.recipientUserId ?? null,
        departmentId: m.departmentId ?? null,
        payload: m.payload,
        refType: m.ref ? m.ref.type.slice(0, 32) : null,
        refId: m.ref ? String(m.ref.id).slice(0, 64) : null,
        status: 'pending' as const,
        attempts: 0,
        nextAttemptAt: m.notBefore && m.notBefore > at ? m.notBefore : at,
      };
    });
    for (let i = 0; i < rows.length; i += 500) {
      await models.BotMessage.bulkCreate(rows.slice(i, i + 500), { ignoreDuplicates: true, transaction: tx ?? undefined });
    }
  }

  /** The channels that reach one CRM user, from what is configured and what we know of them. */
  function channelsForUser(u: { wecomUserid: string | null; dingtalkUserid: string | null }, interactive: boolean) {
    const out: { channel: BotChannel; recipient: string }[] = [];
    if (config.wecom && u.wecomUserid) out.push({ channel: 'wecom_app', recipient: u.wecomUserid });
    if (config.dingtalk && u.dingtalkUserid) {
      // Buttons need a card whose taps come back over Stream; without one the work notification
      // links each button to the H5, which signs the user in and records the decision there.
      const card = interactive && config.dingtalk.cardTemplateId !== '' && config.dingtalk.stream;
      out.push({ channel: card ? 'dingtalk_card' : 'dingtalk_notice', recipient: u.dingtalkUserid });
    }
    if (!out.length) out.push({ channel: 'console', recipient: '-' });
    return out;
  }

  /** Enqueues one message per user and channel (console when no messenger reaches them). */
  async function notifyUsers(tx: Transaction | null, input: NotifyInput & { userIds: number[] }): Promise<NotifyResult> {
    const ids = [...new Set(input.userIds)];
    const users = ids.length
      ? await models.User.findAll({ where: { id: ids, status: 'active', disabledAt: { [Op.is]: null } }, transaction: tx ?? undefined, raw: true })
      : [];
    const found = new Set(users.map((u) => u.id));
    const interactive = (input.payload.buttons?.length ?? 0) > 0;
    const messages: OutboxMessage[] = [];
    for (const u of users) {
      for (const c of channelsForUser(u, interactive)) {
        messages.push({
          idemKey: recipientIdemKey(input.idemKey, c.channel, `u${u.id}`),
          channel: c.channel,
          kind: input.kind,
          recipient: c.recipient,
          recipientUserId: u.id,
          departmentId: u.departmentId,
          payload: input.payload,
          ref: input.ref,
          notBefore: input.notBefore,
        });
      }
    }
    await enqueue(tx, messages);
    return {
      messages: messages.map((m) => ({ channel: m.channel, recipient: m.recipient, recipientUserId: m.recipientUserId ?? null })),
      skippedUserIds: ids.filter((id) => !found.has(id)),
    };
  }

  /** A message to a team's group chat: each enabled robot of the department, else the console. */
  async function notifyTeam(tx: Transaction | null, input: NotifyInput & { departmentId: number }): Promise<NotifyResult> {
    const robots = await models.TeamRobot.findAll({ where: { departmentId: input.departmentId, enabled: true }, transaction: tx ?? undefined, raw: true });
    const usable = robots.filter((r) => (r.provider === 'wecom' ? config.wecom : config.dingtalk) !== null);
    const targets: { channel: BotChannel; recipient: string }[] = usable.length
      ? usable.map((r) => ({ channel: r.provider === 'wecom' ? 'wecom_robot' : 'dingtalk_robot', recipient: `robot:${r.id}` }))
      : [{ channel: 'console', recipient: '-' }];
    const messages: OutboxMessage[] = targets.map((t) => ({
      idemKey: recipientIdemKey(input.idemKey, t.channel, `d${input.departmentId}`),
      channel: t.channel,
      kind: input.kind,
      recipient: t.recipient,
      departmentId: input.departmentId,
      payload: input.payload,
      ref: input.ref,
      notBefore: input.notBefore,
    }));
    await enqueue(tx, messages);
    return { messages: messages.map((m) => ({ channel: m.channel, recipient: m.recipient, recipientUserId: null })), skippedUserIds: [] };
  }

  /** Closes cards already enqueued about `ref` (see card-updates.ts), in the caller's transaction. */
  function closeCardsOf(tx: Transaction | null, input: Omit<CloseCardsInput, 'cardRef'>) {
    return closeCards(models, enqueue, tx, { ...input, cardRef: messageRef });
  }

  return { now, enqueue, channelsForUser, notifyUsers, notifyTeam, closeCards: closeCardsOf };
}
export type BotService = ReturnType<typeof createBotService>;
