// The nightly overdue pass (C19) over a book of N active loans (12 monthly installments each, a
// share of them late), on MySQL: duration, loans written, penalty charged, RSS before / peak / after.
// Three passes: the first night (every late loan is written), a rerun the same night (nothing is
// written), and the next night (every late loan gets one more day of penalty). Loans are inserted
// straight into a scratch database (`--db`, default crm_bench_overdue), recreated on every run
// (the passes change it).
//
//   npx tsx bench/overdue.ts --loans 100000 --late 8
import mysql from 'mysql2/promise';
import { buildDeps } from '../server/src/app';
import { migrateUp } from '../server/src/db/migrator';
import { addDays } from '../server/src/contracts/dates';
import { createOverdueService } from '../server/src/modules/collections/overdue.service';
import { benchConfig, dbName, fmtInt, fmtSecs, intArg, MYSQL_ADMIN_URL, parseArgs, prng, strArg, table } from './common';

const args = parseArgs();
const db = dbName({ db: strArg(args, 'db', 'crm_bench_overdue') });
const N = intArg(args, 'loans', 100_000);
const LATE_PCT = intArg(args, 'late', 8); // % of loans with an unpaid past-due installment
const TODAY = '2026-11-23';

async function seed() {
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const deps = buildDeps(benchConfig(db));
  await migrateUp(deps.db.sequelize);
  const rand = prng(20261123);
  const t0 = Date.now();
  const conn = await mysql.createConnection(`${MYSQL_ADMIN_URL}/${db}`);
  const BATCH = 2_000;
  for (let from = 1; from <= N; from += BATCH) {
    const loans: unknown[][] = [];
    const inst: unknown[][] = [];
    for (let id = from; id < Math.min(from + BATCH, N + 1); id++) {
      const disbursed = addDays(TODAY, -30 - Math.floor(rand() * 300));
      const principal = (5 + Math.floor(rand() * 95)) * 1_000_000;
      const late = rand() * 100 < LATE_PCT;
      const per = Math.floor(principal / 12);
      loans.push([id, `LB${id}`, id, id, id, 1, 'douyin', `B${id}`, principal, 120_000, 10_000, 12, 'equal_principal', disbursed, addDays(disbursed, 30), addDays(disbursed, 360), 500, 'active', principal, 0, 'current', 1, new Date(), new Date()]);
      for (let k = 1; k <= 12; k++) {
        const due = addDays(disbursed, 30 * k);
        // Paid up to today unless late; a late loan missed its last due installment(s).
        const paid = due < TODAY && !(late && due >= addDays(TODAY, -75));
        inst.push([id, k, due, per, Math.round(per / 100), paid ? per : 0, paid ? Math.round(per / 100) : 0, paid ? 'paid' : 'pending', new Date(), new Date()]);
      }
    }
    await conn.query('INSERT INTO loans (id, loan_no, application_id, live_application_id, customer_id, product_id, channel, lender_loan_no, principal_fen, annual_rate_ppm, monthly_rate_ppm, term_months, repayment_method, disbursed_on, first_due_on, maturity_on, penalty_daily_rate_ppm, status, outstanding_principal_fen, days_past_due, overdue_bucket, created_by, created_at, updated_at) VALUES ?', [loans]);
    await conn.query('INSERT INTO installments (loan_id, seq, due_on, principal_fen, interest_fen, paid_principal_fen, paid_interest_fen, status, created_at, updated_at) VALUES ?', [inst]);
  }
  await conn.end();
  await deps.db.close();
  console.log(`seeded ${fmtInt(N)} loans × 12 installments in ${fmtSecs(Date.now() - t0)}`);
}

async function main() {
  await seed();
  const rows: (string | number)[][] = [];
  for (const [label, day] of [['first night', TODAY], ['rerun same night', TODAY], ['next night', addDays(TODAY, 1)]] as const) {
    const deps = buildDeps(benchConfig(db));
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = Date.now();
    const r = await createOverdueService(deps).run({ today: day });
    const ms = Date.now() - t0;
    clearInterval(timer);
    const mb = (b: number) => `${Math.round(b / 1024 / 1024)}`;
    rows.push([label, fmtInt(r.scanned), fmtInt(r.updated), fmtInt(r.bucketChanges), `${(r.penaltyFen / 100).toFixed(2)}`, fmtSecs(ms), `${mb(before)} / ${mb(peak)} / ${mb(process.memoryUsage().rss)}`]);
    await deps.db.close();
  }
  console.log(`\noverdue pass over ${fmtInt(N)} active loans (${LATE_PCT}% late), MySQL ${db}`);
  console.log(table(['pass', 'loans scanned', 'loans written', 'bucket changes', 'penalty 元', 'time', 'RSS MB before / peak / after'], rows));
}

await main();
