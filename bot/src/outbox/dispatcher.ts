// The outbox dispatcher: delivers bot_messages rows through their channel.
//
// A pass claims due rows (pending and due, or `sending` whose lease expired because the process
// that held them died) with one conditional UPDATE that stamps a claim token, then reads back
// exactly the rows it won. It holds back what the rate limits do not allow yet (robots: merges the
// surplus into one message), groups identical payloads into one API call where the API takes
// several recipients, and after each call records the outcome of every row and its attempt in one
// transaction, conditional on still holding the claim. So a row is sent again only if its lease
// ran out before it was marked; WeCom's duplicate check (and DingTalk's same-content rule) keep
// that re-send from reaching the person twice.
//
// Outcomes by MessengerError kind: transient → retry with exponential backoff and jitter, dead
// after config.bot.maxAttempts tries; rate_limited → wait (next Shanghai day for DingTalk's daily
// cap), not counted as a try; permanent → dead at once. Errors flagged adminAlert, and dead
// letters, raise an admin alert.
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import type { Deps } from '../../../server/src/deps';
import type { BotChannel } from '../../../server/src/contracts/bot';
import { MessengerError, type MessengerProvider } from '../../../server/src/modules/messenger/messenger-error';
import { raiseAdminAlert, type AlertInput } from '../../../server/src/modules/bot/admin-alerts';
import type { ChannelSender, OutboxRow, RowOutcome } from '../channels/channel';
import { consoleChannel } from '../channels/console';
import { wecomAppChannel } from '../channels/wecom-app';
import { wecomRobotChannel } from '../channels/wecom-robot';
import { dingtalkNoticeChannel } from '../channels/dingtalk-notice';
import { dingtalkCardChannel } from '../channels/dingtalk-card';
import { dingtalkRobotChannel } from '../channels/dingtalk-robot';
import { robotCredentials } from '../channels/robot-credentials';
import { cardLookup } from '../channels/card-update';
import { createRateLimiter, nextShanghaiDay, RATE_RULES } from './rate-limit';

export interface DispatcherOptions {
  now?: () => number;
  /** Rows claimed per pass (a multiple of WeCom's 1,000 recipients per call batches best). */
  batchSize?: number;
  /** How long a claim holds; a pass stops sending when less than a call's worth is left. */
  leaseMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** Replace the channels built from deps (tests). */
  channels?: Partial<Record<BotChannel, ChannelSender>>;
}

export interface DispatchStats {
  claimed: number;
  calls: number;
  sent: number;
  retried: number;
  dead: number;
  deferred: number;
}

const OWNER = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
const PROVIDER: Record<BotChannel, MessengerProvider | null> = {
  wecom_app: 'wecom', wecom_robot: 'wecom', dingtalk_notice: 'dingtalk', dingtalk_robot: 'dingtalk', dingtalk_card: 'dingtalk', console: null,
};
const LEASE_SAFETY_MS = 15_000;

/** What an admin should do about a provider error code (Chinese, for the alert). */
const ALERT_HINTS: Record<string, string> = {
  'wecom:60020': '企业微信拒绝了服务器 IP(60020):请在应用的「企业可信IP」中加入服务器出口 IP',
  'wecom:93000': '企业微信群机器人已失效(93000):请在「群机器人设置」中更新 Webhook 地址',
  'wecom:93004': '企业微信群机器人已被停用(93004)',
  'wecom:40056': '企业微信应用 AgentId 不正确(40056):请检查 WECOM_AGENT_ID',
  'wecom:60011': '企业微信应用无权给该成员发消息(60011):请检查应用的可见范围',
  'dingtalk:310000': '钉钉群机器人签名或安全设置不匹配(310000):请在「群机器人设置」中核对加签密钥',
  'dingtalk:60020': '钉钉拒绝了服务器 IP(60020):请在应用的服务器出口 IP 中加入服务器 IP',
  'dingtalk:300001': '钉钉群机器人不存在或已被移除(300001):请在「群机器人设置」中更新 Webhook 地址',
  'wecom:ROBOT_GONE': '企业微信群机器人已被删除,仍有消息要发给它',
  'dingtalk:ROBOT_GONE': '钉钉群机器人已被删除,仍有消息要发给它',
};

export function buildChannels(deps: Deps): Partial<Record<BotChannel, ChannelSender>> {
  const out: Partial<Record<BotChannel, ChannelSender>> = { console: consoleChannel(deps.log) };
  const { wecom, dingtalk } = deps.messengers;
  const publicUrl = deps.config.publicUrl;
  const creds = robotCredentials(deps);
  const cards = { lookup: cardLookup(deps.db.models), now: deps.bot.now };
  if (wecom) {
    out.wecom_app = wecomAppChannel(wecom, publicUrl, cards);
    out.wecom_robot = wecomRobotChannel(wecom, publicUrl, creds);
  }
  if (dingtalk) {
    out.dingtalk_notice = dingtalkNoticeChannel(dingtalk, publicUrl, cards);
    out.dingtalk_robot = dingtalkRobotChannel(dingtalk, publicUrl, creds);
    if (dingtalk.config.cardTemplateId) out.dingtalk_card = dingtalkCardChannel(dingtalk, publicUrl, cards);
  }
  return out;
}

function groupBy<T, K>(list: T[], key: (x: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const x of list) {
    const k = key(x);
    const g = out.get(k);
    if (g) g.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/** Splits rows into calls: identical batchable payloads together, each recipient once per call. */
export function planCalls(sender: ChannelSender, rows: OutboxRow[]): OutboxRow[][] {
  const groups = groupBy(rows, (r) => (sender.groupAll ? 'all' : sender.maxRecipients > 1 && sender.batchable(r) ? `${r.kind}\n${r.payloadKey}` : `#${r.id}`));
  const calls: OutboxRow[][] = [];
  for (const list of groups.values()) {
    const chunks: { rows: OutboxRow[]; who: Set<string> }[] = [];
    for (const r of list) {
      let c = chunks.find((x) => x.rows.length < sender.maxRecipients && (sender.groupAll || !x.who.has(r.recipient)));
      if (!c) chunks.push((c = { rows: [], who: new Set() }));
      c.rows.push(r);
      c.who.add(r.recipient);
    }
    calls.push(...chunks.map((c) => c.rows));
  }
  return calls;
}

export function createDispatcher(deps: Deps, opts: DispatcherOptions = {}) {
  const { models } = deps.db;
  const now = opts.now ?? deps.bot.now;
  const batchSize = opts.batchSize ?? 2000;
  const leaseMs = opts.leaseMs ?? 120_000;
  const baseBackoffMs = opts.baseBackoffMs ?? 5_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 30 * 60_000;
  const random = opts.random ?? Math.random;
  const maxAttempts = deps.config.bot.maxAttempts;
  const channels = opts.channels ?? buildChannels(deps);
  const limiter = createRateLimiter(models, { now });
  let seq = 0;

  const dueWhere = (at: Date) => ({
    [Op.or]: [
      { status: 'pending', nextAttemptAt: { [Op.lte]: at } },
      { status: 'sending', leaseUntil: { [Op.lt]: at } },
    ],
  });

  async function claim(ids?: number[]): Promise<{ token: string; leaseUntil: number; rows: OutboxRow[] }> {
    const at = new Date(now());
    const where = ids ? { [Op.and]: [dueWhere(at), { id: ids }] } : dueWhere(at);
    const candidates = await models.BotMessage.findAll({ attributes: ['id'], where, order: [['nextAttemptAt', 'ASC'], ['id', 'ASC']], limit: batchSize, raw: true });
    const token = `${OWNER}-${++seq}`;
    const leaseUntil = at.getTime() + leaseMs;
    if (!candidates.length) return { token, leaseUntil, rows: [] };
    // Conditional: a row another dispatcher claimed in between no longer matches dueWhere.
    await models.BotMessage.update(
      { status: 'sending', leaseOwner: token, leaseUntil: new Date(leaseUntil) },
      { where: { [Op.and]: [dueWhere(at), { id: candidates.map((c) => c.id) }] } },
    );
    const won = await models.BotMessage.findAll({ where: { leaseOwner: token, status: 'sending' }, order: [['id', 'ASC']], raw: true });
    const rows = won.map((r) => {
      const payloadKey = typeof r.payload === 'string' ? (r.payload as string) : JSON.stringify(r.payload);
      return {
        id: Number(r.id),
        idemKey: r.idemKey,
        channel: r.channel,
        kind: r.kind,
        recipient: r.recipient,
        recipientUserId: r.recipientUserId,
        departmentId: r.departmentId,
        payload: JSON.parse(payloadKey),
        payloadKey,
        attempts: r.attempts,
      } satisfies OutboxRow;
    });
    return { token, leaseUntil, rows };
  }

  /** Puts rows back to pending (not sent, not a try), e.g. held back by a rate limit. */
  async function release(token: string, list: { row: OutboxRow; at: number; code?: string; message?: string }[]) {
    const groups = new Map<string, { ids: number[]; values: Record<string, unknown> }>();
    for (const { row, at, code, message } of list) {
      const values: Record<string, unknown> = { status: 'pending', nextAttemptAt: new Date(at), leaseOwner: null, leaseUntil: null, ...(code ? { lastErrorCode: code, lastError: message ?? null } : {}) };
      const key = JSON.stringify(values);
      const g = groups.get(key) ?? { ids: [] as number[], values };
      g.ids.push(row.id);
      groups.set(key, g);
    }
    for (const g of groups.values()) await models.BotMessage.update(g.values, { where: { id: g.ids, leaseOwner: token, status: 'sending' } });
  }

  const backoff = (tries: number, jitter: number) => Math.round(Math.min(maxBackoffMs, baseBackoffMs * 2 ** (tries - 1)) * jitter);

  function alertFor(channel: BotChannel, e: MessengerError): AlertInput {
    const key = `${e.provider}:${e.code}`;
    return {
      kind: 'bot_delivery',
      dedupeKey: `bot:${key}`,
      message: ALERT_HINTS[key] ?? `消息发送失败(${e.provider === 'wecom' ? '企业微信' : '钉钉'} ${e.code}):${e.message}`.slice(0, 500),
      details: { channel, code: e.code, api: e.details.api ?? null, error: e.message },
    };
  }

  /** Records one call's outcome for every row, and its attempts, in one transaction. */
  async function commit(channel: BotChannel, token: string, rows: OutboxRow[], outcomes: Map<number, RowOutcome>, durationMs: number, stats: DispatchStats) {
    const at = now();
    const batchId = `b${at.toString(36)}${crypto.randomBytes(5).toString('hex')}`;
    const jitter = 0.5 + random();
    const updates = new Map<string, { ids: number[]; values: Record<string, unknown> }>();
    const attempts: { messageId: number; attemptNo: number; outcome: 'sent' | 'transient' | 'permanent' | 'deferred'; errorCode: string | null; errorMessage: string | null; durationMs: number; createdAt: Date }[] = [];
    const alerts = new Map<string, AlertInput>();
    const released = { leaseOwner: null, leaseUntil: null };
    const put = (id: number, values: Record<string, unknown>) => {
      const key = JSON.stringify(values);
      const g = updates.get(key) ?? { ids: [], values };
      g.ids.push(id);
      updates.set(key, g);
    };
    for (const r of rows) {
      const o: RowOutcome = outcomes.get(r.id) ?? { outcome: 'failed', error: new MessengerError(PROVIDER[channel] ?? 'wecom', 'NO_RESULT', 'transient', 'channel reported no result for this message') };
      const tries = r.attempts + 1;
      const attempt = { messageId: r.id, attemptNo: tries, durationMs, createdAt: new Date(at) };
      if (o.outcome === 'sent') {
        put(r.id, { status: 'sent', sentAt: new Date(at), batchId, externalId: o.externalId ?? null, responseCode: o.responseCode ?? null, attempts: tries, lastErrorCode: o.note?.code ?? null, lastError: o.note?.message ?? null, ...released });
        attempts.push({ ...attempt, outcome: 'sent', errorCode: o.note?.code ?? null, errorMessage: o.note?.message ?? null });
        stats.sent++;
        continue;
      }
      const e = o.error;
      const msg = e.message.slice(0, 2000);
      // A robot that fails for good (removed, wrong key or secret) is always for the admin to fix.
      const robot = channel === 'wecom_robot' || channel === 'dingtalk_robot';
      if (e.details.adminAlert || (robot && e.kind === 'permanent')) alerts.set(`${e.provider}:${e.code}`, alertFor(channel, e));
      if (e.kind === 'rate_limited') {
        const wait = e.code === '143105' ? nextShanghaiDay(at) + Math.round(random() * 600_000) : at + Math.round(60_000 * jitter);
        put(r.id, { status: 'pending', nextAttemptAt: new Date(wait), lastErrorCode: e.code, lastError: msg, ...released });
        attempts.push({ ...attempt, attemptNo: r.attempts, outcome: 'deferred', errorCode: e.code, errorMessage: msg });
        stats.deferred++;
      } else if (e.kind === 'permanent' || tries >= maxAttempts) {
        const lastError = e.kind === 'permanent' ? msg : `已重试 ${tries} 次仍失败,转入死信:${msg}`.slice(0, 2000);
        put(r.id, { status: 'dead', attempts: tries, lastErrorCode: e.code, lastError, ...released });
        attempts.push({ ...attempt, outcome: e.kind === 'permanent' ? 'permanent' : 'transient', errorCode: e.code, errorMessage: msg });
        if (e.kind !== 'permanent') {
          alerts.set(`dead:${channel}`, {
            kind: 'bot_dead_letter',
            dedupeKey: `bot:dead_letter:${channel}`,
            message: '有消息多次发送失败已转入死信,请在「消息投递 → 失败」中查看原因并重试',
            details: { channel, code: e.code, error: msg },
          });
        }
        stats.dead++;
      } else {
        put(r.id, { status: 'pending', attempts: tries, nextAttemptAt: new Date(at + backoff(tries, jitter)), lastErrorCode: e.code, lastError: msg, ...released });
        attempts.push({ ...attempt, outcome: 'transient', errorCode: e.code, errorMessage: msg });
        stats.retried++;
      }
    }
    await deps.db.transaction(async (t) => {
      for (const g of updates.values()) {
        await models.BotMessage.update(g.values, { where: { id: g.ids, leaseOwner: token, status: 'sending' }, transaction: t });
      }
      if (attempts.length) await models.BotMessageAttempt.bulkCreate(attempts, { transaction: t });
      for (const a of alerts.values()) await raiseAdminAlert(models, a, { now, transaction: t });
    });
  }

  function asMessengerError(channel: BotChannel, err: unknown): MessengerError {
    if (err instanceof MessengerError) return err;
    deps.log.error({ err, channel }, 'bot channel failed unexpectedly');
    return new MessengerError(PROVIDER[channel] ?? 'wecom', 'INTERNAL', 'transient', (err as Error)?.message ?? String(err));
  }

  async function dispatchChannel(channel: BotChannel, rows: OutboxRow[], token: string, leaseUntil: number, stats: DispatchStats) {
    const sender = channels[channel];
    if (!sender) {
      const provider = PROVIDER[channel] ?? 'wecom';
      const error = new MessengerError(provider, 'MESSENGER_NOT_CONFIGURED', 'permanent', `${provider === 'wecom' ? '企业微信' : '钉钉'}未接入或渠道不可用,消息无法发送`, { adminAlert: true });
      await commit(channel, token, rows, new Map(rows.map((r) => [r.id, { outcome: 'failed', error }])), 0, stats);
      return;
    }

    // Rate limits: hold back what may not go now; a robot's surplus is merged into one message.
    let sendable = rows;
    const merged: OutboxRow[][] = [];
    const held: { row: OutboxRow; at: number; code: string; message: string }[] = [];
    if (RATE_RULES[channel]) {
      const allow = await limiter.allowances(channel, rows.map((r) => r.recipient), token);
      const byRecipient = groupBy(rows, (r) => r.recipient);
      sendable = [];
      for (const [recipient, list] of byRecipient) {
        const a = allow.get(recipient)!;
        const n = Math.max(0, a.allowed);
        if (n >= list.length) {
          sendable.push(...list);
          continue;
        }
        let rest = list.slice(n);
        if (sender.fitsMerged && n >= 1) {
          // n - 1 on their own, then the rest (as much as fits) as one message in the last slot.
          sendable.push(...list.slice(0, n - 1));
          const candidates = list.slice(n - 1);
          let k = candidates.length;
          while (k > 1 && !sender.fitsMerged(candidates.slice(0, k).map((r) => r.payload))) k--;
          merged.push(candidates.slice(0, k));
          rest = candidates.slice(k);
        } else {
          sendable.push(...list.slice(0, n));
        }
        const retryAt = (a.retryAt ?? now() + 60_000) + Math.round(random() * 3_000);
        for (const row of rest) held.push({ row, at: retryAt, code: 'RATE_LIMIT_HOLD', message: '已达发送频率上限,稍后自动发送' });
      }
      if (held.length) await release(token, held);
      stats.deferred += held.length;
    }

    const calls = [...planCalls(sender, sendable).map((rows) => ({ rows, merged: false })), ...merged.map((rows) => ({ rows, merged: rows.length > 1 }))];
    for (let i = 0; i < calls.length; i++) {
      if (now() > leaseUntil - LEASE_SAFETY_MS) {
        // Too close to the end of the claim: give the rest back rather than risk a double send.
        await release(token, calls.slice(i).flatMap((c) => c.rows.map((row) => ({ row, at: now() }))));
        return;
      }
      const { rows: callRows, merged: isMerged } = calls[i];
      limiter.record(channel, callRows.map((r) => r.recipient));
      const started = Date.now();
      let outcomes: Map<number, RowOutcome>;
      try {
        outcomes = await sender.send(callRows, { merged: isMerged });
      } catch (err) {
        const error = asMessengerError(channel, err);
        outcomes = new Map(callRows.map((r) => [r.id, { outcome: 'failed', error }]));
      }
      stats.calls++;
      await commit(channel, token, callRows, outcomes, Date.now() - started, stats);
    }
  }

  return {
    /** One pass: claim up to batchSize due rows (or just `ids`) and deliver them. */
    async runOnce(o: { ids?: number[] } = {}): Promise<DispatchStats> {
      const stats: DispatchStats = { claimed: 0, calls: 0, sent: 0, retried: 0, dead: 0, deferred: 0 };
      const { token, leaseUntil, rows } = await claim(o.ids);
      stats.claimed = rows.length;
      for (const [channel, list] of groupBy(rows, (r) => r.channel)) await dispatchChannel(channel, list, token, leaseUntil, stats);
      return stats;
    },
    /** Passes until nothing is due (tests; a full claim means more may be waiting). */
    async drain(maxPasses = 50): Promise<DispatchStats> {
      const total: DispatchStats = { claimed: 0, calls: 0, sent: 0, retried: 0, dead: 0, deferred: 0 };
      for (let i = 0; i < maxPasses; i++) {
        const s = await this.runOnce();
        for (const k of Object.keys(total) as (keyof DispatchStats)[]) total[k] += s[k];
        if (s.claimed === 0) break;
      }
      return total;
    },
    batchSize,
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
