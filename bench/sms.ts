// Repayment SMS reminders (C18) over a book of N active loans (12 monthly installments each,
// disbursed on spread-out days, so about a tenth have an installment in the 3-day window), on
// MySQL: the reminder scan (first run queues, a rerun queues nothing), one sender pass with the
// console provider (nothing leaves the machine; every row is claimed, decrypted and updated as with a
// real provider, minus the network), and RSS. Scratch database `--db` (default crm_bench_sms),
// recreated on every run.
//
//   npx tsx bench/sms.ts --loans 100000 --send 2000
import mysql from 'mysql2/promise';
import pino from 'pino';
import { buildDeps } from '../server/src/app';
import { migrateUp } from '../server/src/db/migrator';
import { seedDemo } from '../sql/seeds/demo';
import { addDays } from '../server/src/contracts/dates';
import { createSmsService } from '../server/src/modules/sms/sms.service';
import { createSmsReminders } from '../server/src/modules/sms/sms.reminders';
import { benchConfig, dbName, fmtInt, fmtSecs, intArg, MYSQL_ADMIN_URL, parseArgs, prng, strArg, table } from './common';

const args = parseArgs();
const db = dbName({ db: strArg(args, 'db', 'crm_bench_sms') });
const N = intArg(args, 'loans', 100_000);
const SEND = intArg(args, 'send', 2_000);
const TODAY = '2026-11-23';
const NOW = Date.parse(`${TODAY}T08:05:00+08:00`);

async function seed() {
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const deps = buildDeps(benchConfig(db), { log: pino({ level: 'silent' }) });
  await migrateUp(deps.db.sequelize);
  await seedDemo(deps, { customers: 0 });
  const owner = (await deps.db.models.User.findOne({ where: { name: '张伟' } }))!.id;
  const rand = prng(20261123);
  const t0 = Date.now();
  const conn = await mysql.createConnection(`${MYSQL_ADMIN_URL}/${db}`);
  const BATCH = 2_000;
  const enc = deps.crypto.encrypt('13800138000'); // one ciphertext for all: the bench measures the pipeline, not AES
  for (let from = 1; from <= N; from += BATCH) {
    const customers: unknown[][] = [];
    const loans: unknown[][] = [];
    const inst: unknown[][] = [];
    for (let id = from; id < Math.min(from + BATCH, N + 1); id++) {
      const phone = `138${String(id).padStart(8, '0')}`; // the blind index is unique per customer
      customers.push([id, `客户${id}`, enc, deps.crypto.blindIndex('phone', phone), phone.slice(-4), 'douyin', 'repaying', owner, new Date(), new Date(), new Date()]);
      const disbursed = addDays(TODAY, -Math.floor(rand() * 330));
      const principal = (5 + Math.floor(rand() * 95)) * 1_000_000;
      const per = Math.floor(principal / 12);
      loans.push([id, `LB${id}`, id, id, id, owner, 'douyin', `B${id}`, principal, 120_000, 10_000, 12, 'equal_principal', disbursed, addDays(disbursed, 30), addDays(disbursed, 360), 'active', principal, 0, 'current', 1, new Date(), new Date()]);
      for (let k = 1; k <= 12; k++) {
        const due = addDays(disbursed, 30 * k);
        const paid = due < TODAY;
        inst.push([id, k, due, per, Math.round(per / 100), paid ? per : 0, paid ? Math.round(per / 100) : 0, paid ? 'paid' : 'pending', new Date(), new Date()]);
      }
    }
    await conn.query('INSERT INTO customers (id, name, phone_enc, phone_hash, phone_last4, channel, stage, owner_id, stage_changed_at, created_at, updated_at) VALUES ?', [customers]);
    await conn.query('INSERT INTO loans (id, loan_no, application_id, live_application_id, customer_id, owner_id, channel, lender_loan_no, principal_fen, annual_rate_ppm, monthly_rate_ppm, term_months, repayment_method, disbursed_on, first_due_on, maturity_on, status, outstanding_principal_fen, days_past_due, overdue_bucket, created_by, created_at, updated_at) VALUES ?', [loans]);
    await conn.query('INSERT INTO installments (loan_id, seq, due_on, principal_fen, interest_fen, paid_principal_fen, paid_interest_fen, status, created_at, updated_at) VALUES ?', [inst]);
  }
  await conn.end();
  await deps.db.close();
  console.log(`seeded ${fmtInt(N)} customers and loans × 12 installments in ${fmtSecs(Date.now() - t0)}`);
}

async function measure<T>(fn: () => Promise<T>) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = Date.now();
  const r = await fn();
  const ms = Date.now() - t0;
  clearInterval(timer);
  const mb = (b: number) => `${Math.round(b / 1024 / 1024)}`;
  return { r, ms, rss: `${mb(before)} / ${mb(peak)} / ${mb(process.memoryUsage().rss)}` };
}

async function main() {
  await seed();
  const rows: (string | number)[][] = [];
  let clock = NOW;
  const deps = buildDeps(benchConfig(db), { log: pino({ level: 'silent' }), bot: { now: () => clock } });
  const sms = createSmsService(deps);
  for (const label of ['first scan (08:05)', 'rerun (09:05)']) {
    const m = await measure(() => createSmsReminders(deps, sms).scan());
    rows.push([label, fmtInt(m.r.due.queued + m.r.overdue.queued), fmtInt(m.r.officersNotified), fmtSecs(m.ms), m.rss]);
    clock += 3_600_000;
  }
  const queued = await deps.db.models.SmsMessage.count();
  const m = await measure(() => sms.sendDue({ limit: SEND }));
  rows.push([`send pass (limit ${fmtInt(SEND)})`, `${fmtInt(m.r.sent)} sent`, '', fmtSecs(m.ms), m.rss]);
  await deps.db.close();
  console.log(`\nSMS reminders over ${fmtInt(N)} active loans (${fmtInt(queued)} installments in the 3-day window), MySQL ${db}`);
  console.log(table(['run', 'SMS queued / sent', 'officer digests', 'time', 'RSS MB before / peak / after'], rows));
  console.log(`send: ${(m.ms / Math.max(1, m.r.sent)).toFixed(2)} ms per message without the provider's network time`);
}

await main();
