// The report builder (C23): which datasets a user may chart, by which dimensions and measures,
// and the schema a report definition must pass. Shared by the server (which maps each key to a
// whitelisted SQL expression in modules/reports/builder/datasets.ts) and the H5 builder page.
// Input only ever names keys from these maps; no text from a request reaches SQL.
import { z } from 'zod';
import { isValidDate } from './dates';

export type DimensionKind = 'date' | 'ref' | 'enum' | 'text';
export type MeasureUnit = 'fen' | 'months' | 'ppm' | 'days';

export interface DimensionDef {
  label: string;
  kind: DimensionKind;
}

export interface DatasetDef {
  label: string;
  /** What the date dimension and the period are measured on. */
  dateLabel: string;
  dimensions: Record<string, DimensionDef>;
  /** Numeric fields for sum / avg. */
  numbers: Record<string, { label: string; unit: MeasureUnit }>;
  /** Fields for distinct count. */
  distinct: Record<string, string>;
  /** Named conditions for the rate measure (share of rows meeting it). */
  rates: Record<string, string>;
  /** Fields that are masked (C28): never a dimension, filter or measure; named so the refusal is clear. */
  masked: Record<string, string>;
}

const COMMON_MASKED = { phone: '手机号', idNumber: '身份证号', name: '客户姓名' };

export const DATASETS = {
  customers: {
    label: '客户',
    dateLabel: '登记日期',
    dimensions: {
      date: { label: '登记日期', kind: 'date' },
      team: { label: '团队', kind: 'ref' },
      officer: { label: '负责人', kind: 'ref' },
      channel: { label: '渠道', kind: 'ref' },
      stage: { label: '阶段', kind: 'enum' },
      city: { label: '城市', kind: 'text' },
      collateral: { label: '抵押物', kind: 'enum' },
    },
    numbers: { loanAmount: { label: '意向金额', unit: 'fen' }, monthlyIncome: { label: '月收入', unit: 'fen' }, loanTerm: { label: '意向期限', unit: 'months' } },
    distinct: { officer: '负责人', channel: '渠道', city: '城市' },
    rates: { converted: '放款转化率(已放款及以后)', lost: '无效率' },
    masked: COMMON_MASKED,
  },
  followups: {
    label: '跟进记录',
    dateLabel: '跟进日期',
    dimensions: {
      date: { label: '跟进日期', kind: 'date' },
      team: { label: '团队', kind: 'ref' },
      officer: { label: '跟进人', kind: 'ref' },
      channel: { label: '客户渠道', kind: 'ref' },
      stage: { label: '客户阶段', kind: 'enum' },
      city: { label: '城市', kind: 'text' },
      type: { label: '跟进方式', kind: 'enum' },
      outcome: { label: '跟进结果', kind: 'enum' },
    },
    numbers: {},
    distinct: { customer: '客户', officer: '跟进人' },
    rates: { visit: '面谈占比', call: '电话占比' },
    masked: { ...COMMON_MASKED, content: '跟进内容' },
  },
  applications: {
    label: '进件',
    dateLabel: '提交日期',
    dimensions: {
      date: { label: '提交日期', kind: 'date' },
      team: { label: '团队', kind: 'ref' },
      officer: { label: '申请人', kind: 'ref' },
      channel: { label: '客户渠道', kind: 'ref' },
      product: { label: '产品', kind: 'text' },
      stage: { label: '进件状态', kind: 'enum' },
      city: { label: '城市', kind: 'text' },
    },
    numbers: { amount: { label: '申请金额', unit: 'fen' }, term: { label: '期限', unit: 'months' } },
    distinct: { customer: '客户', officer: '申请人' },
    rates: { approved: '通过率', rejected: '拒绝率' },
    masked: COMMON_MASKED,
  },
  approval_tasks: {
    label: '审批任务',
    dateLabel: '到达日期',
    dimensions: {
      date: { label: '到达日期', kind: 'date' },
      team: { label: '申请团队', kind: 'ref' },
      officer: { label: '审批人', kind: 'ref' },
      channel: { label: '客户渠道', kind: 'ref' },
      product: { label: '产品', kind: 'text' },
      stage: { label: '任务状态', kind: 'enum' },
      city: { label: '城市', kind: 'text' },
      node: { label: '审批节点', kind: 'text' },
    },
    numbers: {},
    distinct: { application: '进件', officer: '审批人' },
    rates: { approved: '同意率', rejected: '驳回率' },
    masked: { ...COMMON_MASKED, comment: '审批意见' },
  },
  loans: {
    label: '贷款',
    dateLabel: '放款日期',
    dimensions: {
      date: { label: '放款日期', kind: 'date' },
      team: { label: '团队', kind: 'ref' },
      officer: { label: '负责人', kind: 'ref' },
      channel: { label: '渠道', kind: 'ref' },
      product: { label: '产品', kind: 'ref' },
      stage: { label: '贷款状态', kind: 'enum' },
      city: { label: '城市', kind: 'text' },
      bucket: { label: '逾期分档', kind: 'enum' },
    },
    numbers: {
      principal: { label: '放款本金', unit: 'fen' },
      outstanding: { label: '剩余本金', unit: 'fen' },
      annualRate: { label: '年化利率', unit: 'ppm' },
      term: { label: '期限', unit: 'months' },
      daysPastDue: { label: '逾期天数', unit: 'days' },
    },
    distinct: { customer: '客户', officer: '负责人' },
    rates: { overdue: '逾期率(笔数)', settled: '结清率' },
    masked: { ...COMMON_MASKED, lenderLoanNo: '资方借据号' },
  },
  installments: {
    label: '还款计划',
    dateLabel: '应还日期',
    dimensions: {
      date: { label: '应还日期', kind: 'date' },
      team: { label: '团队', kind: 'ref' },
      officer: { label: '负责人', kind: 'ref' },
      channel: { label: '渠道', kind: 'ref' },
      product: { label: '产品', kind: 'ref' },
      stage: { label: '期次状态', kind: 'enum' },
      city: { label: '城市', kind: 'text' },
    },
    numbers: {
      due: { label: '应还本息', unit: 'fen' },
      paid: { label: '实还本息', unit: 'fen' },
      principal: { label: '应还本金', unit: 'fen' },
      interest: { label: '应还利息', unit: 'fen' },
      penalty: { label: '罚息', unit: 'fen' },
    },
    distinct: { loan: '贷款', customer: '客户' },
    rates: { paid: '还清率', overdue: '逾期率' },
    masked: COMMON_MASKED,
  },
  collections: {
    label: '催收记录',
    dateLabel: '催收日期',
    dimensions: {
      date: { label: '催收日期', kind: 'date' },
      team: { label: '团队', kind: 'ref' },
      officer: { label: '催收人', kind: 'ref' },
      channel: { label: '渠道', kind: 'ref' },
      product: { label: '产品', kind: 'ref' },
      stage: { label: '催收方式', kind: 'enum' },
      city: { label: '城市', kind: 'text' },
      promise: { label: '承诺状态', kind: 'enum' },
    },
    numbers: { promiseAmount: { label: '承诺还款金额', unit: 'fen' }, daysPastDue: { label: '逾期天数', unit: 'days' } },
    distinct: { loan: '贷款', customer: '客户', officer: '催收人' },
    rates: { promised: '承诺还款率', kept: '承诺兑现率(笔数)' },
    masked: { ...COMMON_MASKED, result: '催收结果' },
  },
} as const satisfies Record<string, DatasetDef>;

export type DatasetKey = keyof typeof DATASETS;
export const DATASET_KEYS = Object.keys(DATASETS) as [DatasetKey, ...DatasetKey[]];

export const DATE_BUCKETS = { day: '按日', week: '按周', month: '按月' } as const;
export type DateBucket = keyof typeof DATE_BUCKETS;

export const MEASURE_FNS = { count: '计数', sum: '合计', avg: '平均', distinct: '去重计数', rate: '比率' } as const;
export type MeasureFn = keyof typeof MEASURE_FNS;

export const CHART_TYPES = { bar: '柱状图', line: '折线图', pie: '饼图', funnel: '漏斗图', table: '表格' } as const;
export type ChartType = keyof typeof CHART_TYPES;

export const FILTER_OPS = { eq: '等于', neq: '不等于', in: '属于', gte: '不小于', lte: '不大于' } as const;
export type FilterOp = keyof typeof FILTER_OPS;

/** Most groups a report returns; the chart beyond that is unreadable anyway. */
export const REPORT_ROW_LIMIT = 500;

/** A key as it may appear in a definition: short, letters and underscores only. */
const Key = z.string().regex(/^[a-zA-Z][a-zA-Z_]{0,39}$/, '字段名无效');
const Scalar = z.union([z.string().max(64), z.number().int().safe()]);

export const ReportDimension = z.object({ field: Key, bucket: z.enum(['day', 'week', 'month']).optional() }).strict();
export const ReportMeasure = z.object({ fn: z.enum(['count', 'sum', 'avg', 'distinct', 'rate']), field: Key.optional() }).strict();
export const ReportFilter = z
  .object({ field: Key, op: z.enum(['eq', 'neq', 'in', 'gte', 'lte']), value: z.union([Scalar, z.array(Scalar).min(1).max(50)]) })
  .strict();

const BusinessDate = z.string().refine(isValidDate, '日期格式应为 YYYY-MM-DD');

export const ReportDefinition = z
  .object({
    dataset: z.enum(DATASET_KEYS),
    dimensions: z.array(ReportDimension).max(2, '最多两个维度').default([]),
    measures: z.array(ReportMeasure).min(1, '至少选一个指标').max(4, '最多四个指标'),
    filters: z.array(ReportFilter).max(10, '最多十个筛选条件').default([]),
    period: z.object({ from: BusinessDate, to: BusinessDate }).strict().optional(),
    chart: z.enum(['bar', 'line', 'pie', 'funnel', 'table']).default('table'),
  })
  .strict()
  .superRefine((d, ctx) => {
    const ds: DatasetDef = DATASETS[d.dataset];
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const masked = (field: string) => (ds.masked as Record<string, string>)[field];
    const seen = new Set<string>();
    d.dimensions.forEach((dim, i) => {
      if (masked(dim.field)) return issue(['dimensions', i, 'field'], `${masked(dim.field)}为脱敏字段,不能用于报表`);
      const def = ds.dimensions[dim.field];
      if (!def) return issue(['dimensions', i, 'field'], `「${ds.label}」没有维度 ${dim.field}`);
      if (seen.has(dim.field)) issue(['dimensions', i, 'field'], `维度「${def.label}」重复`);
      seen.add(dim.field);
      if (def.kind === 'date' && !dim.bucket) issue(['dimensions', i, 'bucket'], '日期维度需选择按日、按周或按月');
      if (def.kind !== 'date' && dim.bucket) issue(['dimensions', i, 'bucket'], '只有日期维度可以按日/周/月汇总');
    });
    d.measures.forEach((m, i) => {
      if (m.field && masked(m.field)) return issue(['measures', i, 'field'], `${masked(m.field)}为脱敏字段,不能用于报表`);
      const pool = m.fn === 'sum' || m.fn === 'avg' ? ds.numbers : m.fn === 'distinct' ? ds.distinct : m.fn === 'rate' ? ds.rates : null;
      if (!pool) {
        if (m.field) issue(['measures', i, 'field'], '计数不需要字段');
        return;
      }
      if (!m.field || !(m.field in pool)) issue(['measures', i, 'field'], `「${ds.label}」不能对该字段${MEASURE_FNS[m.fn]}`);
    });
    d.filters.forEach((f, i) => {
      if (masked(f.field)) return issue(['filters', i, 'field'], `${masked(f.field)}为脱敏字段,不能用于报表`);
      const dim = ds.dimensions[f.field];
      const num = ds.numbers[f.field];
      if ((!dim || dim.kind === 'date') && !num) return issue(['filters', i, 'field'], `「${ds.label}」不能按 ${f.field} 筛选(日期请用统计区间)`);
      const many = Array.isArray(f.value);
      if (f.op === 'in' ? !many : many) return issue(['filters', i, 'value'], f.op === 'in' ? '「属于」需要一组取值' : '只有「属于」可以填多个取值');
      if (num && !['eq', 'neq', 'gte', 'lte'].includes(f.op)) issue(['filters', i, 'op'], '数值字段只能比较大小');
      if (num && typeof f.value !== 'number') issue(['filters', i, 'value'], '数值字段需填数字');
      if (dim && (f.op === 'gte' || f.op === 'lte')) issue(['filters', i, 'op'], '该字段不能比较大小');
    });
    if (d.period && d.period.from > d.period.to) issue(['period', 'to'], '结束日期不能早于开始日期');
    if ((d.chart === 'pie' || d.chart === 'funnel') && (d.dimensions.length !== 1 || d.measures.length !== 1)) {
      issue(['chart'], `${CHART_TYPES[d.chart]}需要恰好一个维度和一个指标`);
    }
    if ((d.chart === 'bar' || d.chart === 'line') && d.dimensions.length === 0) issue(['chart'], `${CHART_TYPES[d.chart]}至少需要一个维度`);
  });
export type ReportDefinition = z.output<typeof ReportDefinition>;
export type ReportDefinitionInput = z.input<typeof ReportDefinition>;

/** Who may share a report with others: managers with their own scope, the admin with everyone. */
export const SHARE_ROLES = ['team_lead', 'branch_manager', 'director', 'admin'] as const;

export const SaveReport = z
  .object({
    name: z.string().trim().min(1, '请填写报表名称').max(40, '名称最多 40 个字'),
    visibility: z.enum(['personal', 'shared']).default('personal'),
    definition: ReportDefinition,
  })
  .strict();
export type SaveReport = z.output<typeof SaveReport>;

export const UpdateReport = z
  .object({
    name: z.string().trim().min(1, '请填写报表名称').max(40, '名称最多 40 个字').optional(),
    visibility: z.enum(['personal', 'shared']).optional(),
    definition: ReportDefinition.optional(),
  })
  .strict();
export type UpdateReport = z.output<typeof UpdateReport>;

export interface ReportColumn {
  key: string;
  label: string;
  kind: 'dimension' | 'measure';
  /** For measures: fen, months, ppm, days, count, rate (a fraction 0..1). */
  unit?: MeasureUnit | 'count' | 'rate';
}

export interface ReportResult {
  columns: ReportColumn[];
  /** One per group: dimension cells as {value, label}, measure cells as numbers (null when no rows). */
  rows: Record<string, { value: string | number | null; label: string } | number | null>[];
  truncated: boolean;
  /** The viewer's scope the numbers were computed in, in words. */
  scope: string;
}

export interface SavedReportView {
  id: number;
  name: string;
  visibility: 'personal' | 'shared';
  definition: ReportDefinition;
  ownerId: number;
  ownerName: string;
  /** The department a shared report is shared with (its subtree); null with everyone. */
  sharedWithDepartmentId: number | null;
  mine: boolean;
  updatedAt: string;
}
