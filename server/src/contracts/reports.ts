// Metrics and dashboards (issue #7, C21): the query every report endpoint takes and the shape of
// each answer, shared by server, H5 (数据 page, report builder) and bot (daily summary).
// Money is integer fen; rates are integer ppm of 1 (250_000 = 25 %), null when the base is 0;
// durations are whole seconds; dates are Asia/Shanghai business dates (YYYY-MM-DD), `to` inclusive.
import { z } from 'zod';
import { isValidDate } from './dates';
import type { FollowUpType } from './catalog';
import type { OverdueBucket } from './loans';

/** The longest range one query may cover (rollups make a year cheap; more is a report builder job). */
export const MAX_RANGE_DAYS = 366;

const businessDate = (label: string) =>
  z.string({ error: `请选择${label}` }).refine(isValidDate, { message: `${label}格式应为 YYYY-MM-DD` });

export const GRANULARITIES = { day: '按日', week: '按周', month: '按月' } as const;
export type Granularity = keyof typeof GRANULARITIES;

/**
 * The period and filters of every metric call. Filters narrow within the viewer's data scope and
 * never widen it: a team lead asking for another team's departmentId gets zeros, not their numbers.
 */
export const ReportQueryFields = z.object({
  from: businessDate('开始日期'),
  to: businessDate('结束日期'),
  /** A team or branch: its whole subtree. */
  departmentId: z.coerce.number().int().positive().optional(),
  /** One officer (the owner for customers/loans, the author for follow-ups, the applicant for applications). */
  ownerId: z.coerce.number().int().positive().optional(),
  channel: z.string().trim().min(1).max(32).optional(),
  /** A catalogue product: loans by product_id, applications by the product's name or code. */
  productId: z.coerce.number().int().positive().optional(),
  granularity: z.enum(Object.keys(GRANULARITIES) as [Granularity, ...Granularity[]]).default('day'),
});

/** The period checks, for ReportQueryFields or an extension of it (routes add their own options). */
export function periodChecked<T extends z.ZodType<{ from: string; to: string }>>(schema: T) {
  return schema
    .refine((q) => q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['from'] })
    .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_RANGE_DAYS, { message: `统计区间不能超过 ${MAX_RANGE_DAYS} 天`, path: ['to'] });
}

/**
 * The period and filters of every metric call. Filters narrow within the viewer's data scope and
 * never widen it: a team lead asking for another team's departmentId gets zeros, not their numbers.
 */
export const ReportQuery = periodChecked(ReportQueryFields);
export type ReportQuery = z.infer<typeof ReportQuery>;
export type ReportQueryInput = z.input<typeof ReportQuery>;

// ---------- funnel ----------

/** The lead funnel, in order. Each customer counts once per step it ever reached (a cohort of leads created in the period). */
export const FUNNEL_STEPS = {
  leads: '线索',
  intent: '意向',
  due_diligence: '尽调',
  applied: '进件',
  approved: '审批通过',
  disbursed: '放款',
} as const;
export type FunnelStep = keyof typeof FUNNEL_STEPS;
export const FUNNEL_STEP_KEYS = Object.keys(FUNNEL_STEPS) as [FunnelStep, ...FunnelStep[]];

export const FUNNEL_BY = { channel: '按渠道', team: '按团队', officer: '按信贷员', none: '合计' } as const;
export type FunnelBy = keyof typeof FUNNEL_BY;

export const FunnelQueryFields = z.object({ by: z.enum(Object.keys(FUNNEL_BY) as [FunnelBy, ...FunnelBy[]]).default('channel') });

export interface FunnelRow {
  /** channel code, department id or user id (as a string); 'all' for the total. */
  key: string;
  label: string;
  counts: Record<FunnelStep, number>;
  /** Step-to-step conversion (intent / leads …), ppm; leads' own entry is null. */
  stepRatePpm: Record<FunnelStep, number | null>;
  /** Overall conversion from leads, ppm. */
  overallRatePpm: Record<FunnelStep, number | null>;
  /** Channel rows only: cost entered for the months the period touches (prorated by days), disbursed amount and ROI. */
  costFen?: number | null;
  costPerLeadFen?: number | null;
  disbursedFen?: number;
  commissionFen?: number;
  /** 投产比: disbursed ÷ cost, ppm; null when no cost is entered or the view is not the whole company. */
  roiPpm?: number | null;
}
export interface FunnelReport {
  query: ReportQuery;
  by: FunnelBy;
  steps: FunnelStep[];
  rows: FunnelRow[];
  total: FunnelRow;
}

// ---------- activity ----------

export interface ActivityPoint {
  /** The bucket's first day (day / Monday of the week / first of the month). */
  period: string;
  followUps: number;
  byType: Record<FollowUpType, number>;
  /** Customers followed up, counted once per person per day (人·日). */
  customersTouched: number;
  newCustomers: number;
}
export interface ActivityReport {
  query: ReportQuery;
  totals: Omit<ActivityPoint, 'period'>;
  series: ActivityPoint[];
}

// ---------- applications ----------

export interface ApplicationCounts {
  /** Submissions in the period (a resubmission after 退回 counts again). */
  submitted: number;
  approved: number;
  rejected: number;
  withdrawn: number;
  /** approved / (approved + rejected), ppm. */
  passRatePpm: number | null;
}
export interface ApplicationBreakdownRow extends ApplicationCounts {
  key: string;
  label: string;
}
export interface ApprovalNodeStat {
  flowId: number | null;
  nodeName: string;
  /** Approval tasks decided in the period at this node. */
  decided: number;
  approved: number;
  rejected: number;
  returned: number;
  avgSeconds: number | null;
  p90Seconds: number | null;
}
export interface ApplicationsReport {
  query: ReportQuery;
  totals: ApplicationCounts;
  series: (ApplicationCounts & { period: string })[];
  byProduct: ApplicationBreakdownRow[];
  byFlow: ApplicationBreakdownRow[];
  /** Slowest first: the bottlenecks. */
  nodes: ApprovalNodeStat[];
  /** Loans disbursed in the period: days from the customer's creation to disbursement. */
  cycle: { loans: number; avgDays: number | null };
}

// ---------- loans ----------

export interface LoanMonth {
  month: string; // YYYY-MM
  /** Principal + interest of installments due in the month (less interest waived). */
  receivableFen: number;
  /** Payments received in the month (ledger, net of reversals). */
  receivedFen: number;
  /** Of what fell due in the month before today, the part still unpaid. */
  overdueFen: number;
}
export interface LoanBucketStat {
  bucket: OverdueBucket;
  loans: number;
  outstandingFen: number;
  /** outstanding in the bucket / all outstanding of live loans in scope, ppm. */
  ratePpm: number | null;
}
export interface LoanBreakdownRow {
  key: string;
  label: string;
  disbursedCount: number;
  disbursedFen: number;
  outstandingFen: number;
  overdueOutstandingFen: number;
  /** Outstanding principal past due (M1 and later) / outstanding, ppm — a snapshot as of now. */
  overdueRatePpm: number | null;
}
export interface LoansReport {
  query: ReportQuery;
  totals: { disbursedCount: number; disbursedFen: number; receivedFen: number; commissionFen: number };
  series: { period: string; disbursedCount: number; disbursedFen: number; receivedFen: number }[];
  months: LoanMonth[];
  /** Live loans now (not dated): the overdue picture by bucket. */
  buckets: LoanBucketStat[];
  byChannel: LoanBreakdownRow[];
  byProduct: LoanBreakdownRow[];
}

// ---------- overview (the first screen and the daily summary) ----------

export interface OverviewReport {
  query: ReportQuery;
  newCustomers: number;
  followUps: number;
  customersTouched: number;
  applicationsSubmitted: number;
  applicationsApproved: number;
  applicationsRejected: number;
  disbursedCount: number;
  disbursedFen: number;
  receivedFen: number;
  commissionFen: number;
  /** Outstanding principal of live loans past due, now. */
  overdueOutstandingFen: number;
}

// ---------- leaderboards ----------

export const LEADERBOARD_METRICS = {
  disbursed_fen: '放款金额',
  new_customers: '新增客户',
  follow_ups: '跟进次数',
  conversion: '转化率',
} as const;
export type LeaderboardMetric = keyof typeof LEADERBOARD_METRICS;
export const LEADERBOARD_BY = { officer: '按信贷员', team: '按团队' } as const;
export type LeaderboardBy = keyof typeof LEADERBOARD_BY;

export const LeaderboardQuery = z.object({
  metric: z.enum(Object.keys(LEADERBOARD_METRICS) as [LeaderboardMetric, ...LeaderboardMetric[]], { error: '请选择排行指标' }),
  by: z.enum(Object.keys(LEADERBOARD_BY) as [LeaderboardBy, ...LeaderboardBy[]]).default('officer'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type LeaderboardOptions = z.infer<typeof LeaderboardQuery>;

export interface LeaderboardRow {
  rank: number;
  /** user id (officer) or department id (team). */
  id: number;
  name: string;
  /** fen for disbursed_fen, a count, or ppm for conversion (disbursed / leads of the period's cohort). */
  value: number;
  /** conversion only: the counts behind the rate. */
  numerator?: number;
  denominator?: number;
}
export interface LeaderboardReport {
  query: ReportQuery;
  metric: LeaderboardMetric;
  by: LeaderboardBy;
  rows: LeaderboardRow[];
}

// ---------- drill-down ----------

/**
 * Every number above is one of these metrics, optionally narrowed by a breakdown key; drilling in
 * lists the records behind it, read from the raw tables with the same filters, so the list's
 * total equals the number.
 */
export const DRILL_METRICS = {
  new_customers: '新增客户',
  'funnel.leads': '线索',
  'funnel.intent': '意向',
  'funnel.due_diligence': '尽调',
  'funnel.applied': '进件',
  'funnel.approved': '审批通过',
  'funnel.disbursed': '放款',
  follow_ups: '跟进记录',
  'applications.submitted': '提交审批',
  'applications.approved': '审批通过',
  'applications.rejected': '审批驳回',
  'applications.withdrawn': '撤回',
  'loans.disbursed': '放款',
  'loans.received': '回款',
  'loans.receivable': '应收',
  'loans.overdue': '逾期未还',
  'loans.bucket': '逾期分布',
} as const;
export type DrillMetric = keyof typeof DRILL_METRICS;

/** Which breakdown the key belongs to. */
export const DRILL_DIMENSIONS = ['channel', 'team', 'officer', 'product', 'type', 'bucket', 'month', 'period', 'flow'] as const;
export type DrillDimension = (typeof DRILL_DIMENSIONS)[number];

export const DrillQueryFields = z.object({
  metric: z.enum(Object.keys(DRILL_METRICS) as [DrillMetric, ...DrillMetric[]], { error: '未知的指标' }),
    dim: z.enum(DRILL_DIMENSIONS).optional(),
    key: z.string().trim().min(1).max(64).optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export const drillKeyCheck = { check: (d: { dim?: unknown; key?: unknown }) => !d.dim === !d.key, message: '维度和取值需同时提供' };
export const DrillQuery = DrillQueryFields.refine(drillKeyCheck.check, { message: drillKeyCheck.message, path: ['key'] });
export type DrillOptions = z.infer<typeof DrillQuery>;

export type DrillKind = 'customers' | 'follow_ups' | 'applications' | 'loans' | 'installments' | 'payments';

/** One record behind a number; phone masked as the viewer's list shows it. */
export interface DrillItem {
  id: number;
  kind: DrillKind;
  customerId: number;
  customerName: string;
  /** Masked (138****1234) unless the viewer may see it whole. */
  phone: string;
  ownerName: string | null;
  departmentName: string | null;
  channel: string | null;
  /** The record's business date. */
  date: string;
  /** Free per kind, in words: stage, follow-up type, application product, loan no … */
  title: string;
  amountFen: number | null;
  /** The record's status key (stage, outcome, application/loan/installment status, bucket, entry kind). */
  status: string | null;
  /** The status in Chinese, as the rest of the app names it. */
  statusName: string | null;
}
export interface DrillReport {
  query: ReportQuery;
  metric: DrillMetric;
  dim: DrillDimension | null;
  key: string | null;
  kind: DrillKind;
  total: number;
  /** Sum of amountFen over all matching records (not just this page), for money metrics. */
  totalFen: number | null;
  page: number;
  pageSize: number;
  items: DrillItem[];
}

// ---------- channel costs (ROI) ----------

export const ChannelCostInput = z.object({
  channel: z.string({ error: '请选择渠道' }).trim().min(1).max(32),
  month: z.string({ error: '请选择月份' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM'),
  costFen: z.coerce.number({ error: '请填写费用' }).int('费用须精确到分').min(0, '费用不能为负').max(1e13),
  note: z.string().trim().max(200).optional(),
});
export type ChannelCostInput = z.infer<typeof ChannelCostInput>;
export interface ChannelCost extends ChannelCostInput {
  updatedAt: string;
}
