// Benchmark load: starts the app in this process against the seeded database, signs in as an
// officer with a large book and as a team lead, and drives each scenario with autocannon (in a
// child process, so the load generator does not share the app's event loop). Then it runs the
// list query's SQL, exactly as the app sent it, straight through a mysql2 pool with the same
// concurrency and prints the ratio API p95 / raw p95, and the app's CPU time per request.
// Figures only: nothing here fails a run.
//
//   npx tsx bench/load.ts [--db crm_bench] [--connections 32] [--duration 10] [--warmup 2]
//                         [--repeat 1] [--scenarios list,list-lead,search-phone,search-last4,detail,create]
//                         [--raw-pool <DB_POOL_MAX>] [--skip-raw]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import { buildDeps, createApp } from '../server/src/app';
import type { Deps } from '../server/src/deps';
import { SESSION_COOKIE } from '../server/src/modules/auth/session';
import { percentiles, type CannonJob, type Stats } from './cannon';
import {
  BENCH_DIR, benchConfig, dbName, fmtInt, intArg, keyFingerprint, LAST_SEED_FILE, MYSQL_ADMIN_URL, parseArgs, strArg, table,
} from './common';

interface Identity { id: number; name: string; role: string; cookie: string }
interface Sample { id: number; phone: string }
interface Scenario {
  key: string;
  label: string;
  who: 'officer' | 'lead';
  method: 'GET' | 'POST';
  paths: string[];
  createBodies?: boolean;
  /** SQL the app ran for one request (captured from Sequelize's query log), and how many statements. */
  sql?: string[];
}
interface RunResult { run: number; api: Record<string, Stats>; raw: Record<string, Stats>; cpuUs: Record<string, number> }

const API = '/api/v1';
const LIST_QUERY = 'stage=intent&sort=nextFollowUp&limit=20';
const TARGET_P95_MS = 50;
const TARGET_RATIO = 2.0;

function cannon(job: CannonJob): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(BENCH_DIR, 'cannon.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: { ok: boolean; stats?: Stats; error?: string }) => (m.ok ? resolve(m.stats!) : reject(new Error(m.error))));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`autocannon child exited with ${code}`)));
    child.send(job);
  });
}

/** Runs `sqls` back to back from `connections` concurrent loops on a mysql2 pool for `seconds`. */
async function rawRun(pool: mysql.Pool, sqls: string[], connections: number, seconds: number): Promise<Stats> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          for (const s of sqls) await pool.query(s);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  return percentiles(latencies, (performance.now() - t0) / 1000, { errors });
}

/** Captures the SQL the app runs while fn runs (the app is otherwise idle then): Sequelize's queries and Db.select's both log there. */
async function captureSql(deps: Deps, fn: () => Promise<unknown>): Promise<string[]> {
  const opts = (deps.db.sequelize as unknown as { options: { logging: unknown } }).options;
  const sqls: string[] = [];
  opts.logging = (s: string) => sqls.push(s.replace(/^Executing \([^)]*\): /, ''));
  try {
    await fn();
  } finally {
    opts.logging = false;
  }
  return sqls;
}

async function signIn(base: string, userId: number): Promise<string> {
  const res = await fetch(`${base}${API}/auth/dev-login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    body: JSON.stringify({ userId }),
  });
  if (res.status !== 200) throw new Error(`dev-login as #${userId} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error('dev-login set no session cookie');
  return cookie.split(';')[0];
}

/** The identities and samples to use: from bench/.last-seed.json, or looked up in the database. */
async function identities(deps: Deps, db: string) {
  type Side = { db: string; keyFingerprint: string; customers: number; officer: { id: number; name: string; book: number; sample: Sample[] }; teamLead: { id: number; name: string; book: number; sample: Sample[] } };
  let side: Side | null = null;
  if (fs.existsSync(LAST_SEED_FILE)) {
    const s = (JSON.parse(fs.readFileSync(LAST_SEED_FILE, 'utf8')) as Record<string, Side>)[db];
    if (s && s.keyFingerprint === keyFingerprint(deps.config)) side = s;
  }
  if (side) return { officer: side.officer, lead: side.teamLead, source: 'bench/.last-seed.json' };
  // No side file for this database: take the largest officer book and the team lead with most officers,
  // and decrypt a sample of phones (the benchmark runs with the seeder's keys).
  const q = async <T>(sql: string, repl: unknown[] = []) => (await deps.db.sequelize.query(sql, { replacements: repl, type: 'SELECT' })) as T[];
  const [top] = await q<{ id: number; name: string; n: number }>(
    `SELECT u.id, u.name, COUNT(*) AS n FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.role = 'officer' GROUP BY u.id, u.name ORDER BY n DESC LIMIT 1`,
  );
  const [lead] = await q<{ id: number; name: string; departmentId: number }>(
    `SELECT l.id, l.name, l.department_id AS departmentId FROM users l JOIN users o ON o.department_id = l.department_id AND o.role = 'officer'
      WHERE l.role = 'team_lead' GROUP BY l.id, l.name, l.department_id ORDER BY COUNT(*) DESC, l.id DESC LIMIT 1`,
  );
  const sample = async (where: string, repl: unknown[]) =>
    (await q<{ id: number; phoneEnc: string }>(`SELECT id, phone_enc AS phoneEnc FROM customers WHERE ${where} ORDER BY RAND() LIMIT 1000`, repl)).map((r) => ({
      id: Number(r.id),
      phone: deps.crypto.decrypt(r.phoneEnc),
    }));
  const [{ n: teamBook }] = await q<{ n: number }>('SELECT COUNT(*) AS n FROM customers WHERE department_id = ? OR owner_id = ?', [lead.departmentId, lead.id]);
  return {
    officer: { id: top.id, name: top.name, book: Number(top.n), sample: await sample('owner_id = ?', [top.id]) },
    lead: { id: lead.id, name: lead.name, book: Number(teamBook), sample: await sample('department_id = ?', [lead.departmentId]) },
    source: 'database (no matching bench/.last-seed.json)',
  };
}

function explainRows(rows: Record<string, unknown>[]): string {
  return table(
    ['table', 'type', 'key', 'key_len', 'rows', 'Extra'],
    rows.map((r) => [String(r.table ?? ''), String(r.type ?? ''), String(r.key ?? ''), String(r.key_len ?? ''), String(r.rows ?? ''), String(r.Extra ?? '')]),
  );
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

export async function load(argv: string[] = process.argv.slice(2)) {
  const args = parseArgs(argv);
  const db = dbName(args);
  const connections = intArg(args, 'connections', 32);
  const duration = intArg(args, 'duration', 10);
  const warmup = intArg(args, 'warmup', 2);
  const repeat = Math.max(1, intArg(args, 'repeat', 1));
  const only = strArg(args, 'scenarios', '').split(',').filter(Boolean);

  const probe = await mysql.createConnection(MYSQL_ADMIN_URL);
  const [dbs] = await probe.query('SHOW DATABASES LIKE ?', [db]);
  const [[version]] = (await probe.query('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp')) as unknown as [[{ v: string; bp: number }]];
  await probe.end();
  if ((dbs as unknown[]).length === 0) throw new Error(`database ${db} does not exist: run npx tsx bench/seed.ts --db ${db} first`);

  const config = benchConfig(db);
  const deps = buildDeps(config);
  const app = createApp(deps);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const [[{ n: customers }]] = (await deps.db.sequelize.query('SELECT COUNT(*) AS n FROM customers')) as unknown as [[{ n: number }]];
  const who = await identities(deps, db);
  const officer: Identity = { id: who.officer.id, name: who.officer.name, role: 'officer', cookie: await signIn(base, who.officer.id) };
  const lead: Identity = { id: who.lead.id, name: who.lead.name, role: 'team_lead', cookie: await signIn(base, who.lead.id) };

  console.log(`\n== load: ${base} → ${db} (${fmtInt(Number(customers))} customers), ${connections} connections × ${duration} s per scenario (+${warmup} s warm-up), ${repeat} run(s) ==`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}; MariaDB/MySQL ${version.v}, buffer pool ${Math.round(version.bp / 1048576)} MB`);
  console.log(`app: NODE_ENV=${config.env}, LOG_LEVEL=${config.logLevel}, DB pool max ${config.db.poolMax}`);
  console.log(`officer: ${officer.name} (#${officer.id}, book ${fmtInt(who.officer.book)}); team lead: ${lead.name} (#${lead.id}, team book ${fmtInt(who.lead.book)}); samples from ${who.source}`);

  const phones = who.officer.sample.map((s) => s.phone);
  const scenarios: Scenario[] = [
    { key: 'list', label: 'list (officer, stage=intent, sort=nextFollowUp)', who: 'officer', method: 'GET', paths: [`${API}/customers?${LIST_QUERY}`] },
    { key: 'list-lead', label: 'list (team lead, team scope, same filter)', who: 'lead', method: 'GET', paths: [`${API}/customers?${LIST_QUERY}`] },
    { key: 'search-phone', label: 'search by 11-digit phone', who: 'officer', method: 'GET', paths: phones.map((p) => `${API}/customers?q=${p}`) },
    { key: 'search-last4', label: 'search by last 4 digits', who: 'officer', method: 'GET', paths: phones.map((p) => `${API}/customers?q=${p.slice(-4)}`) },
    { key: 'detail', label: 'customer detail', who: 'officer', method: 'GET', paths: who.officer.sample.map((s) => `${API}/customers/${s.id}`) },
    { key: 'create', label: 'create customer', who: 'officer', method: 'POST', paths: [`${API}/customers`], createBodies: true },
  ].filter((s) => only.length === 0 || only.includes(s.key)) as Scenario[];

  const headersFor = (s: Scenario) => ({
    cookie: (s.who === 'officer' ? officer : lead).cookie,
    'x-requested-with': 'XMLHttpRequest',
    accept: 'application/json',
    ...(s.method === 'POST' ? { 'content-type': 'application/json' } : {}),
  });

  // Pre-flight: each scenario's first request twice (the first warms the app's caches), the second with
  // its SQL captured, so the figures come with the statements one request costs in steady state.
  console.log('\nPre-flight (SQL of one warm request, captured from the query log):');
  for (const s of scenarios) {
    let status = 0;
    let summary = '';
    const once = async () => {
      const body = s.createBodies ? JSON.stringify({ name: '压测预检', phone: `16${String(Math.floor(Math.random() * 8e8)).padStart(9, '0')}`, channel: 'douyin' }) : undefined;
      const res = await fetch(base + s.paths[0], { method: s.method, headers: headersFor(s), body });
      status = res.status;
      const json = (await res.json()) as { items?: unknown[]; id?: number; nextCursor?: string | null };
      summary = json.items ? `${json.items.length} items${json.nextCursor ? ', has next page' : ''}` : json.id ? `customer #${json.id}` : JSON.stringify(json).slice(0, 80);
    };
    await once();
    s.sql = await captureSql(deps, once);
    console.log(`  ${s.key.padEnd(13)} ${s.method} ${s.paths[0].slice(API.length)} → ${status}, ${summary}; ${s.sql.length} SQL statements`);
    for (const q of s.sql) console.log(`      ${q.length > 150 ? `${q.slice(0, 147)}…` : q}`);
  }

  // EXPLAIN the customer queries of the read scenarios.
  const rawPoolSize = intArg(args, 'raw-pool', config.db.poolMax);
  const pool = mysql.createPool({
    uri: `${MYSQL_ADMIN_URL}/${db}`,
    connectionLimit: rawPoolSize,
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4',
    timezone: 'Z',
  });
  const customerSql = (s: Scenario) => (s.sql ?? []).filter((q) => /^SELECT .* FROM `customers`/s.test(q));
  console.log('\nEXPLAIN of the customer queries:');
  for (const s of scenarios.filter((x) => x.method === 'GET')) {
    for (const q of customerSql(s)) {
      const [rows] = await pool.query(`EXPLAIN ${q}`);
      console.log(`\n[${s.key}] ${q.replace(/^SELECT .*? FROM/s, 'SELECT … FROM')}`);
      console.log(explainRows(rows as Record<string, unknown>[]).replace(/^/gm, '  '));
    }
  }

  const rawScenarios = args['skip-raw'] ? [] : scenarios.filter((s) => s.key === 'list' || s.key === 'list-lead');
  const runs: RunResult[] = [];
  for (let run = 1; run <= repeat; run++) {
    const result: RunResult = { run, api: {}, raw: {}, cpuUs: {} };
    console.log(`\n-- run ${run}/${repeat} --`);
    for (const s of scenarios) {
      const job: CannonJob = { url: base, connections, duration, method: s.method, paths: s.paths, headers: headersFor(s), createBodies: s.createBodies };
      if (warmup > 0) await cannon({ ...job, duration: warmup });
      // The app's own CPU time per request (user + system of this process, which is idle apart from
      // the app while autocannon runs in its child).
      const cpu0 = process.cpuUsage();
      const st = await cannon(job);
      const cpu = process.cpuUsage(cpu0);
      result.api[s.key] = st;
      result.cpuUs[s.key] = Math.round((cpu.user + cpu.system) / Math.max(1, st.requests));
      console.log(
        `  ${s.key.padEnd(13)} ${fmtInt(Math.round(st.rps)).padStart(6)} req/s  p50 ${ms(st.p50)}  p95 ${ms(st.p95)}  p99 ${ms(st.p99)} ms  non-2xx ${st.non2xx}${st.errors ? `  errors ${st.errors}` : ''}` +
          `  app CPU ${result.cpuUs[s.key]} µs/req`,
      );
      if (rawScenarios.includes(s)) {
        // Straight after the API run, so both see the same machine (other work on a shared box moves both).
        const sqls = customerSql(s);
        if (warmup > 0) await rawRun(pool, sqls, connections, warmup);
        const raw = await rawRun(pool, sqls, connections, duration);
        result.raw[s.key] = raw;
        console.log(`  raw ${s.key.padEnd(9)} ${fmtInt(Math.round(raw.rps)).padStart(6)} q/s    p50 ${ms(raw.p50)}  p95 ${ms(raw.p95)}  p99 ${ms(raw.p99)} ms  (same SQL via mysql2, pool of ${rawPoolSize}, ${connections} concurrent)`);
      }
    }
    runs.push(result);

    console.log(`\nResults, run ${run} (${fmtInt(Number(customers))} customers, ${connections} connections, ${duration} s):`);
    console.log(
      table(
        ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'SQL/req', 'app CPU µs/req'],
        scenarios.map((s) => {
          const st = result.api[s.key];
          return [s.key, fmtInt(Math.round(st.rps)), ms(st.p50), ms(st.p95), ms(st.p99), ms(st.max), st.non2xx + st.errors, s.sql?.length ?? '-', result.cpuUs[s.key]];
        }),
      ),
    );
    for (const s of rawScenarios) {
      const api = result.api[s.key];
      const raw = result.raw[s.key];
      console.log(
        `raw mysql2 ${s.key}: ${fmtInt(Math.round(raw.rps))} q/s, p50 ${ms(raw.p50)} / p95 ${ms(raw.p95)} / p99 ${ms(raw.p99)} ms → API/raw p95 = ${(api.p95 / raw.p95).toFixed(2)}` +
          ` (p50 ${(api.p50 / raw.p50).toFixed(2)})`,
      );
    }
  }

  // Summary over runs: best and worst p95 per scenario, and the targets.
  if (runs.length > 1) {
    console.log(`\nBest / worst of ${runs.length} runs (by p95):`);
    const rows = scenarios.map((s) => {
      const sorted = runs.map((r) => ({ ...r.api[s.key], cpuUs: r.cpuUs[s.key] })).sort((a, b) => a.p95 - b.p95);
      const [b, w] = [sorted[0], sorted[sorted.length - 1]];
      return [s.key, `${fmtInt(Math.round(b.rps))} / ${fmtInt(Math.round(w.rps))}`, `${ms(b.p50)} / ${ms(w.p50)}`, `${ms(b.p95)} / ${ms(w.p95)}`, `${ms(b.p99)} / ${ms(w.p99)}`, `${b.cpuUs} / ${w.cpuUs}`];
    });
    console.log(table(['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'app CPU µs/req'], rows));
  }
  console.log(`\nTargets (1,000,000 customers, ${connections} connections): list and search p95 ≤ ${TARGET_P95_MS} ms; API/raw p95 ≤ ${TARGET_RATIO}`);
  for (const r of runs) {
    const parts: string[] = [];
    for (const k of ['list', 'list-lead', 'search-phone', 'search-last4']) {
      const st = r.api[k];
      if (st) parts.push(`${k} p95 ${ms(st.p95)} ${st.p95 <= TARGET_P95_MS ? 'met' : 'MISSED'}`);
    }
    for (const k of Object.keys(r.raw)) {
      const ratio = r.api[k].p95 / r.raw[k].p95;
      parts.push(`${k} API/raw ${ratio.toFixed(2)} ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}`);
    }
    console.log(`  run ${r.run}: ${parts.join('; ')}`);
  }

  const outDir = path.join(BENCH_DIR, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${db}.json`);
  fs.writeFileSync(
    out,
    JSON.stringify({ db, customers: Number(customers), connections, duration, cores: os.cpus().length, at: new Date().toISOString(), officer: { id: officer.id, name: officer.name }, lead: { id: lead.id, name: lead.name }, scenarios: scenarios.map(({ key, label, sql }) => ({ key, label, sql })), runs }, null, 1),
  );
  console.log(`\nraw figures saved to ${path.relative(process.cwd(), out)}`);

  await pool.end();
  await new Promise<void>((r) => server.close(() => r()));
  server.closeAllConnections?.();
  await deps.db.close();
}

if (process.argv[1]?.endsWith('bench/load.ts')) {
  load().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
