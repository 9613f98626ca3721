// The overdue job fires once across two app instances on one MySQL database: both bots run it at
// the same moment; the lease lets one through, and even two passes at once without the lease
// charge each loan's penalty once (loan row lock + unique penalty:<day> ledger reference).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApp, TEST_DB, type TestApp } from '../helpers/test-app';
import { count, createCustomer, rows } from '../helpers/fixtures';
import { insertLoan, setStage } from '../helpers/collections';
import { buildDeps } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { startBot, type BotHandle } from '../../bot/src/index';
import { overdueJob } from '../../bot/src/jobs/overdue.job';
import { createOverdueService } from '../../server/src/modules/collections/overdue.service';

const NOW = Date.parse('2026-11-23T02:00:00Z');
const N = 12;
let a: TestApp;
let depsB: Deps;
let bots: BotHandle[] = [];
const ids: number[] = [];

describe.skipIf(TEST_DB !== 'mysql')('overdue job fires once across two instances (MySQL)', () => {
  beforeAll(async () => {
    a = await createTestApp({ build: { bot: { now: () => NOW } }, env: { BOT_DISPATCH_INTERVAL_MS: '600000' } });
    depsB = buildDeps(a.config, { bot: { now: () => NOW }, log: pino({ level: 'silent' }) });
    const zw = await a.loginAs('张伟');
    for (let i = 0; i < N; i++) {
      const c = (await createCustomer(zw, { name: `并发逾期${i}` })).id;
      await setStage(a, c, 'repaying');
      ids.push(await insertLoan(a, { customerId: c, disbursedOn: '2026-09-01', penaltyDailyRatePpm: 500, installments: [{ dueOn: '2026-10-01', principalFen: 100_000 }, { dueOn: '2026-12-01', principalFen: 100_000 }] }));
    }
  });
  afterAll(async () => {
    for (const b of bots) await b.stop();
    await depsB?.db.close();
    await a?.close();
  });

  it('two bots run the job at once: one run, each loan charged once', async () => {
    bots = [startBot(a.deps, { jobs: [overdueJob] }), startBot(depsB, { jobs: [overdueJob] })];
    const ran = await Promise.all(bots.map((b) => b.runJob('overdue')));
    expect(ran).toContain(true);
    await Promise.all(bots.map((b) => b.runJob('overdue')));
    // 53 days × 1000 元 × 0.05 % = 26.50 元 per loan, once.
    const pen = await rows(a, 'SELECT loan_id, SUM(penalty_fen) AS p FROM installments WHERE loan_id IN (?) GROUP BY loan_id', [ids]);
    expect(pen.map((r) => Number(r.p))).toEqual(ids.map(() => 2650));
    expect(await count(a, 'loan_entries', "kind = 'penalty_accrual'")).toBe(N);
    expect(await count(a, 'domain_events', "type = 'loan.overdue_changed'")).toBe(N);
    expect(await a.deps.db.models.JobLease.findByPk('overdue', { raw: true })).toMatchObject({ owner: null, leaseUntil: null, lastOutcome: 'ok' });
  });

  it('three passes at once without the lease still charge the next day once', async () => {
    const next = '2026-11-24';
    await Promise.all([createOverdueService(a.deps).run({ today: next }), createOverdueService(depsB).run({ today: next }), createOverdueService(a.deps).run({ today: next })]);
    const pen = await rows(a, 'SELECT SUM(penalty_fen) AS p FROM installments WHERE loan_id IN (?)', [ids]);
    expect(Number(pen[0]!.p)).toBe(N * (2650 + 50));
    expect(await count(a, 'loan_entries', "kind = 'penalty_accrual'")).toBe(2 * N);
    expect(await count(a, 'domain_events', "type = 'loan.overdue_changed'")).toBe(N);
  });
});
