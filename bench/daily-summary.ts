// The daily summary (C22) composed — not sent — for 500 managers over the reports bench database
// (1,000,000 customers, 10,000,000 follow-ups, 200,000 applications, 100,000 loans; seeded by the
// reports benchmark). The database is only read: the 500 managers are added in memory (team leads
// spread over the teams, branch managers over the branches, some directors), exactly as if they
// were rows of `users`, so nobody else's figures change. Prints the one shared read of the day, the
// composition of each manager's message (scope arithmetic + rendering: p50/p95/max), the team
// robots' chart rendering (ECharts SSR → PNG) and the total.
//
//   npx tsx bench/daily-summary.ts                         # crm_bench_reports, yesterday (Shanghai)
//   npx tsx bench/daily-summary.ts --db crm_bench_1m --day 2026-11-20 --managers 500 --repeat 3
//   … --compare-metrics   also time the other way: one metrics-service overview call per manager
import mysql from 'mysql2/promise';
import { buildDeps } from '../server/src/app';
import { addDays, shanghaiDate } from '../server/src/contracts/dates';
import { loadSummaryInputs, composeFromInputs, chartPayload } from '../server/src/modules/reports/summary/summary.service';
import { createSummaryIndex } from '../server/src/modules/reports/summary/summary.compose';
import { managerPayload } from '../server/src/modules/reports/summary/summary.render';
import type { Role } from '../server/src/contracts/roles';
import { createMetricsService } from '../server/src/modules/reports/metrics.service';
import { benchConfig, dbName, fmtInt, intArg, MYSQL_ADMIN_URL, parseArgs, strArg, table } from './common';

const args = parseArgs();
const db = dbName({ db: strArg(args, 'db', 'crm_bench_reports') });
const day = strArg(args, 'day', addDays(shanghaiDate(), -1));
const managersWanted = intArg(args, 'managers', 500);
const repeat = intArg(args, 'repeat', 3);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

async function sizes() {
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  try {
    const out: Record<string, number> = {};
    for (const t of ['customers', 'follow_ups', 'applications', 'loans', 'users', 'departments']) {
      const [r] = (await admin.query(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${t}\``)) as unknown as [{ n: number }[]];
      out[t] = Number(r[0]!.n);
    }
    for (const t of ['report_customer_daily', 'report_followup_daily', 'report_application_daily', 'report_loan_daily']) {
      const [r] = (await admin.query(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${t}\` WHERE day = ?`, [day])) as unknown as [{ n: number }[]];
      out[`${t} (day)`] = Number(r[0]!.n);
    }
    return { rows: out };
  } finally {
    await admin.end();
  }
}

async function main() {
  const size = await sizes();
  console.log(`database ${db}: ${Object.entries(size.rows).map(([t, n]) => `${t} ${fmtInt(n)}`).join(', ')}`);
  console.log(`day ${day}`);
  const deps = buildDeps(benchConfig(db));
  const results: string[][] = [];
  try {
    for (let run = 1; run <= repeat; run++) {
      const t0 = performance.now();
      const inputs = await loadSummaryInputs(deps, day);
      const tRead = performance.now() - t0;

      // 500 managers in memory: team leads over the teams, branch managers over the branches, directors.
      const teams = inputs.depts.filter((d) => d.kind === 'team');
      const branches = inputs.depts.filter((d) => d.kind === 'branch');
      const real = inputs.users.filter((u) => ['team_lead', 'branch_manager', 'director'].includes(u.role)).length;
      let nextId = 10_000_000;
      for (let i = 0; real + (nextId - 10_000_000) < managersWanted; i++) {
        const role: Role = i % 10 === 9 ? 'director' : i % 5 === 4 ? 'branch_manager' : 'team_lead';
        const dept = role === 'director' ? inputs.depts.find((d) => d.kind === 'head_office')! : role === 'branch_manager' ? branches[i % branches.length]! : teams[i % teams.length]!;
        inputs.users.push({ id: nextId++, name: `压测主管${i}`, role, departmentId: dept.id, wecomUserid: null, dingtalkUserid: null });
      }

      // Each manager's message timed on its own (scope arithmetic + rendering)…
      const t1 = performance.now();
      const index = createSummaryIndex(inputs.facts, inputs.depts, inputs.users);
      const per: number[] = [];
      let bytes = 0;
      for (const u of inputs.users) {
        if (!['team_lead', 'branch_manager', 'director'].includes(u.role)) continue;
        const s0 = performance.now();
        const s = index.forManager(u);
        if (s) bytes += Buffer.byteLength(managerPayload(s).markdown ?? '');
        per.push(performance.now() - s0);
      }
      const tCompose = performance.now() - t1;
      // …and the team robots' boards with their charts (every team, as if each had a robot).
      const t2 = performance.now();
      let charts = 0;
      for (const team of teams) {
        const s = index.forTeam(team.id);
        if (s?.ranking.length && chartPayload(s.name, day, s.ranking)) charts++;
      }
      const tCharts = performance.now() - t2;
      // The job's own path end to end for the managers (composeFromInputs, no charts), as a check.
      const t3 = performance.now();
      const composed = composeFromInputs({ ...inputs, robotDepartmentIds: [] }, { charts: false });
      const tWhole = performance.now() - t3;
      per.sort((a, b) => a - b);
      const total = tRead + tCompose + tCharts;
      results.push([
        String(run), String(per.length), ms(tRead), ms(tCompose), ms(pct(per, 50)), ms(pct(per, 95)), ms(per[per.length - 1] ?? 0), `${charts}/${teams.length}`, ms(tCharts), ms(tWhole), `${(total / 1000).toFixed(2)} s`,
      ]);
      if (run === 1) {
        const t = composed.managers.find((m) => m.user.role === 'director')?.summary.totals;
        console.log(`facts: ${fmtInt(inputs.facts.people.length)} (department, person) rows, ${inputs.facts.overdue.length} departments with overdue loans; company day: ${t ? JSON.stringify(t) : '-'}; average message ${Math.round(bytes / Math.max(1, per.length))} B`);
      }
    }
  } finally {
    await deps.db.close();
  }
  console.log(table(['run', 'managers', 'read day', 'compose all', 'p50/mgr', 'p95/mgr', 'max/mgr', 'charts', 'charts time', 'job path', 'total'], results));
  if (args['compare-metrics']) await compareMetrics();
}

/** For comparison: the numbers of each manager from the metrics service, one overview call each. */
async function compareMetrics() {
  const deps = buildDeps(benchConfig(db));
  try {
    const metrics = createMetricsService(deps);
    const inputs = await loadSummaryInputs(deps, day);
    const teams = inputs.depts.filter((d) => d.kind === 'team');
    const branches = inputs.depts.filter((d) => d.kind === 'branch');
    const hq = inputs.depts.find((d) => d.kind === 'head_office')!;
    const per: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < managersWanted; i++) {
      const role: Role = i % 10 === 9 ? 'director' : i % 5 === 4 ? 'branch_manager' : 'team_lead';
      const departmentId = role === 'director' ? hq.id : role === 'branch_manager' ? branches[i % branches.length]!.id : teams[i % teams.length]!.id;
      const s0 = performance.now();
      await metrics.overview({ id: 10_000_000 + i, name: `压测主管${i}`, role, departmentId }, { from: day, to: day, granularity: 'day' });
      per.push(performance.now() - s0);
    }
    const total = performance.now() - t0;
    per.sort((a, b) => a - b);
    console.log(`\nfor comparison, metrics.overview once per manager (${managersWanted}, sequential): total ${(total / 1000).toFixed(2)} s, p50 ${ms(pct(per, 50))}, p95 ${ms(pct(per, 95))} — and it has no top 3, idle list or overdue changes`);
  } finally {
    await deps.db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
