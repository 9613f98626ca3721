// Metrics (issue #7, C21): dashboard numbers over the daily rollups (rollup.service.ts), within
// the viewer's data scope, and drill-downs into the raw records behind each number.
//
// Scope (C27) on reports: officer = their own, team lead = their team, branch manager = the
// branch subtree, director / risk / finance / admin = everything. Filters (department, officer,
// channel, product) only narrow that. Every rollup row carries the department and owner it is
// attributed to, so scope is a WHERE on two indexed columns, and a team lead's numbers cannot
// include another team's rows.
import type { Deps } from '../../deps';
import type { Actor } from '../../http/context';
import { FIELD_ACCESS, maskPhone } from '../../contracts/fields';
import { FOLLOWUP_OUTCOMES, FOLLOWUP_TYPES, type FollowUpType } from '../../contracts/catalog';
import { INSTALLMENT_STATUSES, LOAN_ENTRY_KINDS, LOAN_STATUSES, OVERDUE_BUCKETS, type OverdueBucket } from '../../contracts/loans';
import { STAGES, STAGE_FLOW, type Stage } from '../../contracts/stages';
import { APPLICATION_STATUSES } from '../../contracts/applications';
import { addDays, shanghaiDate } from '../../contracts/dates';
import { AppError } from '../../http/errors';
import {
  FUNNEL_STEPS,
  FUNNEL_STEP_KEYS,
  type ActivityPoint,
  type ActivityReport,
  type ApplicationCounts,
  type ApplicationsReport,
  type ApprovalNodeStat,
  type DrillItem,
  type DrillKind,
  type DrillOptions,
  type DrillReport,
  type FunnelBy,
  type FunnelReport,
  type FunnelRow,
  type FunnelStep,
  type Granularity,
  type LeaderboardOptions,
  type LeaderboardReport,
  type LoanBreakdownRow,
  type LoansReport,
  type OverviewReport,
  type ReportQuery,
} from '../../contracts/reports';
import { sql, and, type Sql } from '../../db/sql';
import { asDate, dateOnly, dayBounds, dayOf, num } from './report.sql';
import { createRollupService } from './rollup.service';

const PPM = 1_000_000;
/** Periods up to this many days get a p90 per approval node. */
export const P90_MAX_DAYS = 92;
/** a / b in ppm, rounded half up; null when b is 0. */
export const ratePpm = (a: number, b: number): number | null => (b > 0 ? Math.round((a * PPM) / b) : null);

/** The first day of the period bucket a day falls in. */
export function periodOf(day: string, g: Granularity): string {
  if (g === 'day') return day;
  if (g === 'month') return `${day.slice(0, 7)}-01`;
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay(); // Monday-based weeks
  return addDays(day, -((dow + 6) % 7));
}

/** Each period bucket from..to, so empty periods show as zeros rather than gaps. */
export function periods(from: string, to: string, g: Granularity): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const p = periodOf(d, g);
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
const nextMonthStart = (d: string) => monthStart(addDays(monthStart(d), 32));

/** Day ranges to read from the daily tables and month ranges from the monthly twins. */
export interface PeriodParts {
  daily: [string, string][];
  monthly: [string, string][];
}
/** Whole months inside from..to come from the monthly tables, the partial ends from the daily ones. */
export function periodParts(from: string, to: string, dailyOnly = false): PeriodParts {
  if (from > to) return { daily: [], monthly: [] };
  const firstFull = from === monthStart(from) ? from : nextMonthStart(from);
  const lastFullEnd = addDays(to, 1) === monthStart(addDays(to, 1)) ? to : addDays(monthStart(to), -1);
  if (dailyOnly || firstFull > lastFullEnd) return { daily: [[from, to]], monthly: [] };
  const daily: [string, string][] = [];
  if (from < firstFull) daily.push([from, addDays(firstFull, -1)]);
  if (lastFullEnd < to) daily.push([addDays(lastFullEnd, 1), to]);
  return { daily, monthly: [[firstFull, monthStart(lastFullEnd)]] };
}
const rangesSql = (ranges: [string, string][]): Sql | null =>
  ranges.length ? { text: ranges.map(() => '(day >= ? AND day <= ?)').join(' OR '), params: ranges.flat() } : null;

/** Scope plus period over a dated rollup: `select` turns `FROM report_x_daily WHERE $WHERE` into the union of both tables. */
interface RollupWhere extends Sql {
  rollup: { scope: Sql; parts: PeriodParts };
}

/** The rows a viewer may count, as a tree of columns: all, one owner, or a department subtree. */
type Reach = { kind: 'all' } | { kind: 'owner'; id: number } | { kind: 'departments'; ids: readonly number[] };

/** Column names of one source for scope and filters. */
interface Cols {
  day: string;
  dept: string;
  owner: string;
  channel: string | null;
  /** 'id' for loans (product_id), 'name' for applications (free-text product), null: no product dimension. */
  product: { col: string; by: 'id' | 'name' } | null;
}
const ROLLUP_COLS = (product: Cols['product']): Cols => ({ day: 'day', dept: 'department_id', owner: 'owner_id', channel: 'channel', product });

const STAGE_RANK: Record<string, number> = Object.fromEntries(STAGE_FLOW.map((s, i) => [s, i]));
/** Stages at or past funnel level L (1 intent … 5 disbursed), bad debt counting as disbursed. */
const stagesFrom = (level: number): Stage[] => [...STAGE_FLOW.filter((s) => STAGE_RANK[s] >= level), ...(level <= 5 ? (['bad_debt'] as Stage[]) : [])];
const FUNNEL_LEVEL: Record<FunnelStep, number> = { leads: 0, intent: 1, due_diligence: 2, applied: 3, approved: 4, disbursed: 5 };

export function createMetricsService(deps: Deps) {
  const { db, org, crypto } = deps;
  const rollups = createRollupService(deps);
  rollups.subscribe(deps.events);

  async function reach(viewer: Actor): Promise<Reach> {
    switch (viewer.role) {
      case 'officer':
        return { kind: 'owner', id: viewer.id };
      case 'team_lead':
      case 'branch_manager':
        return { kind: 'departments', ids: await org.subtreeIds(viewer.departmentId) };
      default:
        return { kind: 'all' };
    }
  }

  async function productKeys(productId: number): Promise<{ id: number; names: string[] }> {
    const [p] = await db.select<{ name: string; code: string }>(sql('SELECT name, code FROM products WHERE id = ?', productId));
    return { id: productId, names: p ? [p.name, p.code] : [] };
  }

  /** Scope and filters over one source, as SQL (the day range is added by the caller). */
  async function where(viewer: Actor, q: ReportQuery, c: Cols): Promise<Sql> {
    const parts: Sql[] = [];
    const r = await reach(viewer);
    if (r.kind === 'owner') parts.push(sql(`${c.owner} = ?`, r.id));
    if (r.kind === 'departments') parts.push(r.ids.length ? sql(`${c.dept} IN (?)`, r.ids) : sql('1 = 0'));
    if (q.departmentId) {
      const ids = await org.subtreeIds(q.departmentId);
      parts.push(ids.length ? sql(`${c.dept} IN (?)`, ids) : sql('1 = 0'));
    }
    if (q.ownerId) parts.push(sql(`${c.owner} = ?`, q.ownerId));
    if (q.channel) parts.push(c.channel ? sql(`${c.channel} = ?`, q.channel) : sql('1 = 1'));
    if (q.productId && c.product) {
      if (c.product.by === 'id') parts.push(sql(`${c.product.col} = ?`, q.productId));
      else {
        const p = await productKeys(q.productId);
        parts.push(p.names.length ? sql(`${c.product.col} IN (?)`, p.names) : sql('1 = 0'));
      }
    }
    return and(parts);
  }

  /**
   * Scope, filters and the period over a rollup. 'mixed' reads whole months inside the period from
   * the month rows and only the partial months at either end from the day rows; 'daily' reads day
   * rows only (for day and week series); false: not dated (the live loan state).
   */
  async function rollupWhere(viewer: Actor, q: ReportQuery, product: Cols['product'] = null, dated: false | 'mixed' | 'daily' | PeriodParts = 'mixed'): Promise<Sql | RollupWhere> {
    const scope = await where(viewer, q, ROLLUP_COLS(product));
    if (dated === false) return scope;
    const parts = typeof dated === 'object' ? dated : periodParts(q.from, q.to, dated === 'daily');
    return { text: '', params: [], rollup: { scope, parts } };
  }
  const seriesGrain = (q: ReportQuery) => (q.granularity === 'month' ? 'mixed' : 'daily') as 'mixed' | 'daily';

  const select = <T>(text: string, w: Sql | RollupWhere, ...tail: unknown[]) => {
    if (!('rollup' in w)) return db.select<T>({ text: text.replace('$WHERE', w.text), params: [...w.params, ...tail] });
    const { scope, parts } = w.rollup;
    let params: unknown[] = [];
    const rewritten = text.replace(/FROM (report_\w+)_daily WHERE \$WHERE/, (_m, base: string) => {
      const branches: string[] = [];
      for (const [suffix, ranges] of [['daily', parts.daily], ['monthly', parts.monthly]] as const) {
        const r = rangesSql(ranges);
        if (!r) continue;
        branches.push(`SELECT * FROM ${base}_${suffix} WHERE (${scope.text}) AND (${r.text})`);
        params = [...params, ...scope.params, ...r.params];
      }
      // One table (the usual month-to-date or last-30-days view): read it directly, no derived table.
      if (branches.length === 1) return branches[0].replace(/^SELECT \* /, '');
      return `FROM (${branches.length ? branches.join(' UNION ALL ') : `SELECT * FROM ${base}_daily WHERE 1 = 0`}) r WHERE 1 = 1`;
    });
    if (rewritten === text) throw new Error(`not a rollup query: ${text}`);
    return db.select<T>({ text: rewritten, params: [...params, ...tail] });
  };

  // ---------- labels ----------

  async function userNames(ids: number[]): Promise<Map<number, string>> {
    const list = [...new Set(ids.filter((x) => x > 0))];
    if (!list.length) return new Map();
    const rows = await db.select<{ id: number; name: string }>(sql('SELECT id, name FROM users WHERE id IN (?)', list));
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  }
  async function departmentNames(ids: number[]): Promise<Map<number, string>> {
    const list = [...new Set(ids.filter((x) => x > 0))];
    if (!list.length) return new Map();
    const rows = await db.select<{ id: number; name: string }>(sql('SELECT id, name FROM departments WHERE id IN (?)', list));
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  }
  async function channelNames(): Promise<Map<string, string>> {
    const rows = await db.select<{ code: string; name: string }>(sql('SELECT code, name FROM channels'));
    return new Map(rows.map((r) => [r.code, r.name]));
  }
  async function productNames(): Promise<Map<number, string>> {
    const rows = await db.select<{ id: number; name: string }>(sql('SELECT id, name FROM products'));
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  }

  // ---------- funnel ----------

  function funnelRow(key: string, label: string, counts: Record<FunnelStep, number>): FunnelRow {
    const stepRatePpm = {} as Record<FunnelStep, number | null>;
    const overallRatePpm = {} as Record<FunnelStep, number | null>;
    FUNNEL_STEP_KEYS.forEach((s, i) => {
      stepRatePpm[s] = i === 0 ? null : ratePpm(counts[s], counts[FUNNEL_STEP_KEYS[i - 1]]);
      overallRatePpm[s] = i === 0 ? null : ratePpm(counts[s], counts.leads);
    });
    return { key, label, counts, stepRatePpm, overallRatePpm };
  }
  type FunnelSums = { k: string | number | null; leads: number; intent: number; dd: number; applied: number; approved: number; disbursed: number };
  const countsOf = (r: FunnelSums): Record<FunnelStep, number> => ({ leads: num(r.leads), intent: num(r.intent), due_diligence: num(r.dd), applied: num(r.applied), approved: num(r.approved), disbursed: num(r.disbursed) });
  const FUNNEL_SUMS = 'SUM(new_customers) AS leads, SUM(reached_intent) AS intent, SUM(reached_due_diligence) AS dd, SUM(applied) AS applied, SUM(approved) AS approved, SUM(disbursed) AS disbursed';

  /** Channel cost over the period: each month's cost prorated by the days of it the period covers (integer fen). */
  async function channelCosts(q: ReportQuery): Promise<Map<string, number>> {
    const rows = await db.select<{ channel: string; month: string; cost_fen: number }>(sql('SELECT channel, month, cost_fen FROM channel_costs WHERE month >= ? AND month <= ?', q.from.slice(0, 7), q.to.slice(0, 7)));
    const out = new Map<string, number>();
    for (const r of rows) {
      const first = `${r.month}-01`;
      const monthDays = new Date(Date.UTC(Number(r.month.slice(0, 4)), Number(r.month.slice(5, 7)), 0)).getUTCDate();
      const last = `${r.month}-${String(monthDays).padStart(2, '0')}`;
      const a = q.from > first ? q.from : first;
      const b = q.to < last ? q.to : last;
      const covered = Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000) + 1;
      const fen = covered >= monthDays ? num(r.cost_fen) : Math.round((num(r.cost_fen) * covered) / monthDays);
      out.set(r.channel, (out.get(r.channel) ?? 0) + fen);
    }
    return out;
  }

  async function funnel(viewer: Actor, q: ReportQuery, opts: { by: FunnelBy } = { by: 'channel' }): Promise<FunnelReport> {
    const w = await rollupWhere(viewer, q);
    const col = { channel: 'channel', team: 'department_id', officer: 'owner_id', none: "'all'" }[opts.by];
    const rows = await select<FunnelSums>(`SELECT ${col} AS k, ${FUNNEL_SUMS} FROM report_customer_daily WHERE $WHERE GROUP BY ${col}`, w);
    const [tot] = await select<FunnelSums>(`SELECT 'all' AS k, ${FUNNEL_SUMS} FROM report_customer_daily WHERE $WHERE`, w);
    const labels =
      opts.by === 'channel' ? await channelNames()
      : opts.by === 'team' ? new Map([...(await departmentNames(rows.map((r) => Number(r.k))))].map(([k, v]) => [String(k), v]))
      : opts.by === 'officer' ? new Map([...(await userNames(rows.map((r) => Number(r.k))))].map(([k, v]) => [String(k), v]))
      : new Map([['all', '合计']]);
    const out = rows
      .map((r) => funnelRow(String(r.k), labels.get(String(r.k)) ?? (String(r.k) === '0' ? '公海/未分配' : String(r.k)), countsOf(r)))
      .sort((a, b) => b.counts.leads - a.counts.leads || a.key.localeCompare(b.key));
    if (opts.by === 'channel') {
      // Costs are the company's per channel: ROI only makes sense over the whole book.
      const whole = (await reach(viewer)).kind === 'all' && !q.departmentId && !q.ownerId;
      const costs = whole ? await channelCosts(q) : new Map<string, number>();
      const lw = await rollupWhere(viewer, q, { col: 'product_id', by: 'id' });
      const money = new Map(
        (await select<{ channel: string; d: number; c: number }>('SELECT channel, SUM(disbursed_fen) AS d, SUM(commission_fen) AS c FROM report_loan_daily WHERE $WHERE GROUP BY channel', lw)).map((r) => [r.channel, r]),
      );
      for (const row of out) {
        const cost = whole ? (costs.get(row.key) ?? null) : null;
        row.costFen = cost;
        row.costPerLeadFen = cost !== null && row.counts.leads > 0 ? Math.round(cost / row.counts.leads) : null;
        row.disbursedFen = num(money.get(row.key)?.d);
        row.commissionFen = num(money.get(row.key)?.c);
        row.roiPpm = cost ? ratePpm(row.disbursedFen, cost) : null;
      }
    }
    return { query: q, by: opts.by, steps: [...FUNNEL_STEP_KEYS], rows: out, total: funnelRow('all', '合计', countsOf(tot ?? ({} as FunnelSums))) };
  }

  // ---------- activity ----------

  async function activity(viewer: Actor, q: ReportQuery): Promise<ActivityReport> {
    const w = await rollupWhere(viewer, q, null, seriesGrain(q));
    const f = await select<{ day: unknown; type: FollowUpType; n: number; touched: number }>('SELECT day, type, SUM(follow_ups) AS n, SUM(customers_touched) AS touched FROM report_followup_daily WHERE $WHERE GROUP BY day, type', w);
    const c = await select<{ day: unknown; n: number }>('SELECT day, SUM(new_customers) AS n FROM report_customer_daily WHERE $WHERE GROUP BY day', w);
    const blank = (period: string): ActivityPoint => ({ period, followUps: 0, byType: Object.fromEntries(Object.keys(FOLLOWUP_TYPES).map((k) => [k, 0])) as Record<FollowUpType, number>, customersTouched: 0, newCustomers: 0 });
    const series = new Map(periods(q.from, q.to, q.granularity).map((p) => [p, blank(p)]));
    const totals = blank('');
    for (const r of f) {
      for (const p of [series.get(periodOf(dateOnly(r.day)!, q.granularity))!, totals]) {
        p.followUps += num(r.n);
        if (r.type in p.byType) p.byType[r.type] += num(r.n);
        p.customersTouched += num(r.touched);
      }
    }
    for (const r of c) for (const p of [series.get(periodOf(dateOnly(r.day)!, q.granularity))!, totals]) p.newCustomers += num(r.n);
    const { period: _p, ...t } = totals;
    void _p;
    return { query: q, totals: t, series: [...series.values()] };
  }

  // ---------- applications ----------

  const appCounts = (r: Record<string, unknown> | undefined): ApplicationCounts => {
    const approved = num(r?.a);
    const rejected = num(r?.r);
    return { submitted: num(r?.s), approved, rejected, withdrawn: num(r?.w), passRatePpm: ratePpm(approved, approved + rejected) };
  };
  const APP_SUMS = 'SUM(submitted) AS s, SUM(approved) AS a, SUM(rejected) AS r, SUM(withdrawn) AS w';

  /** Seconds at a node for tasks decided in the period, from the raw tasks (bounded by ix_tasks_decided_at). */
  async function nodeDurations(viewer: Actor, q: ReportQuery): Promise<Map<string, number[]>> {
    const [start, end] = dayBounds(q.from, q.to);
    const w = await where(viewer, q, { day: '', dept: 'a.department_id', owner: 'a.applicant_id', channel: 'c.channel', product: { col: 'a.product', by: 'name' } });
    const rows = await select<{ flow_id: number | null; node_name: string; created_at: unknown; decided_at: unknown }>(
      `SELECT a.flow_id, t.node_name, t.created_at, t.decided_at FROM approval_tasks t JOIN applications a ON a.id = t.application_id${q.channel ? ' JOIN customers c ON c.id = a.customer_id' : ''}
       WHERE $WHERE`,
      and([sql('t.decided_at >= ? AND t.decided_at < ?', start, end), sql("t.status IN ('approved', 'rejected', 'returned')"), w]),
    );
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const k = `${r.flow_id ?? 0}\u0001${r.node_name}`;
      const list = out.get(k) ?? [];
      list.push(Math.max(0, Math.round((asDate(r.decided_at)!.getTime() - asDate(r.created_at)!.getTime()) / 1000)));
      out.set(k, list);
    }
    return out;
  }

  async function applications(viewer: Actor, q: ReportQuery): Promise<ApplicationsReport> {
    const w = await rollupWhere(viewer, q, { col: 'product', by: 'name' });
    const [tot] = await select<Record<string, unknown>>(`SELECT ${APP_SUMS} FROM report_application_daily WHERE $WHERE`, w);
    const byDay = await select<Record<string, unknown> & { day: unknown }>(`SELECT day, ${APP_SUMS} FROM report_application_daily WHERE $WHERE GROUP BY day`, await rollupWhere(viewer, q, { col: 'product', by: 'name' }, seriesGrain(q)));
    const series = new Map(periods(q.from, q.to, q.granularity).map((p) => [p, { s: 0, a: 0, r: 0, w: 0 }]));
    for (const r of byDay) {
      const p = series.get(periodOf(dateOnly(r.day)!, q.granularity))!;
      p.s += num(r.s), p.a += num(r.a), p.r += num(r.r), p.w += num(r.w);
    }
    const byProduct = await select<Record<string, unknown> & { k: string }>(`SELECT product AS k, ${APP_SUMS} FROM report_application_daily WHERE $WHERE GROUP BY product`, w);
    const byFlow = await select<Record<string, unknown> & { k: number }>(`SELECT flow_id AS k, ${APP_SUMS} FROM report_application_daily WHERE $WHERE GROUP BY flow_id`, w);
    const flows = new Map((await db.select<{ id: number; name: string }>(sql('SELECT id, name FROM approval_flows'))).map((f) => [Number(f.id), f.name]));
    const nodes = await select<{ flow_id: number; node_name: string; d: number; a: number; r: number; ret: number; secs: number }>(
      'SELECT flow_id, node_name, SUM(decided) AS d, SUM(approved) AS a, SUM(rejected) AS r, SUM(returned) AS ret, SUM(duration_s) AS secs FROM report_approval_node_daily WHERE $WHERE GROUP BY flow_id, node_name', w);
    // p90 needs every duration: read from the decided tasks for periods up to a quarter; a longer
    // period (tens of thousands of tasks) shows the average only.
    const p90Window = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < P90_MAX_DAYS;
    const durations = nodes.length && p90Window ? await nodeDurations(viewer, q) : new Map<string, number[]>();
    const nodeStats: ApprovalNodeStat[] = nodes
      .filter((n) => num(n.d) > 0)
      .map((n) => {
        const list = (durations.get(`${n.flow_id}\u0001${n.node_name}`) ?? []).sort((x, y) => x - y);
        return {
          flowId: num(n.flow_id) || null,
          nodeName: n.node_name,
          decided: num(n.d),
          approved: num(n.a),
          rejected: num(n.r),
          returned: num(n.ret),
          avgSeconds: Math.round(num(n.secs) / num(n.d)),
          // Nearest rank: the smallest value with at least 90 % of the tasks at or below it.
          p90Seconds: list.length ? list[Math.ceil(list.length * 0.9) - 1] : null,
        };
      })
      .sort((a, b) => (b.avgSeconds ?? 0) - (a.avgSeconds ?? 0));
    const lw = await rollupWhere(viewer, q, { col: 'product_id', by: 'id' });
    const [cyc] = await select<{ n: number; days: number }>('SELECT SUM(disbursed_count) AS n, SUM(cycle_days) AS days FROM report_loan_daily WHERE $WHERE', lw);
    return {
      query: q,
      totals: appCounts(tot),
      series: [...series].map(([period, r]) => ({ period, ...appCounts(r) })),
      byProduct: byProduct.map((r) => ({ key: r.k, label: r.k, ...appCounts(r) })).sort((a, b) => b.submitted - a.submitted || a.key.localeCompare(b.key)),
      byFlow: byFlow.map((r) => ({ key: String(r.k), label: flows.get(Number(r.k)) ?? '未指定流程', ...appCounts(r) })).sort((a, b) => b.submitted - a.submitted),
      nodes: nodeStats,
      cycle: { loans: num(cyc?.n), avgDays: num(cyc?.n) ? Math.round((num(cyc?.days) * 10) / num(cyc?.n)) / 10 : null },
    };
  }

  // ---------- loans ----------

  async function loans(viewer: Actor, q: ReportQuery): Promise<LoansReport> {
    const product = { col: 'product_id', by: 'id' } as const;
    const w = await rollupWhere(viewer, q, product);
    // Overdue needs day precision in the month of today (due before today or not), so that month
    // is always read from the day rows.
    const cut = monthStart(shanghaiDate());
    const parts: PeriodParts =
      seriesGrain(q) === 'daily' || q.to < cut ? periodParts(q.from, q.to, seriesGrain(q) === 'daily')
      : q.from >= cut ? periodParts(q.from, q.to, true)
      : (() => {
          const a = periodParts(q.from, addDays(cut, -1));
          const b = periodParts(cut, q.to, true);
          return { daily: [...a.daily, ...b.daily], monthly: a.monthly };
        })();
    const wSeries = await rollupWhere(viewer, q, product, parts);
    const sw = await rollupWhere(viewer, q, product, false);
    const today = shanghaiDate();
    const days = await select<{ day: unknown; dc: number; df: number; rf: number; cf: number; due: number; paid: number }>(
      'SELECT day, SUM(disbursed_count) AS dc, SUM(disbursed_fen) AS df, SUM(received_fen) AS rf, SUM(commission_fen) AS cf, SUM(due_fen) AS due, SUM(due_paid_fen) AS paid FROM report_loan_daily WHERE $WHERE GROUP BY day', wSeries);
    const totals = { disbursedCount: 0, disbursedFen: 0, receivedFen: 0, commissionFen: 0 };
    const series = new Map(periods(q.from, q.to, q.granularity).map((p) => [p, { period: p, disbursedCount: 0, disbursedFen: 0, receivedFen: 0 }]));
    const months = new Map(periods(q.from, q.to, 'month').map((p) => [p.slice(0, 7), { month: p.slice(0, 7), receivableFen: 0, receivedFen: 0, overdueFen: 0 }]));
    for (const r of days) {
      const d = dateOnly(r.day)!;
      totals.disbursedCount += num(r.dc), totals.disbursedFen += num(r.df), totals.receivedFen += num(r.rf), totals.commissionFen += num(r.cf);
      const s = series.get(periodOf(d, q.granularity))!;
      s.disbursedCount += num(r.dc), s.disbursedFen += num(r.df), s.receivedFen += num(r.rf);
      const m = months.get(d.slice(0, 7))!;
      m.receivableFen += num(r.due);
      m.receivedFen += num(r.rf);
      if (d < today) m.overdueFen += num(r.due) - num(r.paid);
    }
    const state = await select<{ bucket: OverdueBucket; n: number; o: number }>('SELECT bucket, SUM(loans) AS n, SUM(outstanding_fen) AS o FROM report_loan_state WHERE $WHERE GROUP BY bucket', sw);
    const allOutstanding = state.reduce((s, r) => s + num(r.o), 0);
    const buckets = (Object.keys(OVERDUE_BUCKETS) as OverdueBucket[]).map((b) => {
      const r = state.find((x) => x.bucket === b);
      return { bucket: b, loans: num(r?.n), outstandingFen: num(r?.o), ratePpm: ratePpm(num(r?.o), allOutstanding) };
    });
    async function breakdown(col: 'channel' | 'product_id', label: (k: string) => string): Promise<LoanBreakdownRow[]> {
      const flow = await select<{ k: string | number; dc: number; df: number }>(`SELECT ${col} AS k, SUM(disbursed_count) AS dc, SUM(disbursed_fen) AS df FROM report_loan_daily WHERE $WHERE GROUP BY ${col}`, w);
      const st = await select<{ k: string | number; o: number; od: number }>(`SELECT ${col} AS k, SUM(outstanding_fen) AS o, SUM(CASE WHEN bucket <> 'current' THEN outstanding_fen ELSE 0 END) AS od FROM report_loan_state WHERE $WHERE GROUP BY ${col}`, sw);
      const rows = new Map<string, LoanBreakdownRow>();
      const get = (k: string) => rows.get(k) ?? rows.set(k, { key: k, label: label(k), disbursedCount: 0, disbursedFen: 0, outstandingFen: 0, overdueOutstandingFen: 0, overdueRatePpm: null }).get(k)!;
      for (const r of flow) Object.assign(get(String(r.k)), { disbursedCount: num(r.dc), disbursedFen: num(r.df) });
      for (const r of st) Object.assign(get(String(r.k)), { outstandingFen: num(r.o), overdueOutstandingFen: num(r.od) });
      for (const r of rows.values()) r.overdueRatePpm = ratePpm(r.overdueOutstandingFen, r.outstandingFen);
      return [...rows.values()].filter((r) => r.disbursedCount || r.outstandingFen).sort((a, b) => b.disbursedFen - a.disbursedFen || a.key.localeCompare(b.key));
    }
    const channels = await channelNames();
    const products = await productNames();
    return {
      query: q,
      totals,
      series: [...series.values()],
      months: [...months.values()],
      buckets,
      byChannel: await breakdown('channel', (k) => channels.get(k) ?? k),
      byProduct: await breakdown('product_id', (k) => products.get(Number(k)) ?? '未关联产品'),
    };
  }

  // ---------- overview ----------

  async function overview(viewer: Actor, q: ReportQuery): Promise<OverviewReport> {
    const w = await rollupWhere(viewer, q);
    const aw = await rollupWhere(viewer, q, { col: 'product', by: 'name' });
    const lw = await rollupWhere(viewer, q, { col: 'product_id', by: 'id' });
    const sw = await rollupWhere(viewer, q, { col: 'product_id', by: 'id' }, false);
    const [c] = await select<{ n: number }>('SELECT SUM(new_customers) AS n FROM report_customer_daily WHERE $WHERE', w);
    const [f] = await select<{ n: number; t: number }>('SELECT SUM(follow_ups) AS n, SUM(customers_touched) AS t FROM report_followup_daily WHERE $WHERE', w);
    const [a] = await select<{ s: number; a: number; r: number }>('SELECT SUM(submitted) AS s, SUM(approved) AS a, SUM(rejected) AS r FROM report_application_daily WHERE $WHERE', aw);
    const [l] = await select<{ dc: number; df: number; rf: number; cf: number }>('SELECT SUM(disbursed_count) AS dc, SUM(disbursed_fen) AS df, SUM(received_fen) AS rf, SUM(commission_fen) AS cf FROM report_loan_daily WHERE $WHERE', lw);
    const [s] = await select<{ o: number }>("SELECT SUM(outstanding_fen) AS o FROM report_loan_state WHERE $WHERE AND bucket <> 'current'", sw);
    return {
      query: q,
      newCustomers: num(c?.n),
      followUps: num(f?.n),
      customersTouched: num(f?.t),
      applicationsSubmitted: num(a?.s),
      applicationsApproved: num(a?.a),
      applicationsRejected: num(a?.r),
      disbursedCount: num(l?.dc),
      disbursedFen: num(l?.df),
      receivedFen: num(l?.rf),
      commissionFen: num(l?.cf),
      overdueOutstandingFen: num(s?.o),
    };
  }

  // ---------- leaderboard ----------

  async function leaderboard(viewer: Actor, q: ReportQuery, opts: LeaderboardOptions): Promise<LeaderboardReport> {
    const col = opts.by === 'officer' ? 'owner_id' : 'department_id';
    const source = {
      disbursed_fen: { table: 'report_loan_daily', expr: 'SUM(disbursed_fen)', product: { col: 'product_id', by: 'id' } as Cols['product'] },
      new_customers: { table: 'report_customer_daily', expr: 'SUM(new_customers)', product: null },
      follow_ups: { table: 'report_followup_daily', expr: 'SUM(follow_ups)', product: null },
      conversion: { table: 'report_customer_daily', expr: 'SUM(disbursed)', product: null },
    }[opts.metric];
    const w = await rollupWhere(viewer, q, source.product);
    const rows = await select<{ k: number; v: number; d: number }>(
      `SELECT ${col} AS k, ${source.expr} AS v${opts.metric === 'conversion' ? ', SUM(new_customers) AS d' : ', 0 AS d'} FROM ${source.table} WHERE $WHERE AND ${col} <> 0 GROUP BY ${col}`, w);
    const names = opts.by === 'officer' ? await userNames(rows.map((r) => Number(r.k))) : await departmentNames(rows.map((r) => Number(r.k)));
    const ranked = rows
      .map((r) => (opts.metric === 'conversion'
        ? { id: Number(r.k), value: ratePpm(num(r.v), num(r.d)) ?? 0, numerator: num(r.v), denominator: num(r.d) }
        : { id: Number(r.k), value: num(r.v) }))
      .filter((r) => r.value > 0 || ('denominator' in r && (r.denominator ?? 0) > 0))
      .sort((a, b) => b.value - a.value || a.id - b.id)
      .slice(0, opts.limit);
    // Equal values share a rank (1, 2, 2, 4).
    let rank = 0;
    const out = ranked.map((r, i) => {
      if (i === 0 || r.value !== ranked[i - 1].value) rank = i + 1;
      return { rank, name: names.get(r.id) ?? String(r.id), ...r };
    });
    return { query: q, metric: opts.metric, by: opts.by, rows: out };
  }

  // ---------- drill-down ----------

  interface DrillSource {
    kind: DrillKind;
    /** FROM … (aliases: c customers, u/o the owner, dp department) */
    from: string;
    cols: Cols;
    /** The business date of each record (an expression), the amount, title and status. */
    date: string;
    /** Timestamps are bounded as UTC instants; DATEONLY as business days. */
    timestamp: boolean;
    id: string;
    amount: string | null;
    title: string;
    status: string | null;
    extra: Sql[];
    dims: Partial<Record<NonNullable<DrillOptions['dim']>, string>>;
  }

  function drillSource(metric: DrillOptions['metric']): DrillSource {
    const customerCols: Cols = { day: '', dept: 'c.department_id', owner: 'c.owner_id', channel: 'c.channel', product: null };
    const appCols: Cols = { day: '', dept: 'a.department_id', owner: 'a.applicant_id', channel: 'c.channel', product: { col: 'a.product', by: 'name' } };
    const loanCols: Cols = { day: '', dept: 'l.department_id', owner: 'l.owner_id', channel: 'l.channel', product: { col: 'l.product_id', by: 'id' } };
    const loanDims = { channel: 'l.channel', team: 'l.department_id', officer: 'l.owner_id', product: 'l.product_id', bucket: 'l.overdue_bucket' };
    if (metric === 'new_customers' || metric.startsWith('funnel.')) {
      const level = metric === 'new_customers' ? 0 : FUNNEL_LEVEL[metric.slice(7) as FunnelStep];
      const extra: Sql[] = [];
      if (level > 0) {
        const stages = stagesFrom(level);
        const reached = [
          sql('c.stage IN (?)', stages),
          sql('EXISTS (SELECT 1 FROM customer_stage_changes s WHERE s.customer_id = c.id AND s.to_stage IN (?))', stages),
          sql("EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id AND l.status <> 'reversed')"),
          ...(level <= 3 ? [sql('EXISTS (SELECT 1 FROM applications a WHERE a.customer_id = c.id AND a.submitted_at IS NOT NULL)')] : []),
          ...(level <= 4 ? [sql("EXISTS (SELECT 1 FROM applications a WHERE a.customer_id = c.id AND a.status = 'approved')")] : []),
        ];
        extra.push({ text: reached.map((r) => `(${r.text})`).join(' OR '), params: reached.flatMap((r) => r.params) });
      }
      return { kind: 'customers', from: 'customers c', cols: customerCols, date: 'c.created_at', timestamp: true, id: 'c.id', amount: null, title: 'c.stage', status: 'c.stage', extra, dims: { channel: 'c.channel', team: 'c.department_id', officer: 'c.owner_id' } };
    }
    if (metric === 'follow_ups') {
      return {
        kind: 'follow_ups', from: 'follow_ups f JOIN customers c ON c.id = f.customer_id JOIN users u ON u.id = f.user_id', cols: { day: '', dept: 'u.department_id', owner: 'f.user_id', channel: 'c.channel', product: null },
        date: 'f.created_at', timestamp: true, id: 'f.id', amount: null, title: 'f.type', status: 'f.outcome', extra: [], dims: { channel: 'c.channel', team: 'u.department_id', officer: 'f.user_id', type: 'f.type' },
      };
    }
    if (metric.startsWith('applications.')) {
      const what = metric.slice(13);
      const appDims = { channel: 'c.channel', team: 'a.department_id', officer: 'a.applicant_id', product: 'a.product', flow: 'a.flow_id' };
      if (what === 'submitted') {
        return { kind: 'applications', from: 'application_actions x JOIN applications a ON a.id = x.application_id JOIN customers c ON c.id = a.customer_id', cols: appCols, date: 'x.created_at', timestamp: true, id: 'a.id', amount: 'a.amount_fen', title: 'a.product', status: 'a.status', extra: [sql("x.action IN ('submit', 'resubmit')")], dims: appDims };
      }
      if (what === 'withdrawn') {
        return { kind: 'applications', from: "application_actions x JOIN applications a ON a.id = x.application_id JOIN customers c ON c.id = a.customer_id", cols: appCols, date: 'x.created_at', timestamp: true, id: 'a.id', amount: 'a.amount_fen', title: 'a.product', status: 'a.status', extra: [sql("x.action = 'withdraw' AND a.status = 'withdrawn'")], dims: appDims };
      }
      return { kind: 'applications', from: 'applications a JOIN customers c ON c.id = a.customer_id', cols: appCols, date: 'a.decided_at', timestamp: true, id: 'a.id', amount: 'a.amount_fen', title: 'a.product', status: 'a.status', extra: [sql('a.status = ?', what)], dims: appDims };
    }
    const loanFrom = 'loans l JOIN customers c ON c.id = l.customer_id';
    switch (metric) {
      case 'loans.disbursed':
        return { kind: 'loans', from: loanFrom, cols: loanCols, date: 'l.disbursed_on', timestamp: false, id: 'l.id', amount: 'l.principal_fen', title: 'l.loan_no', status: 'l.status', extra: [sql("l.status <> 'reversed'")], dims: loanDims };
      case 'loans.received':
        return { kind: 'payments', from: 'loan_entries e JOIN loans l ON l.id = e.loan_id JOIN customers c ON c.id = l.customer_id', cols: loanCols, date: 'e.occurred_on', timestamp: false, id: 'e.id', amount: 'e.amount_fen', title: 'l.loan_no', status: 'e.kind', extra: [sql("e.kind IN ('payment', 'early_settlement') AND e.reversed_by_entry_id IS NULL AND l.status <> 'reversed'")], dims: loanDims };
      case 'loans.receivable':
      case 'loans.overdue': {
        const due = 'CASE WHEN i.principal_fen + i.interest_fen - i.waived_fen > i.paid_principal_fen + i.paid_interest_fen THEN i.principal_fen + i.interest_fen - i.waived_fen ELSE i.paid_principal_fen + i.paid_interest_fen END';
        const overdue = metric === 'loans.overdue';
        return {
          kind: 'installments', from: 'installments i JOIN loans l ON l.id = i.loan_id JOIN customers c ON c.id = l.customer_id', cols: loanCols, date: 'i.due_on', timestamp: false, id: 'i.id',
          amount: overdue ? `(${due}) - (i.paid_principal_fen + i.paid_interest_fen)` : due, title: 'l.loan_no', status: 'i.status',
          extra: [sql("l.status <> 'reversed'"), ...(overdue ? [sql(`i.due_on < ? AND (${due}) > i.paid_principal_fen + i.paid_interest_fen`, shanghaiDate())] : [])], dims: loanDims,
        };
      }
      case 'loans.bucket':
      default:
        return { kind: 'loans', from: loanFrom, cols: loanCols, date: 'l.disbursed_on', timestamp: false, id: 'l.id', amount: 'l.outstanding_principal_fen', title: 'l.loan_no', status: 'l.overdue_bucket', extra: [sql("l.status = 'active'")], dims: loanDims };
    }
  }

  async function drill(viewer: Actor, q: ReportQuery, opts: DrillOptions): Promise<DrillReport> {
    const src = drillSource(opts.metric);
    const parts: Sql[] = [await where(viewer, q, src.cols), ...src.extra];
    // The bucket picture is a snapshot of live loans, not dated; everything else is within the period.
    if (opts.metric !== 'loans.bucket') {
      if (src.timestamp) {
        const [start, end] = dayBounds(q.from, q.to);
        parts.push(sql(`${src.date} >= ? AND ${src.date} < ?`, start, end));
      } else parts.push(sql(`${src.date} >= ? AND ${src.date} <= ?`, q.from, q.to));
    }
    if (opts.dim && opts.key) {
      if (opts.dim === 'month' || opts.dim === 'period') {
        const first = opts.dim === 'month' ? `${opts.key.slice(0, 7)}-01` : opts.key;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(first)) throw new AppError(422, 'VALIDATION_FAILED', '日期格式不正确');
        const g: Granularity = opts.dim === 'month' ? 'month' : q.granularity;
        const last = g === 'day' ? first : g === 'week' ? addDays(first, 6) : addDays(`${addDays(first, 31).slice(0, 7)}-01`, -1);
        if (src.timestamp) {
          const [start, end] = dayBounds(first, last);
          parts.push(sql(`${src.date} >= ? AND ${src.date} < ?`, start, end));
        } else parts.push(sql(`${src.date} >= ? AND ${src.date} <= ?`, first, last));
      } else {
        const col = src.dims[opts.dim];
        if (!col) throw new AppError(422, 'VALIDATION_FAILED', '该指标不支持这个维度');
        parts.push(sql(`${col} = ?`, opts.key));
      }
    }
    const w = and(parts);
    const [tot] = await db.select<{ n: number; s: number | null }>({ text: `SELECT COUNT(*) AS n${src.amount ? `, SUM(${src.amount}) AS s` : ''} FROM ${src.from} WHERE ${w.text}`, params: w.params });
    const rows = await db.select<{ id: number; customer_id: number; customer_name: string; phone_enc: string; owner_id: number | null; department_id: number | null; channel: string | null; d: unknown; title: string; amount: number | null; status: string | null }>({
      text: `SELECT ${src.id} AS id, c.id AS customer_id, c.name AS customer_name, c.phone_enc, ${src.cols.owner} AS owner_id, ${src.cols.dept} AS department_id, ${src.cols.channel} AS channel, ${src.date} AS d, ${src.title} AS title, ${src.amount ?? 'NULL'} AS amount, ${src.status ?? 'NULL'} AS status
             FROM ${src.from} WHERE ${w.text} ORDER BY ${src.date} DESC, ${src.id} DESC LIMIT ? OFFSET ?`,
      params: [...w.params, opts.pageSize, (opts.page - 1) * opts.pageSize],
    });
    const users = await userNames(rows.map((r) => num(r.owner_id)));
    const depts = await departmentNames(rows.map((r) => num(r.department_id)));
    const plain = FIELD_ACCESS[viewer.role].phone === 'plain';
    // Keys go out with their Chinese names (like statusName/stageName elsewhere), so every client
    // shows the words the rest of the app uses.
    const statusWords: Record<string, string> = src.status === 'l.overdue_bucket' ? OVERDUE_BUCKETS : DRILL_STATUS_WORDS[src.kind];
    const items: DrillItem[] = rows.map((r) => {
      const phone = crypto.decrypt(r.phone_enc);
      return {
        id: Number(r.id),
        kind: src.kind,
        customerId: Number(r.customer_id),
        customerName: r.customer_name,
        phone: plain ? phone : maskPhone(phone),
        ownerName: users.get(num(r.owner_id)) ?? null,
        departmentName: depts.get(num(r.department_id)) ?? null,
        channel: r.channel,
        date: src.timestamp ? dayOf(r.d)! : dateOnly(r.d)!,
        title: src.kind === 'follow_ups' ? (FOLLOWUP_TYPES[r.title as FollowUpType] ?? r.title) : src.kind === 'customers' ? (STAGES[r.title as Stage] ?? r.title) : String(r.title ?? ''),
        amountFen: r.amount === null || r.amount === undefined ? null : num(r.amount),
        status: r.status ?? null,
        statusName: r.status ? (statusWords[r.status] ?? r.status) : null,
      };
    });
    return { query: q, metric: opts.metric, dim: opts.dim ?? null, key: opts.key ?? null, kind: src.kind, total: num(tot?.n), totalFen: src.amount ? num(tot?.s) : null, page: opts.page, pageSize: opts.pageSize, items };
  }

  return { overview, funnel, activity, applications, loans, leaderboard, drill, rollups };
}
export type MetricsService = ReturnType<typeof createMetricsService>;

/** A drill-down record's status column in words, per kind of record. */
const DRILL_STATUS_WORDS: Record<DrillItem['kind'], Record<string, string>> = {
  customers: STAGES,
  follow_ups: FOLLOWUP_OUTCOMES,
  applications: APPLICATION_STATUSES,
  loans: LOAN_STATUSES,
  installments: INSTALLMENT_STATUSES,
  payments: LOAN_ENTRY_KINDS,
};

export { FUNNEL_STEPS };
