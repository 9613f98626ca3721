// Received callback events: stored once per dedupe key (WeCom retries 3 times, DingTalk
// redelivers un-ACKed frames), acknowledged at once, then handled: right after the response by an
// in-process queue, or by the sweeper for rows a crash or a failure left 'received'. A row is
// handled under a lease (a conditional UPDATE, atomic on MySQL and SQLite), so across instances
// and redeliveries each event reaches its handler once. The handler's decision is stored before it
// is applied (update_template_card, a chat reply), so a failed apply is retried without running
// the handler again.
import axios, { type AxiosInstance } from 'axios';
import { Op, UniqueConstraintError } from 'sequelize';
import type { Logger } from 'pino';
import type { Config } from '../../../../config';
import type { Db } from '../../db/connection';
import type { Messengers } from '../messenger/messengers';
import type { BotService } from '../bot/bot.service';
import { dingtalkError, MessengerError, networkError } from '../messenger/messenger-error';
import type { CallbackSource, CallbackStatus } from '../messenger/messenger.model';
import { createCallbackRegistry, type CallbackRegistry, type CardActionResult, type ChatReply } from './handler-registry';
import { cardActionOf, chatMessageOf, messengerEventOf, type CardActionBase, type Classified, type StoredPayload } from './callback-events';

export interface CallbackServiceDeps {
  config: Config;
  db: Db;
  log: Logger;
  messengers: Messengers;
  /** The outbox: WeCom chat replies go out through it (rate limits, retries, delivery log). */
  bot: Pick<BotService, 'enqueue'>;
}

export interface CallbackServiceOptions {
  now?: () => number;
  /** How long a handler may run before another instance may take the event over. */
  leaseMs?: number;
  /** Attempts before an event is marked failed. */
  maxAttempts?: number;
  /** In-process handlers running at once. */
  concurrency?: number;
  /** HTTP client for DingTalk session webhooks (absolute URLs). */
  http?: AxiosInstance;
}

/** callback_events.result: the handler's decision and whether it was applied. */
interface Decision {
  claimed: boolean;
  card?: CardActionResult | null;
  reply?: ChatReply | null;
  applied?: boolean;
}

type EventRow = InstanceType<Db['models']['CallbackEvent']>;

export interface HandledNow {
  status: CallbackStatus | 'busy';
  card: CardActionResult | null;
}

export function createCallbackService(deps: CallbackServiceDeps, opts: CallbackServiceOptions = {}) {
  const { db, log, messengers, config, bot } = deps;
  const { CallbackEvent, User } = db.models;
  const now = opts.now ?? Date.now;
  const leaseMs = opts.leaseMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? 5;
  const concurrency = opts.concurrency ?? 4;
  const http = opts.http ?? axios.create({ timeout: 10_000, validateStatus: () => true });
  const registry: CallbackRegistry = createCallbackRegistry();

  async function record(source: CallbackSource, c: Classified, payload: StoredPayload): Promise<{ row: EventRow; duplicate: boolean }> {
    try {
      const row = await CallbackEvent.create({ source, dedupeKey: c.dedupeKey, eventType: c.eventType, payload: payload as unknown as Record<string, unknown> });
      return { row, duplicate: false };
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      const row = await CallbackEvent.findOne({ where: { source, dedupeKey: c.dedupeKey } });
      if (!row) throw err;
      return { row, duplicate: true };
    }
  }

  /** Takes the row's lease if it is still to be handled and nobody holds it. */
  async function claim(id: number, ms = leaseMs): Promise<EventRow | null> {
    const at = new Date(now());
    const [taken] = await CallbackEvent.update(
      { leaseUntil: new Date(now() + ms), attempts: db.sequelize.literal('attempts + 1') as unknown as number },
      { where: { id, status: 'received', [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lte]: at } }] } },
    );
    return taken === 1 ? CallbackEvent.findByPk(id) : null;
  }

  async function crmUserId(provider: 'wecom' | 'dingtalk', messengerUserId: string): Promise<number | null> {
    if (!messengerUserId) return null;
    const u = await User.findOne({ where: provider === 'wecom' ? { wecomUserid: messengerUserId } : { dingtalkUserid: messengerUserId }, attributes: ['id', 'status'], raw: true });
    return u && u.status === 'active' ? u.id : null;
  }

  async function decide(row: EventRow, fn: () => Promise<Decision>): Promise<Decision> {
    const stored = row.result as Decision | null;
    if (stored) return stored;
    const d = await fn();
    await row.update({ result: d as unknown as Record<string, unknown> });
    return d;
  }

  // --- applying decisions ---------------------------------------------------------------------

  async function applyCard(ev: CardActionBase, card: CardActionResult, inline: boolean) {
    if (ev.provider === 'wecom') {
      if (!card.replaceName || !ev.responseCode) return;
      const wecom = messengers.wecom;
      if (!wecom) throw new MessengerError('wecom', 'NOT_CONFIGURED', 'permanent', 'WeCom is not configured');
      await wecom.post('/cgi-bin/message/update_template_card', {
        ...(card.forAll ? { atall: 1 } : { userids: [ev.messengerUserId] }),
        agentid: wecom.config.agentId,
        response_code: ev.responseCode,
        button: { replace_name: card.replaceName },
      });
      return;
    }
    // DingTalk Stream: the ACK carries the new card data. Handled any other way (sweeper), update it by API.
    if (inline || !ev.outTrackId) return;
    const cardParamMap = dingtalkCardParams(card);
    if (Object.keys(cardParamMap).length === 0) return;
    const dingtalk = messengers.dingtalk;
    if (!dingtalk) throw new MessengerError('dingtalk', 'NOT_CONFIGURED', 'permanent', 'DingTalk is not configured');
    await dingtalk.api('PUT', '/v1.0/card/instances', { outTrackId: ev.outTrackId, cardData: { cardParamMap }, cardUpdateOptions: { updateCardDataByKey: true } });
  }

  async function sendReply(row: EventRow, p: StoredPayload, to: { messengerUserId: string; userId: number | null }, reply: ChatReply) {
    if (p.provider === 'wecom') {
      // An app message to the sender through the outbox; the key makes a retried reply one message.
      await bot.enqueue(null, {
        idemKey: `callback-reply:${row.id}`,
        channel: 'wecom_app',
        kind: 'chat_reply',
        recipient: to.messengerUserId,
        recipientUserId: to.userId,
        payload: { title: reply.title, text: reply.text },
        ref: { type: 'callback_event', id: row.id },
      });
      return;
    }
    // DingTalk robot: reply into the conversation through its session webhook (reference D5).
    const m = p.message;
    const webhook = typeof m.sessionWebhook === 'string' ? m.sessionWebhook : '';
    // Its expiry (sessionWebhookExpiredTime) is DingTalk's to enforce: a late reply fails there.
    if (!webhook) throw new MessengerError('dingtalk', 'NO_SESSION_WEBHOOK', 'permanent', 'robot message without sessionWebhook');
    const dingtalk = messengers.dingtalk;
    if (!dingtalk) throw new MessengerError('dingtalk', 'NOT_CONFIGURED', 'permanent', 'DingTalk is not configured');
    // The access token goes in a header: only ever to DingTalk's own API host.
    if (!webhook.startsWith(`${dingtalk.config.oapiBase}/`)) throw new MessengerError('dingtalk', 'FOREIGN_SESSION_WEBHOOK', 'permanent', 'sessionWebhook is not on the DingTalk API host');
    const token = await dingtalk.accessToken();
    let res;
    try {
      const text = `#### ${reply.title}\n${reply.markdown ?? reply.text.split('\n').join('  \n')}`;
      res = await http.post(webhook, { msgtype: 'markdown', markdown: { title: reply.title, text } }, { headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json' } });
    } catch (err) {
      throw networkError('dingtalk', 'sessionWebhook', err);
    }
    const data = (res.data ?? {}) as { errcode?: number; errmsg?: string; code?: string; message?: string };
    if (res.status >= 300 || (typeof data.errcode === 'number' && data.errcode !== 0)) {
      throw dingtalkError(data.errcode ?? data.code ?? `HTTP_${res.status}`, data.errmsg ?? data.message ?? '', 'sessionWebhook', res.status);
    }
  }

  // --- handling one row -----------------------------------------------------------------------

  async function run(row: EventRow, inline: boolean): Promise<{ status: CallbackStatus; decision: Decision | null; note?: string }> {
    const p = row.payload as unknown as StoredPayload;
    if (row.eventType === 'card_action') {
      const ev = cardActionOf(p);
      const userId = await crmUserId(ev.provider, ev.messengerUserId);
      if (userId === null) return { status: 'ignored', decision: null, note: `unknown or disabled ${ev.provider} user ${ev.messengerUserId}` };
      const d = await decide(row, async () => {
        for (const h of registry.handlers('card_action')) {
          const out = await h({ ...ev, userId });
          if (out !== undefined) return { claimed: true, card: out };
        }
        return { claimed: false };
      });
      if (!d.claimed) return { status: 'ignored', decision: d, note: `no handler for card key ${ev.key}` };
      if (!d.applied && d.card) await applyCard(ev, d.card, inline);
      return { status: 'handled', decision: { ...d, applied: true } };
    }
    if (row.eventType === 'chat_message') {
      const ev = chatMessageOf(p);
      const userId = await crmUserId(ev.provider, ev.messengerUserId);
      const d = await decide(row, async () => {
        for (const h of registry.handlers('chat_message')) {
          const reply = await h({ ...ev, userId });
          if (reply !== undefined) return { claimed: true, reply };
        }
        return { claimed: false };
      });
      if (!d.claimed || !d.reply) return { status: 'ignored', decision: d };
      if (!d.applied) await sendReply(row, p, { messengerUserId: ev.messengerUserId, userId }, d.reply);
      return { status: 'handled', decision: { ...d, applied: true } };
    }
    const handlers = registry.handlers('event');
    if (handlers.length === 0) return { status: 'ignored', decision: null };
    const ev = messengerEventOf(p, row.eventType);
    for (const h of handlers) await h(ev);
    return { status: 'handled', decision: { claimed: true, applied: true } };
  }

  async function handleClaimed(row: EventRow, inline = false): Promise<void> {
    try {
      const out = await run(row, inline);
      await row.update({ status: out.status, result: out.decision as unknown as Record<string, unknown> | null, error: out.note ?? null, leaseUntil: null, handledAt: new Date(now()) });
      if (out.note) log.info({ callbackEventId: row.id, source: row.source, note: out.note }, 'callback event ignored');
    } catch (err) {
      const retryable = !(err instanceof MessengerError) || err.retryable;
      const again = retryable && row.attempts < maxAttempts;
      const message = (err as Error).message?.slice(0, 2000) ?? String(err);
      // Left 'received' with its lease pushed out as a back-off: the sweeper retries it then. An
      // inline (Stream) attempt frees it at once: the platform redelivers the un-ACKed frame.
      const retryAt = inline ? null : new Date(now() + Math.min(600_000, 15_000 * 2 ** (row.attempts - 1)));
      await row.update(again ? { error: message, leaseUntil: retryAt } : { status: 'failed', error: message, leaseUntil: null });
      log.warn({ err, callbackEventId: row.id, source: row.source, eventType: row.eventType, attempt: row.attempts, willRetry: again }, 'callback event handling failed');
    }
  }

  /** Handles a stored event if it is still to be handled and nobody else is on it. */
  async function process(id: number): Promise<boolean> {
    const row = await claim(id);
    if (!row) return false;
    await handleClaimed(row);
    return true;
  }

  // --- the in-process queue ---------------------------------------------------------------------

  const queue: number[] = [];
  let running = 0;
  let stopped = false;
  let waiters: (() => void)[] = [];

  function settle() {
    if (running === 0 && queue.length === 0) {
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    }
  }

  function pump() {
    while (!stopped && running < concurrency && queue.length > 0) {
      const id = queue.shift()!;
      running++;
      void process(id)
        .catch((err) => log.error({ err, callbackEventId: id }, 'callback queue error'))
        .finally(() => {
          running--;
          pump();
          settle();
        });
    }
    settle();
  }

  return {
    /** Register a handler for card taps, chat messages or other events (see handler-registry). */
    on: registry.on,
    registry,

    /**
     * Stores a verified event and schedules its handling right after the caller responds.
     * A redelivery is recognised by its dedupe key: acknowledged, not handled again.
     */
    async accept(source: CallbackSource, c: Classified, payload: StoredPayload): Promise<{ id: number; duplicate: boolean }> {
      const { row, duplicate } = await record(source, c, payload);
      if (!duplicate) {
        if (!stopped) {
          queue.push(row.id);
          setImmediate(pump);
        }
      } else {
        log.info({ callbackEventId: row.id, source, dedupeKey: c.dedupeKey, status: row.status }, 'callback redelivered; acknowledged once more');
      }
      return { id: row.id, duplicate };
    },

    /**
     * Stores and handles an event before answering (DingTalk Stream card callbacks: the ACK carries
     * the card update). A redelivery answers the stored decision; 'busy' means another handler
     * holds the event, so the caller should not ACK and let the platform redeliver.
     */
    async handleNow(source: CallbackSource, c: Classified, payload: StoredPayload): Promise<HandledNow> {
      const { row } = await record(source, c, payload);
      if (row.status === 'received') {
        const claimed = await claim(row.id, Math.min(leaseMs, 20_000));
        if (!claimed) return { status: 'busy', card: null };
        await handleClaimed(claimed, true);
      }
      const done = (await CallbackEvent.findByPk(row.id))!;
      const d = done.result as Decision | null;
      return { status: done.status, card: d?.card ?? null };
    },

    process,

    /** Handles events left 'received' (crash after the ack, failed attempt due again). */
    async sweep(limit = 100): Promise<number> {
      const due = await CallbackEvent.findAll({
        where: { status: 'received', [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lte]: new Date(now()) } }] },
        attributes: ['id'],
        order: [['id', 'ASC']],
        limit,
        raw: true,
      });
      let handled = 0;
      for (const { id } of due) if (await process(Number(id))) handled++;
      return handled;
    },

    /** Resolves when the in-process queue is empty and nothing is running. */
    idle(): Promise<void> {
      return new Promise((r) => {
        waiters.push(r);
        settle();
      });
    },

    /** Stops taking queued work (shutdown); what is left stays 'received' for the sweeper. */
    stop() {
      stopped = true;
      queue.length = 0;
      settle();
    },
    start() {
      stopped = false;
    },

    /** Whether WeCom / DingTalk HTTP callbacks are configured (token and AES key set). */
    configured: {
      wecom: Boolean(config.wecom?.callbackToken && config.wecom.encodingAesKey),
      dingtalk: Boolean(config.dingtalk?.callbackToken && config.dingtalk.callbackAesKey),
    },
    now,
  };
}
export type CallbackService = ReturnType<typeof createCallbackService>;

/** The card params of a DingTalk card update: the handler's cardData, else the result as `status`. */
export function dingtalkCardParams(card: CardActionResult | null): Record<string, string> {
  if (!card) return {};
  if (card.cardData) return Object.fromEntries(Object.entries(card.cardData).map(([k, v]) => [k, String(v)]));
  return card.replaceName ? { status: card.replaceName } : {};
}
