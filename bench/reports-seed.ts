// Reports benchmark seeder (issue #7): its own database (crm_bench_reports, never crm_bench_1m)
// with 1,000,000 customers and 10,000,000 follow-ups loaded by bench/seed.ts, then 200,000
// applications (with their approval tasks and trail) and 100,000 loans (with schedules, the
// disbursement and the payments made so far) bulk-loaded here straight through mysql2, then the
// report rollups rebuilt from it all exactly as `npm run reports:rebuild` does.
//
//   npx tsx bench/reports-seed.ts [--db crm_bench_reports] [--customers 1000000] [--followups 10]
//                                 [--applications 200000] [--loans 100000] [--skip-base] [--skip-rebuild]
//
// --skip-base keeps the customers and follow-ups already in the database (re-adds applications and loans).
import mysql from 'mysql2/promise';
import { buildDeps } from '../server/src/app';
import { addDays, shanghaiDate } from '../server/src/contracts/dates';
import type { Stage } from '../server/src/contracts/stages';
import { createRollupService } from '../server/src/modules/reports/rollup.service';
import { benchConfig, dbName, fmtInt, fmtSecs, intArg, MYSQL_ADMIN_URL, parseArgs, prng, table } from './common';
import { seed } from './seed';

const DAY = 86_400_000;
const PRODUCTS = [
  { code: 'HOUSE', name: '房抵贷', type: 'house', min: 50_000_00, max: 5_000_000_00 },
  { code: 'CAR', name: '车抵贷', type: 'vehicle', min: 5_000_00, max: 500_000_00 },
  { code: 'CREDIT', name: '信用贷', type: 'credit', min: 1_000_00, max: 300_000_00 },
  { code: 'POLICY', name: '保单贷', type: 'policy', min: 5_000_00, max: 500_000_00 },
  { code: 'BIZ', name: '经营贷', type: 'business', min: 50_000_00, max: 3_000_000_00 },
];
const LOAN_STAGES: Stage[] = ['disbursed', 'repaying', 'settled', 'bad_debt'];

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, as Sequelize stores DATETIME(3). */
const dt = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
const q = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

/** Multi-row INSERTs of `per` rows each. */
async function insert(conn: mysql.Connection, tableName: string, cols: string[], rows: (string | number | null)[][], per = 5000) {
  for (let i = 0; i < rows.length; i += per) {
    const values = rows.slice(i, i + per).map((r) => `(${r.map(q).join(',')})`).join(',');
    await conn.query(`INSERT INTO ${tableName} (${cols.join(',')}) VALUES ${values}`);
  }
}

function bucketOf(days: number) {
  return days <= 0 ? 'current' : days <= 30 ? 'M1' : days <= 60 ? 'M2' : days <= 90 ? 'M3' : 'M3+';
}

export async function seedReports(argv: string[] = process.argv.slice(2)) {
  const args = parseArgs(argv);
  const db = dbName({ db: String(args.db ?? 'crm_bench_reports') });
  if (db === 'crm_bench_1m') throw new Error('crm_bench_1m belongs to the list benchmark; use your own database');
  const N = intArg(args, 'customers', 1_000_000);
  const F = intArg(args, 'followups', 10);
  const A = intArg(args, 'applications', 200_000);
  const L = intArg(args, 'loans', 100_000);
  const t0 = Date.now();
  if (!args['skip-base']) await seed(['--db', db, '--customers', String(N), '--followups', String(F)]);
  const tBase = Date.now();

  const conn = await mysql.createConnection({ uri: `${MYSQL_ADMIN_URL}/${db}`, multipleStatements: true });
  const rand = prng(7_2026);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const now = Date.now();
  const today = shanghaiDate(new Date(now));
  try {
    await conn.query('SET unique_checks = 0, foreign_key_checks = 0');
    for (const t of ['loan_allocations', 'loan_entries', 'installments', 'loans', 'application_actions', 'approval_tasks', 'applications']) await conn.query(`DELETE FROM ${t}`);
    await conn.query("DELETE FROM products WHERE code IN ('HOUSE','CAR','CREDIT','POLICY','BIZ')");
    const stamp = dt(now);
    await insert(conn, 'products', ['code', 'name', 'lender_kind', 'lender_name', 'type', 'rate_min_ppm', 'rate_max_ppm', 'term_min_months', 'term_max_months', 'amount_min_fen', 'amount_max_fen', 'repayment_methods', 'required_documents', 'enabled', 'sort_order', 'created_at', 'updated_at'],
      PRODUCTS.map((p, i) => [p.code, p.name, 'bank', '压测银行', p.type, 60_000, 180_000, 6, 60, p.min, p.max, '["equal_installment"]', '[]', 1, i, stamp, stamp]));
    const [prodRows] = (await conn.query('SELECT id, name FROM products')) as unknown as [{ id: number; name: string }[]];
    const productId = new Map(prodRows.map((p) => [p.name, Number(p.id)]));
    const [flows] = (await conn.query('SELECT id, current_version FROM approval_flows WHERE is_default = 1 LIMIT 1')) as unknown as [{ id: number }[]];
    const flowId = flows[0] ? Number(flows[0].id) : null;
    const [[risk]] = (await conn.query("SELECT id FROM users WHERE role = 'risk' ORDER BY id LIMIT 1")) as unknown as [{ id: number }[]];
    const [leads] = (await conn.query("SELECT id, department_id FROM users WHERE role = 'team_lead'")) as unknown as [{ id: number; department_id: number }[]];
    const leadOf = new Map(leads.map((l) => [Number(l.department_id), Number(l.id)]));

    // Candidates: owned customers who got as far as an application (or were lost after one).
    const [cands] = (await conn.query(
      "SELECT id, owner_id, department_id, channel, created_at, stage FROM customers WHERE owner_id IS NOT NULL AND stage IN ('under_approval','signed','disbursed','repaying','settled','bad_debt','lost') ORDER BY id",
    )) as unknown as [{ id: number; owner_id: number; department_id: number; channel: string; created_at: Date; stage: Stage }[]];
    const chosen = cands.filter(() => rand() < (A * 1.02) / cands.length).slice(0, A);
    console.log(`\n== reports data: ${fmtInt(chosen.length)} applications, up to ${fmtInt(L)} loans into ${db} ==`);

    const apps: (string | number | null)[][] = [];
    const tasks: (string | number | null)[][] = [];
    const actions: (string | number | null)[][] = [];
    const loanApps: { appId: number; c: (typeof cands)[number]; decidedMs: number; amount: number; product: string }[] = [];
    let appId = 0;
    for (const c of chosen) {
      appId++;
      const created = new Date(c.created_at).getTime();
      const submittedMs = Math.min(now - 3 * DAY, created + (1 + rand() * 30) * DAY);
      const product = pick(PRODUCTS);
      const amount = Math.round((product.min + rand() * (product.max - product.min)) / 100_00) * 100_00;
      const outcome = c.stage === 'under_approval' ? 'pending' : c.stage === 'lost' ? (rand() < 0.7 ? 'rejected' : 'withdrawn') : 'approved';
      const lead = leadOf.get(Number(c.department_id)) ?? Number(c.owner_id);
      const t1 = submittedMs + (0.2 + rand() * rand() * 48) * 3_600_000; // lead: minutes to two days
      const t2 = t1 + (0.5 + rand() * rand() * 96) * 3_600_000; // risk: the slow node
      let decidedMs: number | null = null;
      tasks.push([appId, 1, 'lead', '团队主管审批', lead, outcome === 'pending' ? 'pending' : outcome === 'rejected' && rand() < 0.5 ? 'rejected' : outcome === 'withdrawn' ? 'cancelled' : 'approved', dt(submittedMs), outcome === 'pending' || outcome === 'withdrawn' ? null : dt(t1), dt(submittedMs), dt(t1)]);
      const firstRejected = tasks[tasks.length - 1][5] === 'rejected';
      if (outcome === 'approved' || (outcome === 'rejected' && !firstRejected)) {
        tasks.push([appId, 1, 'risk', '风控审核', Number(risk.id), outcome === 'approved' ? 'approved' : 'rejected', dt(t1), dt(t2), dt(t1), dt(t2)]);
        decidedMs = t2;
      } else if (outcome === 'rejected') decidedMs = t1;
      actions.push([appId, 1, 'submit', Number(c.owner_id), dt(submittedMs)]);
      if (outcome === 'withdrawn') actions.push([appId, 1, 'withdraw', Number(c.owner_id), dt(t1)]);
      apps.push([appId, Number(c.id), Number(c.owner_id), Number(c.department_id), outcome, product.name, amount, 12, '经营周转', flowId, 1, dt(submittedMs), decidedMs ? dt(decidedMs) : null, dt(submittedMs), dt(decidedMs ?? submittedMs)]);
      if (outcome === 'approved' && LOAN_STAGES.includes(c.stage) && loanApps.length < L) loanApps.push({ appId, c, decidedMs: decidedMs!, amount, product: product.name });
    }
    const tA = Date.now();
    await insert(conn, 'applications', ['id', 'customer_id', 'applicant_id', 'department_id', 'status', 'product', 'amount_fen', 'term_months', 'purpose', 'flow_id', 'round', 'submitted_at', 'decided_at', 'created_at', 'updated_at'], apps);
    await insert(conn, 'approval_tasks', ['application_id', 'round', 'node_id', 'node_name', 'assignee_id', 'status', 'created_at', 'decided_at', 'due_at', 'updated_at'], tasks);
    await insert(conn, 'application_actions', ['application_id', 'round', 'action', 'actor_id', 'created_at'], actions);
    console.log(`  ${fmtInt(apps.length)} applications, ${fmtInt(tasks.length)} approval tasks, ${fmtInt(actions.length)} trail entries in ${fmtSecs(Date.now() - tA)}`);

    // Loans: 12 monthly installments (principal / 12 + 1 % interest a month); paid on time mostly,
    // the rest unpaid from some month on (overdue), settled and written-off ones per customer stage.
    const tL = Date.now();
    const loans: (string | number | null)[][] = [];
    const insts: (string | number | null)[][] = [];
    const entries: (string | number | null)[][] = [];
    let loanId = 0;
    let instId = 0;
    for (const la of loanApps) {
      loanId++;
      const disbursedOn = shanghaiDate(new Date(Math.min(now - DAY, la.decidedMs + (1 + rand() * 6) * DAY)));
      const principal = la.amount;
      const per = Math.floor(principal / 12);
      const stopsAt = la.c.stage === 'bad_debt' ? 1 + Math.floor(rand() * 6) : rand() < 0.12 ? 1 + Math.floor(rand() * 11) : 99; // first unpaid installment
      let outstanding = principal;
      let firstUnpaidDue: string | null = null;
      for (let s = 1; s <= 12; s++) {
        instId++;
        const due = addDays(disbursedOn, 30 * s);
        const p = s === 12 ? principal - per * 11 : per;
        const i = Math.round(outstanding / 100);
        const paid = due < today && s < stopsAt;
        if (paid) outstanding -= p;
        else if (due < today && !firstUnpaidDue) firstUnpaidDue = due;
        insts.push([instId, loanId, s, due, p, i, paid ? p : 0, paid ? i : 0, paid ? 'paid' : due < today ? 'overdue' : 'pending', paid ? due : null, dt(now), dt(now)]);
        if (paid) entries.push([loanId, 'payment', due, p + i, p, i, 'import', dt(now)]);
      }
      const settled = la.c.stage === 'settled' && !firstUnpaidDue;
      const dpd = firstUnpaidDue ? Math.round((Date.parse(today) - Date.parse(firstUnpaidDue)) / DAY) : 0;
      const status = la.c.stage === 'bad_debt' ? 'written_off' : settled ? 'settled' : 'active';
      entries.push([loanId, 'disbursement', disbursedOn, principal, principal, 0, 'manual', dt(now)]);
      loans.push([loanId, `L${String(loanId).padStart(10, '0')}`, la.appId, la.appId, Number(la.c.id), productId.get(la.product) ?? null, Number(la.c.owner_id), Number(la.c.department_id), la.c.channel, `JJ${loanId}`, principal, 120_000, 10_000, 12, 'equal_principal', disbursedOn, addDays(disbursedOn, 30), addDays(disbursedOn, 360), status, settled ? 0 : outstanding, dpd, status === 'active' ? bucketOf(dpd) : 'current', firstUnpaidDue, 1, dt(now), dt(now)]);
    }
    await insert(conn, 'loans', ['id', 'loan_no', 'application_id', 'live_application_id', 'customer_id', 'product_id', 'owner_id', 'department_id', 'channel', 'lender_loan_no', 'principal_fen', 'annual_rate_ppm', 'monthly_rate_ppm', 'term_months', 'repayment_method', 'disbursed_on', 'first_due_on', 'maturity_on', 'status', 'outstanding_principal_fen', 'days_past_due', 'overdue_bucket', 'overdue_since', 'created_by', 'created_at', 'updated_at'], loans);
    await insert(conn, 'installments', ['id', 'loan_id', 'seq', 'due_on', 'principal_fen', 'interest_fen', 'paid_principal_fen', 'paid_interest_fen', 'status', 'paid_on', 'created_at', 'updated_at'], insts);
    await insert(conn, 'loan_entries', ['loan_id', 'kind', 'occurred_on', 'amount_fen', 'principal_fen', 'interest_fen', 'source', 'created_at'], entries);
    console.log(`  ${fmtInt(loans.length)} loans, ${fmtInt(insts.length)} installments, ${fmtInt(entries.length)} ledger entries in ${fmtSecs(Date.now() - tL)}`);
    await conn.query('ANALYZE TABLE applications, approval_tasks, application_actions, loans, installments, loan_entries');
  } finally {
    await conn.end();
  }

  const tData = Date.now();
  if (!args['skip-rebuild']) {
    const deps = buildDeps(benchConfig(db));
    let last = 0;
    console.log('  rebuilding the report rollups (npm run reports:rebuild) …');
    const counts = await createRollupService(deps).rebuild({
      batch: 5000,
      onProgress: (what, done) => {
        if (Date.now() - last > 15_000) (last = Date.now()), console.log(`    ${what}: ${fmtInt(done)}`);
      },
    });
    const [sizes] = (await deps.db.sequelize.query(
      "SELECT table_name AS t, table_rows AS n, ROUND(data_length / 1048576) AS data_mb, ROUND(index_length / 1048576) AS index_mb FROM information_schema.tables WHERE table_schema = DATABASE() AND (table_name LIKE 'report\\_%') ORDER BY table_name",
    )) as [{ t: string; n: number; data_mb: number; index_mb: number }[], unknown];
    console.log(`  rollups rebuilt in ${fmtSecs(Date.now() - tData)}: ${JSON.stringify(counts)}`);
    console.log(table(['rollup table', '≈rows', 'data MB', 'index MB'], sizes.map((s) => [s.t, fmtInt(Number(s.n)), s.data_mb, s.index_mb])));
    await deps.db.close();
  }
  console.log(`\nreports bench data ready in ${fmtSecs(Date.now() - t0)} (base ${fmtSecs(tBase - t0)}, applications + loans ${fmtSecs(tData - tBase)}, rollups ${fmtSecs(Date.now() - tData)})`);
}

if (process.argv[1]?.endsWith('bench/reports-seed.ts')) {
  seedReports().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
