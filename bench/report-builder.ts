// Report builder timings on a bench database (read-only): typical definitions compiled and run
// as an admin (whole company), a team lead (a bench team) and an officer, against the raw tables
// as the builder does, each repeated, with p50/p95 and the groups returned. Datasets whose tables
// are missing in that database are skipped. The statement timeout (10 s, MySQL/MariaDB) applies.
//
//   npx tsx bench/report-builder.ts --db crm_bench_1m --repeat 5 [--only customers]
import { buildDeps } from '../server/src/app';
import { createReportBuilderService } from '../server/src/modules/reports/builder/builder.service';
import { ReportDefinition, type ReportDefinitionInput } from '../server/src/contracts/report-builder';
import { DATASET_SQL } from '../server/src/modules/reports/builder/datasets';
import { addDays, shanghaiDate } from '../server/src/contracts/dates';
import type { Actor } from '../server/src/http/context';
import { benchConfig, dbName, intArg, parseArgs, table } from './common';

const args = parseArgs();
const db = dbName(args);
const repeat = intArg(args, 'repeat', 5);
const only = typeof args.only === 'string' ? args.only : ''; // run the reports whose name contains this
const today = shanghaiDate();
const month = { from: addDays(today, -30), to: today };
const year = { from: addDays(today, -365), to: today };

const DEFS: [string, ReportDefinitionInput][] = [
  ['customers × channel (all time)', { dataset: 'customers', dimensions: [{ field: 'channel' }], measures: [{ fn: 'count' }] }],
  ['customers × month × stage (1 year)', { dataset: 'customers', dimensions: [{ field: 'date', bucket: 'month' }, { field: 'stage' }], measures: [{ fn: 'count' }], period: year }],
  ['customers × officer, sum/avg amount, conversion', { dataset: 'customers', dimensions: [{ field: 'officer' }], measures: [{ fn: 'count' }, { fn: 'sum', field: 'loanAmount' }, { fn: 'avg', field: 'loanAmount' }, { fn: 'rate', field: 'converted' }] }],
  ['follow-ups × type (30 days)', { dataset: 'followups', dimensions: [{ field: 'type' }], measures: [{ fn: 'count' }, { fn: 'distinct', field: 'customer' }], period: month }],
  ['follow-ups × day (30 days)', { dataset: 'followups', dimensions: [{ field: 'date', bucket: 'day' }], measures: [{ fn: 'count' }], period: month }],
  ['applications × product, pass rate', { dataset: 'applications', dimensions: [{ field: 'product' }], measures: [{ fn: 'count' }, { fn: 'rate', field: 'approved' }] }],
  ['loans × month, principal (1 year)', { dataset: 'loans', dimensions: [{ field: 'date', bucket: 'month' }], measures: [{ fn: 'count' }, { fn: 'sum', field: 'principal' }], period: year }],
  ['installments × status, due vs paid', { dataset: 'installments', dimensions: [{ field: 'stage' }], measures: [{ fn: 'sum', field: 'due' }, { fn: 'sum', field: 'paid' }] }],
];

const deps = buildDeps(benchConfig(db));
const builder = createReportBuilderService(deps);
const tables = new Set((await deps.db.select<{ t: string }>({ text: 'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()', params: [] })).map((r) => r.t));
const m = deps.db.models;
const actorOf = async (where: Record<string, unknown>): Promise<Actor | null> => {
  const u = await m.User.findOne({ where: where as never, attributes: ['id', 'name', 'role', 'departmentId'], order: [['id', 'ASC']], raw: true });
  return u ? { id: u.id, name: u.name, role: u.role, departmentId: u.departmentId } : null;
};
const admin = await actorOf({ role: 'admin' });
// The lead of the team with the biggest book (a bench team on the large seeds).
const [big] = await deps.db.select<{ d: number }>({ text: "SELECT c.department_id AS d FROM customers c JOIN departments dp ON dp.id = c.department_id AND dp.kind = 'team' GROUP BY c.department_id ORDER BY COUNT(*) DESC LIMIT 1", params: [] });
const lead = (big && (await actorOf({ role: 'team_lead', departmentId: big.d }))) ?? (await actorOf({ role: 'team_lead' }));
const officer = await actorOf({ name: '张伟' });
const [{ n: customers }] = await deps.db.select<{ n: number }>({ text: 'SELECT COUNT(*) AS n FROM customers', params: [] });
console.log(`database ${db}: ${customers} customers; repeat ${repeat}; today ${today}\n`);

const rows: (string | number)[][] = [];
for (const [name, input] of DEFS.filter(([n]) => n.includes(only))) {
  const def = ReportDefinition.parse(input);
  const needed = DATASET_SQL[def.dataset].from.match(/\b(customers|follow_ups|applications|approval_tasks|loans|installments|collection_records)\b/g) ?? [];
  if (needed.some((t) => !tables.has(t))) {
    rows.push([name, '—', 'skipped: tables missing', '', '']);
    continue;
  }
  for (const [who, actor] of [['admin', admin], ['lead', lead], ['officer', officer]] as const) {
    if (!actor) continue;
    const times: number[] = [];
    let groups = 0;
    let failure = '';
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      try {
        groups = (await builder.run({ actor, ip: null }, def)).rows.length;
      } catch (e) {
        failure = (e as Error).message.slice(0, 60);
        break;
      }
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => (times.length ? times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)].toFixed(0) : '—');
    rows.push([name, `${who} (${actor.name})`, failure || String(groups), pct(50), pct(95)]);
  }
}
console.log(table(['report', 'viewer', 'groups', 'p50 ms', 'p95 ms'], rows));
await deps.db.close();
