// The full demo seed on a fresh database shows issue #6 to a newcomer: loans active, settled and reversed,
// some overdue, every demo loan's application linked to a catalogue product (the loan too), SMS sent
// (还款提醒 and 逾期提醒, none dated in the future), and contracts in each state — the signed one's
// customer 已签约. Seeding twice adds nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { count, rows } from '../helpers/fixtures';
import { seedDemo } from '../../sql/seeds/demo';

const FILES = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-demo6-files-'));
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ seed: false, env: { APPLICATION_FILES_DIR: FILES } });
  await seedDemo(t.deps, { customers: 300 });
}, 240_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(FILES, { recursive: true, force: true });
});

it('loans in several states, some overdue, each linked to a catalogue product through its application', async () => {
  const statuses = (await rows(t, 'SELECT status, COUNT(*) AS n FROM loans GROUP BY status')).map((r) => String(r.status));
  expect(statuses).toEqual(expect.arrayContaining(['active', 'settled', 'reversed']));
  // The reversed one: a reversal entry beside the untouched disbursement, its customer back to 已签约.
  const [rev] = await rows(t, "SELECT l.id, c.stage FROM loans l JOIN customers c ON c.id = l.customer_id WHERE l.status = 'reversed'");
  expect(rev!.stage).toBe('signed');
  const entries = await rows(t, 'SELECT kind, amount_fen FROM loan_entries WHERE loan_id = ? ORDER BY id', [rev!.id]);
  expect(entries.map((e) => [e.kind, Math.sign(Number(e.amount_fen))])).toEqual([['disbursement', 1], ['reversal', -1]]);
  expect(await count(t, 'loans', 'days_past_due > 0')).toBeGreaterThan(0);
  expect(await count(t, 'loans')).toBeGreaterThan(10);
  expect(await count(t, 'loans', 'product_id IS NULL')).toBe(0);
  const unlinked = await rows(t, 'SELECT l.id FROM loans l JOIN applications a ON a.id = l.application_id WHERE a.product_id IS NULL OR a.product_id <> l.product_id');
  expect(unlinked).toEqual([]);
});

it('SMS of both purposes were sent by the console provider, none dated after now', async () => {
  expect(await count(t, 'sms_messages', "status = 'sent' AND purpose = 'repayment_due'")).toBeGreaterThan(0);
  expect(await count(t, 'sms_messages', "status = 'sent' AND purpose = 'overdue'")).toBeGreaterThan(0);
  const sent = await rows(t, "SELECT sent_at, provider, provider_code FROM sms_messages WHERE status = 'sent'");
  for (const s of sent) {
    expect(new Date(String(s.sent_at)).getTime()).toBeLessThanOrEqual(Date.now());
    expect(s.provider).toBe('console');
  }
});

it('contracts 已签署 (customer 已签约), 待确认 and 待签署', async () => {
  const cs = await rows(t, 'SELECT c.status, cu.stage FROM contracts c JOIN customers cu ON cu.id = c.customer_id ORDER BY c.id');
  expect(cs.map((c) => [c.status, c.stage])).toEqual([
    ['signed', 'signed'],
    ['awaiting_confirmation', 'under_approval'],
    ['generated', 'under_approval'],
  ]);
  const [sig] = await rows(t, "SELECT s.uploaded_by, s.confirmed_by FROM contract_signatures s WHERE s.status = 'confirmed'");
  expect(sig!.confirmed_by).not.toBe(sig!.uploaded_by);
});

it('a second seed run adds nothing', async () => {
  const before = await Promise.all(['loans', 'sms_messages', 'contracts'].map((x) => count(t, x)));
  await seedDemo(t.deps, { customers: 300 });
  expect(await Promise.all(['loans', 'sms_messages', 'contracts'].map((x) => count(t, x)))).toEqual(before);
});
