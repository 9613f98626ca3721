// Jobs fire once (C35) with two app instances on one MySQL database: both bots run the ladder job
// at the same moment and every customer is reminded once; both ladders scanning at once without
// the lease still fire each step once (row lock + unique firing key); an expired lease of a killed
// holder is taken over, a live one is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, TEST_DB, type TestApp } from '../helpers/test-app';
import { buildDeps } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { startBot, type BotHandle } from '../../bot/src/index';
import { ladderJob } from '../../bot/src/jobs/ladder.job';
import { ladderFromDeps } from '../../server/src/modules/ladder/ladder.service';
import pino from 'pino';

const NOW = Date.parse('2026-12-03T02:00:00Z'); // Thursday 10:00 Shanghai
const FIVE_BUSINESS_DAYS_AGO_PLUS = new Date(Date.parse('2026-11-27T02:00:00Z')); // Friday before: 4 business days idle
const N = 30;

let a: TestApp;
let depsB: Deps;
let bots: BotHandle[] = [];

async function seedIdle(prefix: string) {
  const zw = await a.loginAs('张伟');
  const ids: number[] = [];
  for (let i = 0; i < N; i++) {
    const res = await zw.post('/api/v1/customers', customerInput({ name: `${prefix}${i}` }));
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  await a.deps.db.models.Customer.update({ assignedAt: FIVE_BUSINESS_DAYS_AGO_PLUS, lastFollowUpAt: null }, { where: { id: ids } });
  await a.deps.db.models.LadderStep.update({ scannedTo: null }, { where: {} }); // back-dated rows: rescan from the start
  return ids;
}

async function remindersPerCustomer(ids: number[]) {
  const rows = await a.deps.db.models.BotMessage.findAll({ where: { kind: 'ladder_reminder', refId: ids.map(String) }, raw: true });
  const per = new Map<string, number>();
  for (const r of rows) per.set(r.refId!, (per.get(r.refId!) ?? 0) + 1);
  return ids.map((id) => per.get(String(id)) ?? 0);
}

describe.skipIf(TEST_DB !== 'mysql')('jobs fire once across two instances (MySQL)', () => {
  beforeAll(async () => {
    a = await createTestApp({ build: { bot: { now: () => NOW } }, env: { BOT_DISPATCH_INTERVAL_MS: '600000' } });
    depsB = buildDeps(a.config, { bot: { now: () => NOW }, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    for (const b of bots) await b.stop();
    await depsB?.db.close();
    await a?.close();
  });

  it('two bots run the ladder job at once: every customer is reminded exactly once', async () => {
    const ids = await seedIdle('双实例');
    bots = [startBot(a.deps, { jobs: [ladderJob] }), startBot(depsB, { jobs: [ladderJob] })];
    const ran = await Promise.all(bots.map((b) => b.runJob('ladder')));
    expect(ran).toContain(true);
    await Promise.all(bots.map((b) => b.runJob('ladder'))); // and again: nothing new
    expect(await remindersPerCustomer(ids)).toEqual(ids.map(() => 1));
    expect(await a.deps.db.models.LadderFiring.count({ where: { customerId: ids } })).toBe(N);
    const lease = await a.deps.db.models.JobLease.findByPk('ladder', { raw: true });
    expect(lease).toMatchObject({ owner: null, leaseUntil: null, lastOutcome: 'ok' });
  });

  it('two ladders scanning concurrently without the lease still fire each step once', async () => {
    const ids = await seedIdle('无租约');
    const results = await Promise.all([ladderFromDeps(a.deps).run(), ladderFromDeps(depsB).run(), ladderFromDeps(a.deps).run()]);
    expect(results.reduce((s, r) => s + r.fired, 0)).toBe(N);
    expect(await remindersPerCustomer(ids)).toEqual(ids.map(() => 1));
    expect(await a.deps.db.models.Task.count({ where: { customerId: ids } })).toBe(N);
  });

  it('a killed holder’s expired lease is taken over; a live one is not', async () => {
    const { JobLease } = a.deps.db.models;
    await JobLease.update({ owner: 'killed-pid', leaseUntil: new Date(Date.now() + 60_000) }, { where: { name: 'ladder' } });
    expect(await bots[1]!.runJob('ladder')).toBe(false);
    await JobLease.update({ owner: 'killed-pid', leaseUntil: new Date(Date.now() - 1) }, { where: { name: 'ladder' } });
    expect(await bots[1]!.runJob('ladder')).toBe(true);
    expect(await JobLease.findByPk('ladder', { raw: true })).toMatchObject({ owner: null, leaseUntil: null, lastOutcome: 'ok' });
  });
});
