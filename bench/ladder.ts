// The follow-up ladder scan over the 1,000,000-customer bench book, in dry-run (read-only) mode:
// duration, rows scanned, firings due, RSS before/after and peak. The seeded database
// (`--source`, default crm_bench_1m) is only read: its customers are copied once into
// `--db` (default crm_bench_ladder, migrated with the ladder's columns and indexes), because the
// scan needs the indexes of migration 0011 and the source is in use by others.
//
//   npx tsx bench/ladder.ts                      # copy when missing, then scan
//   npx tsx bench/ladder.ts --recopy --repeat 3
//   npx tsx bench/ladder.ts --fire 30            # also one real pass with 30 s of firing (changes the copy)
//
// Scenarios (cursor = the cutoff of the step's previous pass, as the job leaves it):
//   15min  the job's cadence: each step reads what crossed its line in the last 15 minutes (+1 h slack)
//   day    a pass after a day without one (e.g. after a weekend day or an outage)
//   week   a pass after a week without one (an outage)
//   cold   first pass ever (no cursors): the whole backlog; the 3/5-day steps stop at the next
//          step's line, the 7-day release step reads every customer idle for 7+ business days
// Each is one pass with the job's time budget (PASS_BUDGET_MS): what does not fit is left for the
// next pass. Then the cold backlog is drained pass after pass (each resuming the saved keyset
// position, as the job does every 15 minutes), with each pass's duration and RSS.
import mysql from 'mysql2/promise';
import { buildDeps } from '../server/src/app';
import { migrateUp } from '../server/src/db/migrator';
import { ladderFromDeps, PASS_BUDGET_MS } from '../server/src/modules/ladder/ladder.service';
import { stepCutoff } from '../server/src/modules/ladder/ladder.clock';
import { benchConfig, dbName, fmtInt, fmtSecs, intArg, MYSQL_ADMIN_URL, parseArgs, strArg, table } from './common';

const args = parseArgs();
const db = dbName({ db: strArg(args, 'db', 'crm_bench_ladder') });
const source = dbName({ db: strArg(args, 'source', 'crm_bench_1m') });
const repeat = intArg(args, 'repeat', 2);
const fireSecs = intArg(args, 'fire', 0);

async function copyIfNeeded() {
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  try {
    const [have] = (await admin.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [db, 'ladder_steps'])) as unknown as [{ n: number }[]];
    if (have[0]!.n > 0 && !args.recopy) return;
    const t0 = Date.now();
    await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const deps = buildDeps(benchConfig(db));
    await migrateUp(deps.db.sequelize);
    await deps.db.close();
    // Like the seeder: secondary indexes off during the load (each re-added by one sort), and one
    // transaction with unique_checks off so InnoDB bulk-loads the empty table.
    const [ix] = (await admin.query(
      "SELECT index_name AS name, non_unique AS nonUnique, GROUP_CONCAT(CONCAT('`', column_name, '`') ORDER BY seq_in_index) AS cols FROM information_schema.statistics WHERE table_schema = ? AND table_name = 'customers' AND index_name <> 'PRIMARY' GROUP BY index_name, non_unique",
      [db],
    )) as unknown as [{ name: string; nonUnique: number; cols: string }[]];
    await admin.query(`ALTER TABLE \`${db}\`.customers ${ix.map((i) => `DROP INDEX \`${i.name}\``).join(', ')}`);
    await admin.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
    for (const t of ['departments', 'users', 'customers']) {
      const [cols] = (await admin.query(
        'SELECT s.column_name AS c FROM information_schema.columns s JOIN information_schema.columns d ON d.table_schema = ? AND d.table_name = s.table_name AND d.column_name = s.column_name WHERE s.table_schema = ? AND s.table_name = ? ORDER BY s.ordinal_position',
        [db, source, t],
      )) as unknown as [{ c: string }[]];
      const list = cols.map((r) => `\`${r.c}\``).join(', ');
      console.log(`copying ${source}.${t} → ${db}.${t} …`);
      await admin.query('START TRANSACTION');
      await admin.query(`INSERT INTO \`${db}\`.\`${t}\` (${list}) SELECT ${list} FROM \`${source}\`.\`${t}\``);
      await admin.query('COMMIT');
    }
    console.log('re-adding the customers indexes …');
    await admin.query(`ALTER TABLE \`${db}\`.customers ${ix.map((i) => `ADD ${i.nonUnique ? 'INDEX' : 'UNIQUE INDEX'} \`${i.name}\` (${i.cols})`).join(', ')}`);
    await admin.query(`ANALYZE TABLE \`${db}\`.customers`);
    console.log(`copied in ${fmtSecs(Date.now() - t0)}`);
  } finally {
    await admin.end();
  }
}

function mb(n: number) {
  return `${(n / 1048576).toFixed(0)} MB`;
}

const STEP_RESET = { sweepFrom: null, sweepTo: null, sweepColumn: null, sweepAfterAt: null, sweepAfterId: null };

async function main() {
  await copyIfNeeded();
  const deps = buildDeps(benchConfig(db));
  await migrateUp(deps.db.sequelize); // a copy made before a later migration
  const ladder = ladderFromDeps(deps);
  const { LadderStep, Customer } = deps.db.models;
  const now = Date.now();
  const total = await Customer.count();
  const steps = await LadderStep.findAll();
  const rows: (string | number)[][] = [];
  const measure = async (label: string, opts: Parameters<typeof ladder.run>[0] = {}) => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const t0 = performance.now();
    const r = await ladder.run({ now, dryRun: true, ignoreQuietHours: true, ...opts });
    const took = performance.now() - t0;
    clearInterval(sampler);
    const after = process.memoryUsage().rss;
    const perStep = r.steps.map((s) => `${s.code}:${s.scanned}/${s.due}${s.pending ? '…' : ''}`).join(' ');
    rows.push([label, `${took.toFixed(0)} ms`, fmtInt(r.scanned), fmtInt(r.fired), r.pending ? 'yes' : 'no', perStep, mb(before), mb(after), mb(Math.max(peak, after))]);
    return { r, took, peak: Math.max(peak, after) };
  };
  const setCursors = async (since: number | null) => {
    for (const s of steps) {
      await s.update({ ...STEP_RESET, scannedTo: since === null ? null : new Date(stepCutoff(now - since, { value: s.waitValue, unit: s.waitUnit })) });
    }
  };
  // Single passes with the job's budget (cursors reset before each, dry run leaves them).
  const scenarios: [string, number | null][] = [['15min', 15 * 60_000], ['day', 86_400_000], ['week', 7 * 86_400_000], ['cold', null]];
  for (const [name, since] of scenarios) {
    await setCursors(since);
    for (let i = 0; i < repeat; i++) await measure(`${name} #${i + 1}`);
  }
  // The cold backlog drained by successive passes, each resuming the saved position (dry run that
  // persists its cursors), then the first recurring pass after it.
  await setCursors(null);
  let passes = 0;
  let worst = 0;
  let scanned = 0;
  let due = 0;
  let peak = 0;
  const t0 = performance.now();
  for (;;) {
    passes++;
    const m = await measure(`drain pass ${passes}`, { persist: true });
    worst = Math.max(worst, m.took);
    scanned += m.r.scanned;
    due += m.r.fired;
    peak = Math.max(peak, m.peak);
    if (!m.r.pending || passes >= 200) break;
  }
  const drainMs = performance.now() - t0;
  if (passes > 6) rows.splice(rows.length - passes + 3, passes - 6, ['…', '', '', '', '', '', '', '', '']);
  await measure('after drain (15 min later)', { now: now + 15 * 60_000, persist: true });
  // --fire S: one real pass (firings written: messages, tasks, releases) with S seconds of firing,
  // from a cold start, for the firing rate. It changes the copy: run with --recopy afterwards.
  let fireLine = '';
  if (fireSecs > 0) {
    await setCursors(null);
    const t1 = performance.now();
    const r = await ladder.run({ now, ignoreQuietHours: true, fireBudgetMs: fireSecs * 1000 });
    const took = performance.now() - t1;
    const fireMs = r.steps.reduce((a, s) => a + s.fireMs, 0);
    const scanMs = r.steps.reduce((a, s) => a + s.scanMs, 0);
    fireLine = `\nreal pass (firing budget ${fireSecs} s): ${fmtInt(r.fired)} firings in ${fmtSecs(took)} (scan ${scanMs} ms, firing ${fmtSecs(fireMs)}: ${(r.fired / (fireMs / 1000)).toFixed(0)} firings/s), ${r.failed} failed; the copy now holds these firings (use --recopy next time)`;
  }
  console.log(`\nladder scan (dry run, pass budget ${PASS_BUDGET_MS} ms) over ${fmtInt(total)} customers in ${db} (copied from ${source}), now = ${new Date(now).toISOString()}\n`);
  console.log(table(['scenario', 'duration', 'rows scanned', 'firings due', 'backlog left', 'per step scanned/due (… = resumed next pass)', 'RSS before', 'RSS after', 'RSS peak'], rows));
  if (fireLine) console.log(fireLine);
  console.log(`\ncold backlog drained in ${passes} passes (${fmtSecs(drainMs)} of scanning, longest pass ${worst.toFixed(0)} ms, peak RSS ${mb(peak)}): ${fmtInt(scanned)} rows read, ${fmtInt(due)} firings due`);
  await deps.db.close();
}

await main();
