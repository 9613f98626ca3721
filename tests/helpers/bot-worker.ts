// Bot test helpers: a messenger test app with the message fakes installed and the demo staff
// known to the fakes, a dispatcher on the test clock, a driver that runs it (moving the clock to
// the next due message) until the outbox is empty, and a dispatcher child process to kill.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../../config';
import { createDb } from '../../server/src/db/connection';
import { createFieldCrypto } from '../../server/src/modules/crypto/field-crypto';
import { createMessengers } from '../../server/src/modules/messenger/messengers';
import { createBotService } from '../../server/src/modules/bot/bot.service';
import type { Deps } from '../../server/src/deps';
import type { MessengerTestApp } from './messenger-app';
import { installMessages, type WecomMessagesFake } from '../fakes/wecom/messages';
import { installWecomRobots, type WecomRobotsFake } from '../fakes/wecom/robot';
import { installNotices, type DingtalkNoticesFake } from '../fakes/dingtalk/notices';
import { installDingtalkRobots, type DingtalkRobotsFake } from '../fakes/dingtalk/robot';
import { installCards, type DingtalkCardsFake } from '../fakes/dingtalk/cards';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../../bot/src/outbox/dispatcher';

export interface BotTestApp extends MessengerTestApp {
  wecomMessages: WecomMessagesFake | null;
  wecomRobots: WecomRobotsFake | null;
  notices: DingtalkNoticesFake | null;
  dingRobots: DingtalkRobotsFake | null;
  cards: DingtalkCardsFake | null;
  /** Demo user id → messenger userid. */
  wecomIds: Map<number, string>;
  dingIds: Map<number, string>;
}

/** Seeded PRNG: dispatcher jitter stays reproducible. */
export function seeded(seed = 1) {
  return () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
}

/**
 * A test app with WeCom and/or DingTalk fakes. Every active demo employee gets a messenger id
 * (`wx-<id>` / `dd-<id>`) in the CRM and in the fake's directory unless `link` is false.
 */
export async function createBotTestApp(opts: { wecom?: boolean; dingtalk?: boolean; env?: Record<string, string>; link?: boolean } = {}): Promise<BotTestApp> {
  // Loaded lazily: the child process below imports this file and needs none of the app.
  const { createMessengerTestApp } = await import('./messenger-app');
  const t = await createMessengerTestApp({ wecom: opts.wecom ?? false, dingtalk: opts.dingtalk ?? false, env: { ...opts.env } });
  const wecomIds = new Map<number, string>();
  const dingIds = new Map<number, string>();
  if (opts.link !== false) {
    const users = await t.deps.db.models.User.findAll({ raw: true });
    for (const u of users) {
      const patch: Record<string, string> = {};
      if (t.wecom) {
        wecomIds.set(u.id, `wx-${u.id}`);
        t.wecom.addUser({ userid: `wx-${u.id}`, name: u.name, department: [1] });
        patch.wecomUserid = `wx-${u.id}`;
      }
      if (t.dingtalk) {
        dingIds.set(u.id, `dd-${u.id}`);
        t.dingtalk.addUser({ userid: `dd-${u.id}`, name: u.name, dept_id_list: [1] });
        patch.dingtalkUserid = `dd-${u.id}`;
      }
      if (Object.keys(patch).length) await t.deps.db.models.User.update(patch, { where: { id: u.id } });
    }
  }
  return {
    ...t,
    wecomMessages: t.wecom ? installMessages(t.wecom) : null,
    wecomRobots: t.wecom ? installWecomRobots(t.wecom) : null,
    notices: t.dingtalk ? installNotices(t.dingtalk) : null,
    dingRobots: t.dingtalk ? installDingtalkRobots(t.dingtalk) : null,
    cards: t.dingtalk ? installCards(t.dingtalk) : null,
    wecomIds,
    dingIds,
  };
}

export function testDispatcher(t: MessengerTestApp, opts: DispatcherOptions = {}): Dispatcher {
  return createDispatcher(t.deps, { now: t.clock.now, random: seeded(7), ...opts });
}

/** A DATETIME as read raw: a Date on MySQL, a string on SQLite. */
export function toMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  return Date.parse(String(v).replace(' ', 'T').replace(/ ([+-]\d\d:\d\d)$/, '$1'));
}

/**
 * Runs the dispatcher until no message is pending, moving the test clock to the next due one
 * whenever nothing is due now. Returns how far the clock moved (ms).
 */
export async function deliverAll(t: MessengerTestApp, d: Dispatcher, maxSteps = 200): Promise<number> {
  const start = t.clock.ms;
  for (let i = 0; i < maxSteps; i++) {
    await d.drain();
    const [r] = await t.deps.db.sequelize.query<{ n: number; next: unknown }>(
      "SELECT COUNT(*) AS n, MIN(next_attempt_at) AS next FROM bot_messages WHERE status = 'pending'",
      { type: QueryTypes.SELECT },
    );
    if (Number(r.n) === 0) return t.clock.ms - start;
    t.clock.ms = Math.max(t.clock.ms, toMs(r.next)) + 1;
  }
  throw new Error('outbox did not empty');
}

export async function statusCounts(t: MessengerTestApp): Promise<Record<string, number>> {
  const rows = await t.deps.db.sequelize.query<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM bot_messages GROUP BY status', { type: QueryTypes.SELECT });
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export const textPayload = (title: string, text = `${title}的内容`) => ({ title, text });

// ---- child process (bot-crash test) ----------------------------------------------------------
// `node --import tsx tests/helpers/bot-worker.ts` runs a dispatcher against the database and
// messengers named in its environment until it is killed, like a bot process in production.

export const BOT_WORKER_FILE = fileURLToPath(import.meta.url);

async function childMain() {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' }, '');
  // Only what the dispatcher uses (not the whole app): a bot process needs no HTTP modules.
  const db = createDb(config);
  const deps = {
    config,
    db,
    log: pino({ level: 'silent' }),
    crypto: createFieldCrypto(config.crypto.encryptionKey, config.crypto.hashKey),
    messengers: createMessengers(config, db.models, { wecom: { busyRetryDelaysMs: [1, 2, 4] } }),
    bot: createBotService(config, db.models),
  } as unknown as Deps;
  const d = createDispatcher(deps);
  for (;;) {
    const s = await d.runOnce();
    if (s.claimed === 0) await new Promise((r) => setTimeout(r, 20));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === BOT_WORKER_FILE) void childMain();
