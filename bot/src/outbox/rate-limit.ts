// Messenger rate limits, enforced before sending (WeCom drops app messages past its per-member
// cap without an error, so the only safe way is never to exceed it):
//   WeCom app        30 per member per minute, 1,000 per hour (reference W7)
//   WeCom robot      20 per robot per minute (W5)
//   DingTalk robot   20 per robot per minute (D6)
//   DingTalk notice  500 per user per Shanghai day (D4)
// Usage is counted from bot_messages (sent rows, one per API call thanks to batch_id), so it
// holds across instances; rows other dispatchers are sending right now count too. An in-process
// window of the calls this process made covers sends whose row update has not landed.
import { col, fn, Op } from 'sequelize';
import type { BotChannel } from '../../../server/src/contracts/bot';
import type { Models } from '../../../server/src/db/models';

export interface RateRule {
  /** Sliding window in ms, or 'day' for the Asia/Shanghai calendar day. */
  window: number | 'day';
  max: number;
}

export const RATE_RULES: Partial<Record<BotChannel, RateRule[]>> = {
  wecom_app: [{ window: 60_000, max: 30 }, { window: 3_600_000, max: 1000 }],
  wecom_robot: [{ window: 60_000, max: 20 }],
  dingtalk_robot: [{ window: 60_000, max: 20 }],
  dingtalk_notice: [{ window: 'day', max: 500 }],
};

const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // no daylight saving in China

export function shanghaiDayStart(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / 86_400_000) * 86_400_000 - SHANGHAI_OFFSET_MS;
}

export const nextShanghaiDay = (ms: number) => shanghaiDayStart(ms) + 86_400_000;

export interface Allowance {
  /** How many more messages may go to this recipient now (may be ≤ 0). */
  allowed: number;
  /** When more may go once `allowed` is used up (null: no limit applies). */
  retryAt: number | null;
}

function toMs(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  // SQLite hands back "YYYY-MM-DD HH:mm:ss.SSS +00:00".
  const s = String(v).replace(' ', 'T').replace(/ ([+-]\d\d:\d\d)$/, '$1');
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

export function createRateLimiter(models: Pick<Models, 'BotMessage'>, opts: { now: () => number }) {
  const local = new Map<string, number[]>();
  const LOCAL_KEEP_MS = 3_600_000;

  function chunks<T>(a: T[], n = 500): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n));
    return out;
  }

  async function sentSince(channel: BotChannel, recipients: string[], since: number) {
    const out = new Map<string, { n: number; oldest: number | null }>();
    for (const part of chunks(recipients)) {
      const rows = (await models.BotMessage.findAll({
        attributes: ['recipient', [fn('COUNT', fn('DISTINCT', col('batch_id'))), 'n'], [fn('MIN', col('sent_at')), 'oldest']],
        where: { channel, status: 'sent', sentAt: { [Op.gt]: new Date(since) }, recipient: part },
        group: ['recipient'],
        raw: true,
      })) as unknown as { recipient: string; n: number | string; oldest: unknown }[];
      for (const r of rows) out.set(r.recipient, { n: Number(r.n), oldest: toMs(r.oldest) });
    }
    return out;
  }

  async function inFlight(channel: BotChannel, recipients: string[], owner: string) {
    const out = new Map<string, number>();
    for (const part of chunks(recipients)) {
      const rows = (await models.BotMessage.findAll({
        attributes: ['recipient', [fn('COUNT', col('id')), 'n']],
        where: { channel, status: 'sending', leaseUntil: { [Op.gt]: new Date(opts.now()) }, leaseOwner: { [Op.ne]: owner }, recipient: part },
        group: ['recipient'],
        raw: true,
      })) as unknown as { recipient: string; n: number | string }[];
      for (const r of rows) out.set(r.recipient, Number(r.n));
    }
    return out;
  }

  return {
    /** Notes a call this process is about to make, before its rows are marked sent. */
    record(channel: BotChannel, recipients: string[], at = opts.now()) {
      if (!RATE_RULES[channel]) return;
      for (const r of new Set(recipients)) {
        const key = `${channel}|${r}`;
        const list = (local.get(key) ?? []).filter((t) => t > at - LOCAL_KEEP_MS);
        list.push(at);
        local.set(key, list);
      }
    },

    /** What each recipient may still receive now, given every rule of the channel. */
    async allowances(channel: BotChannel, recipients: string[], owner: string): Promise<Map<string, Allowance>> {
      const uniq = [...new Set(recipients)];
      const out = new Map<string, Allowance>(uniq.map((r) => [r, { allowed: Number.POSITIVE_INFINITY, retryAt: null }]));
      const rules = RATE_RULES[channel];
      if (!rules) return out;
      const now = opts.now();
      const flying = await inFlight(channel, uniq, owner);
      for (const rule of rules) {
        const since = rule.window === 'day' ? shanghaiDayStart(now) - 1 : now - rule.window;
        const db = await sentSince(channel, uniq, since);
        for (const r of uniq) {
          const mine = rule.window === 'day' ? [] : (local.get(`${channel}|${r}`) ?? []).filter((t) => t > since);
          const d = db.get(r);
          const used = Math.max(d?.n ?? 0, mine.length) + (flying.get(r) ?? 0);
          const allowed = rule.max - used;
          // When this rule lets more through once its allowance is used up: the next Shanghai
          // day, or when the oldest message still in the window leaves it.
          const oldest = Math.min(d?.oldest ?? Number.POSITIVE_INFINITY, mine[0] ?? Number.POSITIVE_INFINITY);
          const freesAt = rule.window === 'day' ? nextShanghaiDay(now) : (Number.isFinite(oldest) ? oldest : now) + rule.window;
          const a = out.get(r)!;
          // The tightest rule decides (ties: the later time).
          if (allowed < a.allowed) a.retryAt = freesAt;
          else if (allowed === a.allowed) a.retryAt = Math.max(a.retryAt ?? 0, freesAt);
          a.allowed = Math.min(a.allowed, allowed);
        }
      }
      return out;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
