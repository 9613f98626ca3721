// The demo seed for 催收 and 返佣 over loans that already exist: rules, backfilled accruals, the
// overdue pass, collection records with one broken promise → a task; a second run adds nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { count, createCustomer } from '../helpers/fixtures';
import { insertLoan, setStage } from '../helpers/collections';
import { seedDemoCollections } from '../../sql/seeds/demo-collections';

const NOW = new Date('2026-11-23T02:00:00Z');
let a: TestApp;

beforeAll(async () => {
  a = await createTestApp({ build: { bot: { now: () => NOW.getTime() } } });
  const zw = await a.loginAs('张伟');
  for (const [channel, due] of [['douyin', '2026-08-10'], ['baidu', '2026-10-10'], ['referral', '2026-12-10']] as const) {
    const c = (await createCustomer(zw, { channel })).id;
    await setStage(a, c, 'repaying');
    await insertLoan(a, { customerId: c, principalFen: 10_000_000, disbursedOn: '2026-07-10', penaltyDailyRatePpm: 500, installments: [{ dueOn: due, principalFen: 10_000_000 }] });
  }
});
afterAll(async () => a?.close());

it('seeds rules, backfills accruals, runs the pass and leaves a broken-promise task; idempotent', async () => {
  expect(await count(a, 'commission_accruals')).toBe(0);
  await seedDemoCollections(a.deps, { now: NOW });
  expect(await count(a, 'commission_rules')).toBe(5);
  expect(await count(a, 'commission_accruals', "kind = 'accrual'")).toBe(6); // 3 loans × (channel + officer)
  expect(await count(a, 'loans', "overdue_bucket <> 'current'")).toBe(2);
  expect(await count(a, 'collection_records')).toBe(2);
  expect(await count(a, 'collection_records', "promise_status = 'broken'")).toBe(1);
  expect(await count(a, 'tasks', "kind = 'collection'")).toBe(1);
  const before = await Promise.all(['commission_rules', 'commission_accruals', 'collection_records', 'tasks', 'loan_entries'].map((t) => count(a, t)));
  await seedDemoCollections(a.deps, { now: NOW });
  expect(await Promise.all(['commission_rules', 'commission_accruals', 'collection_records', 'tasks', 'loan_entries'].map((t) => count(a, t)))).toEqual(before);
});
