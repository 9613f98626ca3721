// Reports benchmark (issue #7, C21): the 数据 page's API calls over the rollups, through HTTP, and
// the same numbers computed from the raw tables, on the reports bench database (seed it first:
// `npx tsx bench/reports-seed.ts`, 1M customers / 10M follow-ups / 200k applications / 100k loans).
//
//   npx tsx bench/reports.ts [--db crm_bench_reports] [--iterations 40] [--concurrency 4]
//                            [--raw-iterations 1] [--raw-all] [--skip-raw] [--only overview,funnel,…]
//
// The app runs in this process; requests go over HTTP with `concurrency` loops in flight, so the
// figures include HTTP, session, validation, scope and JSON. Each scenario is one dashboard call
// for one viewer and period; p50/p95/max over `iterations` requests after one warm-up. The raw
// column runs an equivalent query over the raw tables straight through mysql2 (`raw-iterations`
// times, one at a time: they are slow; for the 本月 scenarios only unless --raw-all). To add a scenario (e.g. the daily summary), push onto
// SCENARIOS: a label, the viewer, the API path, optionally its raw SQL.
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import { buildDeps, createApp } from '../server/src/app';
import { addDays, shanghaiDate } from '../server/src/contracts/dates';
import { SESSION_COOKIE } from '../server/src/modules/auth/session';
import { benchConfig, dbName, fmtInt, intArg, MYSQL_ADMIN_URL, parseArgs, strArg, table } from './common';

export interface Viewer { key: 'director' | 'branch' | 'lead' | 'officer'; id: number; name: string; departmentIds: number[] }
export interface ReportScenario {
  key: string;
  label: string;
  viewer: Viewer['key'];
  path: string;
  /** The same number(s) from the raw tables; `scope` is the SQL condition on an owner/department pair. */
  raw?: (scope: (dept: string, owner: string) => string) => string[];
  /** Run the raw comparison by default (false: only with --raw-all). */
  rawToo?: boolean;
}

const API = '/api/v1';
const TARGET_P95_MS = 300;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
const ms = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString());

async function signIn(base: string, userId: number): Promise<string> {
  const res = await fetch(`${base}${API}/auth/dev-login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' }, body: JSON.stringify({ userId }) });
  if (res.status !== 200) throw new Error(`dev-login as #${userId} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error('dev-login set no session cookie');
  return cookie.split(';')[0];
}

/** Requests `path` `n` times from `concurrency` loops; latencies in ms, sorted. */
async function drive(base: string, cookie: string, path: string, n: number, concurrency: number): Promise<{ lat: number[]; errors: number; bytes: number }> {
  const lat: number[] = [];
  let errors = 0;
  let bytes = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const t = performance.now();
        const res = await fetch(`${base}${path}`, { headers: { cookie, 'x-requested-with': 'XMLHttpRequest', accept: 'application/json' } });
        const body = await res.text();
        lat.push(performance.now() - t);
        bytes = body.length;
        if (res.status !== 200) errors++;
      }
    }),
  );
  return { lat: lat.sort((a, b) => a - b), errors, bytes };
}

export async function benchReports(argv: string[] = process.argv.slice(2), extra: (v: Record<Viewer['key'], Viewer>) => ReportScenario[] = () => []) {
  const args = parseArgs(argv);
  const db = dbName({ db: strArg(args, 'db', 'crm_bench_reports') });
  const iterations = intArg(args, 'iterations', 40);
  const concurrency = Math.max(1, intArg(args, 'concurrency', 4));
  const rawIterations = intArg(args, 'raw-iterations', 1);
  const only = strArg(args, 'only', '').split(',').filter(Boolean);

  const deps = buildDeps(benchConfig(db));
  const server = http.createServer(createApp(deps).callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pool = mysql.createPool({ uri: `${MYSQL_ADMIN_URL}/${db}`, connectionLimit: 2 });

  const count = async (t: string) => Number(((await pool.query(`SELECT COUNT(*) AS n FROM ${t}`)) as unknown as [{ n: number }[]])[0][0].n);
  const sizes = { customers: await count('customers'), follow_ups: await count('follow_ups'), applications: await count('applications'), approval_tasks: await count('approval_tasks'), loans: await count('loans'), installments: await count('installments') };
  const [[version]] = (await pool.query('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp')) as unknown as [[{ v: string; bp: number }]];

  // Viewers: the director (everything), the busiest bench team's lead and one of its officers, a branch manager.
  const [[director]] = (await pool.query("SELECT id, name, department_id FROM users WHERE role = 'director' ORDER BY id LIMIT 1")) as unknown as [[{ id: number; name: string }]];
  const [[lead]] = (await pool.query(
    "SELECT u.id, u.name, u.department_id, COUNT(*) AS n FROM users u JOIN customers c ON c.department_id = u.department_id WHERE u.role = 'team_lead' GROUP BY u.id, u.name, u.department_id ORDER BY n DESC LIMIT 1",
  )) as unknown as [[{ id: number; name: string; department_id: number }]];
  const [[officer]] = (await pool.query("SELECT owner_id AS id, COUNT(*) AS n FROM customers WHERE department_id = ? GROUP BY owner_id ORDER BY n DESC LIMIT 1", [lead.department_id])) as unknown as [[{ id: number }]];
  const [[officerRow]] = (await pool.query('SELECT id, name, department_id FROM users WHERE id = ?', [officer.id])) as unknown as [[{ id: number; name: string; department_id: number }]];
  const [[branch]] = (await pool.query("SELECT id, name, department_id FROM users WHERE role = 'branch_manager' ORDER BY id LIMIT 1")) as unknown as [[{ id: number; name: string; department_id: number }]];
  const subtree = async (deptId: number) => ((await pool.query("SELECT id FROM departments WHERE path LIKE CONCAT((SELECT path FROM departments WHERE id = ?), '%')", [deptId])) as unknown as [{ id: number }[]])[0].map((r) => Number(r.id));
  const viewers: Record<Viewer['key'], Viewer> = {
    director: { key: 'director', id: director.id, name: director.name, departmentIds: [] },
    branch: { key: 'branch', id: branch.id, name: branch.name, departmentIds: await subtree(branch.department_id) },
    lead: { key: 'lead', id: lead.id, name: lead.name, departmentIds: await subtree(lead.department_id) },
    officer: { key: 'officer', id: officerRow.id, name: officerRow.name, departmentIds: [] },
  };
  const cookies = Object.fromEntries(await Promise.all(Object.values(viewers).map(async (v) => [v.key, await signIn(base, v.id)] as const))) as Record<Viewer['key'], string>;
  const scopeOf = (v: Viewer) => (dept: string, owner: string) =>
    v.key === 'director' ? '1 = 1' : v.key === 'officer' ? `${owner} = ${v.id}` : `${dept} IN (${v.departmentIds.join(',')})`;

  const today = shanghaiDate();
  const month = { from: `${today.slice(0, 8)}01`, to: today, label: '本月' };
  const d30 = { from: addDays(today, -29), to: today, label: '近30天' };
  const year = { from: addDays(today, -364), to: today, label: '近一年' };
  const p = (x: { from: string; to: string }) => `from=${x.from}&to=${x.to}`;
  const utc = (day: string) => new Date(`${day}T00:00:00+08:00`).toISOString().replace('T', ' ').slice(0, 23);
  const range = (col: string, x: { from: string; to: string }) => `${col} >= '${utc(x.from)}' AND ${col} < '${utc(addDays(x.to, 1))}'`;
  const dayRange = (col: string, x: { from: string; to: string }) => `${col} BETWEEN '${x.from}' AND '${x.to}'`;

  const overviewRaw = (x: { from: string; to: string }) => (s: (d: string, o: string) => string) => [
    `SELECT COUNT(*) FROM customers c WHERE ${range('c.created_at', x)} AND ${s('c.department_id', 'c.owner_id')}`,
    `SELECT COUNT(*), COUNT(DISTINCT f.customer_id, f.user_id, DATE(f.created_at + INTERVAL 8 HOUR)) FROM follow_ups f JOIN users u ON u.id = f.user_id WHERE ${range('f.created_at', x)} AND ${s('u.department_id', 'f.user_id')}`,
    `SELECT COUNT(*) FROM application_actions x JOIN applications a ON a.id = x.application_id WHERE x.action IN ('submit','resubmit') AND ${range('x.created_at', x)} AND ${s('a.department_id', 'a.applicant_id')}`,
    `SELECT SUM(a.status = 'approved'), SUM(a.status = 'rejected') FROM applications a WHERE ${range('a.decided_at', x)} AND ${s('a.department_id', 'a.applicant_id')}`,
    `SELECT COUNT(*), SUM(principal_fen) FROM loans l WHERE l.status <> 'reversed' AND ${dayRange('l.disbursed_on', x)} AND ${s('l.department_id', 'l.owner_id')}`,
    `SELECT SUM(e.amount_fen) FROM loan_entries e JOIN loans l ON l.id = e.loan_id WHERE e.kind IN ('payment','early_settlement') AND e.reversed_by_entry_id IS NULL AND l.status <> 'reversed' AND ${dayRange('e.occurred_on', x)} AND ${s('l.department_id', 'l.owner_id')}`,
    `SELECT SUM(outstanding_principal_fen) FROM loans l WHERE l.status = 'active' AND l.overdue_bucket <> 'current' AND ${s('l.department_id', 'l.owner_id')}`,
  ];
  const funnelRaw = (x: { from: string; to: string }) => (s: (d: string, o: string) => string) => [
    `SELECT c.channel, COUNT(*),
       SUM(c.stage NOT IN ('lead','lost') OR EXISTS (SELECT 1 FROM customer_stage_changes h WHERE h.customer_id = c.id AND h.to_stage NOT IN ('lead','lost'))),
       SUM(EXISTS (SELECT 1 FROM applications a WHERE a.customer_id = c.id AND a.submitted_at IS NOT NULL)),
       SUM(EXISTS (SELECT 1 FROM applications a WHERE a.customer_id = c.id AND a.status = 'approved')),
       SUM(EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id AND l.status <> 'reversed'))
     FROM customers c WHERE ${range('c.created_at', x)} AND ${s('c.department_id', 'c.owner_id')} GROUP BY c.channel`,
  ];
  const activityRaw = (x: { from: string; to: string }) => (s: (d: string, o: string) => string) => [
    `SELECT DATE(f.created_at + INTERVAL 8 HOUR) AS d, f.type, COUNT(*) FROM follow_ups f JOIN users u ON u.id = f.user_id WHERE ${range('f.created_at', x)} AND ${s('u.department_id', 'f.user_id')} GROUP BY d, f.type`,
    `SELECT DATE(c.created_at + INTERVAL 8 HOUR) AS d, COUNT(*) FROM customers c WHERE ${range('c.created_at', x)} AND ${s('c.department_id', 'c.owner_id')} GROUP BY d`,
  ];
  const loansRaw = (x: { from: string; to: string }) => (s: (d: string, o: string) => string) => [
    `SELECT DATE_FORMAT(i.due_on, '%Y-%m') AS m, SUM(i.principal_fen + i.interest_fen), SUM(i.paid_principal_fen + i.paid_interest_fen) FROM installments i JOIN loans l ON l.id = i.loan_id WHERE l.status <> 'reversed' AND ${dayRange('i.due_on', x)} AND ${s('l.department_id', 'l.owner_id')} GROUP BY m`,
    `SELECT l.overdue_bucket, COUNT(*), SUM(l.outstanding_principal_fen) FROM loans l WHERE l.status = 'active' AND ${s('l.department_id', 'l.owner_id')} GROUP BY l.overdue_bucket`,
    `SELECT l.channel, COUNT(*), SUM(l.principal_fen) FROM loans l WHERE l.status <> 'reversed' AND ${dayRange('l.disbursed_on', x)} AND ${s('l.department_id', 'l.owner_id')} GROUP BY l.channel`,
  ];
  const boardRaw = (x: { from: string; to: string }) => (s: (d: string, o: string) => string) => [
    `SELECT f.user_id, COUNT(*) AS n FROM follow_ups f JOIN users u ON u.id = f.user_id WHERE ${range('f.created_at', x)} AND ${s('u.department_id', 'f.user_id')} GROUP BY f.user_id ORDER BY n DESC LIMIT 20`,
  ];

  const SCENARIOS: ReportScenario[] = [];
  for (const [v, per] of [['director', month], ['lead', month], ['officer', month], ['director', d30], ['branch', d30], ['director', year]] as const) {
    SCENARIOS.push(
      { key: 'overview', rawToo: per === month, label: `概览 overview · ${per.label}`, viewer: v, path: `/reports/overview?${p(per)}`, raw: overviewRaw(per) },
      { key: 'funnel', rawToo: per === month, label: `漏斗 funnel by channel · ${per.label}`, viewer: v, path: `/reports/funnel?${p(per)}&by=channel`, raw: funnelRaw(per) },
      { key: 'activity', rawToo: per === month, label: `活动 activity by day · ${per.label}`, viewer: v, path: `/reports/activity?${p(per)}&granularity=${per === year ? 'month' : 'day'}`, raw: activityRaw(per) },
      { key: 'applications', label: `进件审批 applications + nodes · ${per.label}`, viewer: v, path: `/reports/applications?${p(per)}` },
      { key: 'loans', rawToo: per === month, label: `放款回款 loans · ${per.label}`, viewer: v, path: `/reports/loans?${p(per)}&granularity=${per === year ? 'month' : 'day'}`, raw: loansRaw(per) },
      { key: 'leaderboard', rawToo: per === month, label: `排行 leaderboard follow-ups · ${per.label}`, viewer: v, path: `/reports/leaderboard?${p(per)}&metric=follow_ups&by=officer`, raw: boardRaw(per) },
      { key: 'drill', label: `明细 drill follow-ups p.1 · ${per.label}`, viewer: v, path: `/reports/drill?${p(per)}&metric=follow_ups` },
    );
  }
  SCENARIOS.push(...extra(viewers));
  const run = SCENARIOS.filter((s) => only.length === 0 || only.includes(s.key));

  console.log(`\n== reports: ${base} → ${db}: ${Object.entries(sizes).map(([k, n]) => `${fmtInt(n)} ${k}`).join(', ')} ==`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}; MariaDB/MySQL ${version.v}, buffer pool ${Math.round(version.bp / 1048576)} MB`);
  console.log(`viewers: director ${viewers.director.name}; branch manager ${viewers.branch.name} (${viewers.branch.departmentIds.length} departments); team lead ${viewers.lead.name}; officer ${viewers.officer.name}`);
  console.log(`${iterations} requests per scenario, ${concurrency} in flight, after one warm-up; raw: ${args['skip-raw'] ? 'skipped' : `${rawIterations} run(s) each, one at a time`}\n`);

  const rows: (string | number)[][] = [];
  const allP95: number[] = [];
  for (const s of run) {
    const cookie = cookies[s.viewer];
    await drive(base, cookie, `${API}${s.path}`, 1, 1);
    const r = await drive(base, cookie, `${API}${s.path}`, iterations, concurrency);
    allP95.push(pct(r.lat, 95));
    let raw = '';
    if (s.raw && !args['skip-raw'] && (args['raw-all'] || s.rawToo !== false)) {
      const sqls = s.raw(scopeOf(viewers[s.viewer]));
      const lat: number[] = [];
      for (let i = 0; i < rawIterations; i++) {
        const t = performance.now();
        for (const q of sqls) await pool.query(q);
        lat.push(performance.now() - t);
      }
      lat.sort((a, b) => a - b);
      raw = `${ms(pct(lat, 50))} / ${ms(lat[lat.length - 1])}`;
    }
    rows.push([s.label, s.viewer, ms(pct(r.lat, 50)), ms(pct(r.lat, 95)), ms(r.lat[r.lat.length - 1]), r.errors, fmtInt(r.bytes), raw || '—']);
    console.log(`  ${s.label} (${s.viewer}): p95 ${ms(pct(r.lat, 95))} ms${raw ? `, raw ${raw} ms` : ''}`);
  }
  console.log(`\n${table(['dashboard call', 'viewer', 'p50 ms', 'p95 ms', 'max ms', 'errors', 'bytes', 'raw tables p50 / max ms'], rows)}`);
  const worst = Math.max(...allP95);
  console.log(`\nworst p95 ${ms(worst)} ms (target ≤ ${TARGET_P95_MS} ms: ${worst <= TARGET_P95_MS ? 'met' : 'NOT met'})`);
  await pool.end();
  server.close();
  await deps.db.close();
  return { worstP95: worst, rows };
}

if (process.argv[1]?.endsWith('bench/reports.ts')) {
  benchReports().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
