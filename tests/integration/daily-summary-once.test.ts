// The daily summary job fires once per business day (C22, C35): two app instances on one MySQL
// database run it at the same moment and every manager gets exactly one message; running it again
// the same day (a restart, 立即运行) sends nothing new; the next day it sends again. On SQLite (one
// process) the rerun part runs with one bot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApp, TEST_DB, type TestApp } from '../helpers/test-app';
import { buildDeps } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { startBot, type BotHandle } from '../../bot/src/index';
import { dailySummaryJob } from '../../bot/src/jobs/daily-summary.job';
import { rows } from '../helpers/fixtures';

const NOW = Date.parse('2026-12-03T10:30:00Z'); // Thursday 18:30 Shanghai
let clock = NOW;
const now = () => clock;
const MANAGERS = ['陈刚', '周强', '马超', '吴婷', '郑浩', '罗琳'];

let a: TestApp;
let depsB: Deps | null = null;
const bots: BotHandle[] = [];

async function perManager(day: string) {
  const list = await rows(a, "SELECT u.name AS name, COUNT(*) AS n FROM bot_messages m JOIN users u ON u.id = m.recipient_user_id WHERE m.kind = 'daily_summary' AND m.ref_id = ? GROUP BY u.name", [day]);
  return Object.fromEntries(list.map((r) => [String(r.name), Number(r.n)]));
}

beforeAll(async () => {
  a = await createTestApp({ build: { bot: { now } }, env: { BOT_DISPATCH_INTERVAL_MS: '600000' } });
  bots.push(startBot(a.deps, { jobs: [dailySummaryJob] }));
  if (TEST_DB === 'mysql') {
    depsB = buildDeps(a.config, { bot: { now }, log: pino({ level: 'silent' }) });
    bots.push(startBot(depsB, { jobs: [dailySummaryJob] }));
  }
});
afterAll(async () => {
  for (const b of bots) await b.stop();
  await depsB?.db.close();
  await a?.close();
});

describe('daily summary job: once per day across instances', () => {
  it('is scheduled from DAILY_SUMMARY_CRON (default 18:30 Monday to Friday) and can be turned off', () => {
    expect(dailySummaryJob.schedule(a.config)).toBe('30 18 * * 1-5');
    expect(dailySummaryJob.schedule({ ...a.config, dailySummary: { enabled: false, cron: '30 18 * * 1-5' } })).toBeNull();
  });

  it.skipIf(TEST_DB !== 'mysql')('two bots run it at once: each manager gets one message', async () => {
    const ran = await Promise.all(bots.map((b) => b.runJob('daily-summary')));
    expect(ran).toContain(true);
    await Promise.all(bots.map((b) => b.runJob('daily-summary')));
    expect(await perManager('2026-12-03')).toEqual(Object.fromEntries(MANAGERS.map((m) => [m, 1])));
  });

  it('a rerun the same day sends nothing new; the lease records it; the next day sends again', async () => {
    expect(await bots[0].runJob('daily-summary')).toBe(true);
    expect(await bots[0].runJob('daily-summary')).toBe(true);
    expect(await perManager('2026-12-03')).toEqual(Object.fromEntries(MANAGERS.map((m) => [m, 1])));
    const lease = await a.deps.db.models.JobLease.findByPk('daily-summary', { raw: true });
    expect(lease).toMatchObject({ owner: null, lastOutcome: 'ok' });
    expect(lease!.lastResult).toMatch(/^每日战报 2026-12-03:6 位管理者、0 个团队群,新发出 0 条消息$/);
    clock = NOW + 86_400_000;
    await bots[0].runJob('daily-summary');
    expect(await perManager('2026-12-04')).toEqual(Object.fromEntries(MANAGERS.map((m) => [m, 1])));
  });
});
