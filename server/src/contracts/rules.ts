// The rule language (C7–C10): a condition tree of AND/OR groups over `field op value`, the
// field catalogue (customer / application / follow-up fields with Chinese labels and types) and
// the zod schema that checks a tree before it is stored. Shared by the server engines
// (assignment, ladder, risk) and the H5 rule editor. Evaluation lives in modules/rules/evaluate.ts.
//
// Conventions: money is integer fen; dates are Asia/Shanghai calendar dates `YYYY-MM-DD`
// (a datetime field is compared by its Shanghai date); an empty `all` group matches everything,
// an empty `any` group matches nothing.
import { z } from 'zod';
import { COLLATERALS, CREDIT_STATUSES, FOLLOWUP_OUTCOMES, FOLLOWUP_TYPES, OCCUPATIONS } from './catalog';
import { REPAYMENT_METHODS } from './applications';
import { STAGES } from './stages';
import { isValidDate } from './dates';
import { formatFenShort } from './money';

z.config(z.locales.zhCN());

export const RULE_OPS = {
  eq: '等于',
  ne: '不等于',
  gt: '大于',
  gte: '大于等于',
  lt: '小于',
  lte: '小于等于',
  in: '属于',
  not_in: '不属于',
  contains: '包含',
  is_empty: '为空',
  between: '介于',
  age_from_id: '身份证年龄',
  days_since: '距今天数',
  matches_region: '属于地区',
} as const;
export type RuleOp = keyof typeof RULE_OPS;
export const RULE_OP_KEYS = Object.keys(RULE_OPS) as [RuleOp, ...RuleOp[]];

/**
 * money: integer fen; number; text; enum (options); tags: a list of strings;
 * date: YYYY-MM-DD; datetime: a Date / ISO timestamp, compared by its Shanghai date;
 * id_number: an 18-character resident ID (age, region).
 */
export type RuleFieldType = 'money' | 'number' | 'text' | 'enum' | 'tags' | 'date' | 'datetime' | 'id_number';

export interface RuleField {
  label: string;
  type: RuleFieldType;
  options?: Readonly<Record<string, string>>;
  group: 'customer' | 'application' | 'followup';
}

export const RULE_FIELD_GROUPS = { customer: '客户', application: '进件', followup: '跟进' } as const;

/** Every field a rule may test, keyed `<group>.<name>`. Facts given to `evaluate` use the same keys. */
export const RULE_FIELDS: Readonly<Record<string, RuleField>> = {
  'customer.channel': { label: '渠道', type: 'text', group: 'customer' },
  'customer.city': { label: '城市', type: 'text', group: 'customer' },
  'customer.stage': { label: '阶段', type: 'enum', options: STAGES, group: 'customer' },
  'customer.loanAmountFen': { label: '贷款金额', type: 'money', group: 'customer' },
  'customer.loanTermMonths': { label: '贷款期限(月)', type: 'number', group: 'customer' },
  'customer.collateral': { label: '抵押/担保方式', type: 'enum', options: COLLATERALS, group: 'customer' },
  'customer.monthlyIncomeFen': { label: '月收入', type: 'money', group: 'customer' },
  'customer.campaignTags': { label: '标签', type: 'tags', group: 'customer' },
  'customer.idNumber': { label: '身份证号', type: 'id_number', group: 'customer' },
  'customer.loanPurpose': { label: '贷款用途', type: 'text', group: 'customer' },
  'customer.occupation': { label: '职业', type: 'enum', options: OCCUPATIONS, group: 'customer' },
  'customer.creditStatus': { label: '征信情况', type: 'enum', options: CREDIT_STATUSES, group: 'customer' },
  'customer.creditNotes': { label: '征信备注', type: 'text', group: 'customer' },
  'customer.createdAt': { label: '登记时间', type: 'datetime', group: 'customer' },
  'customer.lastFollowUpAt': { label: '最近跟进时间', type: 'datetime', group: 'customer' },
  'customer.nextFollowUpDate': { label: '下次跟进日期', type: 'date', group: 'customer' },
  'customer.stageChangedAt': { label: '阶段变更时间', type: 'datetime', group: 'customer' },
  'application.amountFen': { label: '申请金额', type: 'money', group: 'application' },
  'application.termMonths': { label: '申请期限(月)', type: 'number', group: 'application' },
  'application.product': { label: '产品', type: 'text', group: 'application' },
  'application.collateral': { label: '进件抵押/担保方式', type: 'enum', options: COLLATERALS, group: 'application' },
  'application.repaymentMethod': { label: '还款方式', type: 'enum', options: REPAYMENT_METHODS, group: 'application' },
  'application.submittedAt': { label: '提交时间', type: 'datetime', group: 'application' },
  'followup.type': { label: '跟进方式', type: 'enum', options: FOLLOWUP_TYPES, group: 'followup' },
  'followup.outcome': { label: '跟进结果', type: 'enum', options: FOLLOWUP_OUTCOMES, group: 'followup' },
  'followup.content': { label: '跟进内容', type: 'text', group: 'followup' },
  'followup.createdAt': { label: '跟进时间', type: 'datetime', group: 'followup' },
};
export const RULE_FIELD_KEYS = Object.keys(RULE_FIELDS) as [string, ...string[]];

/** Operators that make sense for a field type (the editor offers only these; the schema refuses others). */
export function ruleOpsFor(type: RuleFieldType): RuleOp[] {
  switch (type) {
    case 'money':
    case 'number':
      return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'between', 'is_empty'];
    case 'text':
      return ['eq', 'ne', 'in', 'not_in', 'contains', 'is_empty', 'matches_region'];
    case 'enum':
      return ['eq', 'ne', 'in', 'not_in', 'is_empty'];
    case 'tags':
      return ['contains', 'is_empty'];
    case 'date':
    case 'datetime':
      return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'days_since', 'is_empty'];
    case 'id_number':
      return ['age_from_id', 'matches_region', 'is_empty'];
  }
}

/** `{min?, max?}`, both inclusive; `between` needs both, age/days at least one. */
export const RuleRange = z.object({ min: z.union([z.number(), z.string()]).optional(), max: z.union([z.number(), z.string()]).optional() });
export type RuleRange = z.infer<typeof RuleRange>;

export const RuleCondition = z.object({
  field: z.enum(RULE_FIELD_KEYS, { error: '请选择条件字段' }),
  op: z.enum(RULE_OP_KEYS, { error: '请选择比较方式' }),
  /** scalar for eq/ne/gt…/contains; array for in/not_in/matches_region; range for between/age_from_id/days_since; boolean for is_empty (false = 不为空) */
  value: z.unknown().optional(),
});
export type RuleCondition = z.infer<typeof RuleCondition>;

export interface RuleGroup {
  match: 'all' | 'any';
  conditions: Array<RuleCondition | RuleGroup>;
}

export const RULE_MATCH = { all: '满足全部条件', any: '满足任一条件' } as const;
export const MAX_RULE_DEPTH = 3;
export const MAX_RULE_CONDITIONS = 50;

export const RuleGroupSchema: z.ZodType<RuleGroup> = z.lazy(() =>
  z.object({
    match: z.enum(['all', 'any'], { error: '请选择“全部”或“任一”' }),
    conditions: z.array(z.union([RuleGroupSchema, RuleCondition])).max(MAX_RULE_CONDITIONS, `条件不能超过 ${MAX_RULE_CONDITIONS} 个`),
  }),
);

export function isRuleGroup(n: RuleCondition | RuleGroup): n is RuleGroup {
  return typeof (n as RuleGroup).match === 'string' && Array.isArray((n as RuleGroup).conditions);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isDate = (v: unknown): v is string => typeof v === 'string' && isValidDate(v);

/** Why a condition's value does not fit its field and operator, in Chinese; null when it fits. */
export function conditionValueProblem(c: RuleCondition): string | null {
  const f = RULE_FIELDS[c.field];
  if (!f) return '未知的条件字段';
  const opLabel = RULE_OPS[c.op];
  if (!ruleOpsFor(f.type).includes(c.op)) return `「${f.label}」不能用「${opLabel}」比较`;
  const v = c.value;
  const numeric = f.type === 'money' || f.type === 'number';
  const dated = f.type === 'date' || f.type === 'datetime';
  const scalarOk = (x: unknown): boolean => {
    if (numeric) return isNum(x) && (f.type !== 'money' || Number.isInteger(x));
    if (dated) return isDate(x);
    if (f.type === 'enum') return typeof x === 'string' && !!f.options && x in f.options;
    return typeof x === 'string' && x.trim() !== '';
  };
  const scalarHint = numeric ? (f.type === 'money' ? '金额(分,整数)' : '数字') : dated ? '日期(YYYY-MM-DD)' : f.type === 'enum' ? '可选值之一' : '文字';
  switch (c.op) {
    case 'eq':
    case 'ne':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return scalarOk(v) ? null : `「${f.label}」的比较值应为${scalarHint}`;
    case 'contains':
      return typeof v === 'string' && v.trim() !== '' ? null : `请填写「${f.label}」要包含的文字`;
    case 'in':
    case 'not_in':
      return Array.isArray(v) && v.length > 0 && v.length <= 200 && v.every(scalarOk) ? null : `「${f.label}」的可选值应为 1–200 个${scalarHint}`;
    case 'matches_region':
      return Array.isArray(v) && v.length > 0 && v.length <= 200 && v.every((x) => typeof x === 'string' && x.trim() !== '')
        ? null
        : '请至少选择一个地区(行政区划代码或地名)';
    case 'is_empty':
      return v === undefined || v === null || typeof v === 'boolean' ? null : '“为空”的值应为是或否';
    case 'between': {
      const r = RuleRange.safeParse(v);
      if (!r.success || !scalarOk(r.data.min) || !scalarOk(r.data.max)) return `「${f.label}」介于的两端都应为${scalarHint}`;
      return (r.data.min as number | string) <= (r.data.max as number | string) ? null : `「${f.label}」介于的下限不能大于上限`;
    }
    case 'age_from_id':
    case 'days_since': {
      const what = c.op === 'age_from_id' ? '年龄' : '天数';
      const r = RuleRange.safeParse(v);
      if (!r.success) return `请填写${what}范围`;
      const { min, max } = r.data;
      if (min === undefined && max === undefined) return `请至少填写${what}的下限或上限`;
      const ok = (x: unknown) => x === undefined || (isNum(x) && Number.isInteger(x) && x >= 0 && x <= 100000);
      if (!ok(min) || !ok(max)) return `${what}应为不小于 0 的整数`;
      if (min !== undefined && max !== undefined && (min as number) > (max as number)) return `${what}下限不能大于上限`;
      return null;
    }
  }
}

function depth(g: RuleGroup): number {
  return 1 + Math.max(0, ...g.conditions.filter(isRuleGroup).map(depth));
}
function count(g: RuleGroup): number {
  return g.conditions.reduce((n, c) => n + (isRuleGroup(c) ? count(c) : 1), 0);
}

/** A condition tree as stored: structure, depth, size and each condition's value checked. */
export const RuleTree = RuleGroupSchema.superRefine((g, ctx) => {
  if (depth(g) > MAX_RULE_DEPTH) ctx.addIssue({ code: 'custom', message: `条件分组最多 ${MAX_RULE_DEPTH} 层` });
  if (count(g) > MAX_RULE_CONDITIONS) ctx.addIssue({ code: 'custom', message: `条件不能超过 ${MAX_RULE_CONDITIONS} 个` });
  const walk = (n: RuleGroup, path: (string | number)[]) =>
    n.conditions.forEach((c, i) => {
      if (isRuleGroup(c)) return walk(c, [...path, 'conditions', i]);
      const problem = conditionValueProblem(c);
      if (problem) ctx.addIssue({ code: 'custom', path: [...path, 'conditions', i, 'value'], message: problem });
    });
  walk(g, []);
});

/** Facts a rule is evaluated against, keyed like RULE_FIELDS (`customer.city`, …). */
export type RuleFacts = Readonly<Record<string, unknown>>;

export interface RuleProblem {
  field: string;
  reason: string;
}
export interface RuleResult {
  matched: boolean;
  problems: RuleProblem[];
}

/** One line of Chinese describing a condition, for lists and audit rows. */
export function describeCondition(c: RuleCondition): string {
  const f = RULE_FIELDS[c.field];
  const label = f?.label ?? c.field;
  const show = (x: unknown): string => {
    if (f?.type === 'money' && typeof x === 'number') return formatFenShort(x);
    if (f?.type === 'enum' && typeof x === 'string') return f.options?.[x] ?? x;
    return String(x);
  };
  const v = c.value as never;
  switch (c.op) {
    case 'in':
    case 'not_in':
    case 'matches_region':
      return `${label}${RULE_OPS[c.op]} ${(Array.isArray(v) ? (v as unknown[]) : []).map(show).join('、')}`;
    case 'is_empty':
      return `${label}${c.value === false ? '不为空' : '为空'}`;
    case 'between':
    case 'age_from_id':
    case 'days_since': {
      const r = (c.value ?? {}) as RuleRange;
      const unit = c.op === 'age_from_id' ? '岁' : c.op === 'days_since' ? '天' : '';
      const lo = r.min !== undefined ? show(r.min) + unit : '';
      const hi = r.max !== undefined ? show(r.max) + unit : '';
      const head = c.op === 'age_from_id' ? `${label}对应年龄` : c.op === 'days_since' ? `${label}距今` : label;
      if (lo && hi) return `${head} ${lo}–${hi}`;
      return lo ? `${head} ≥ ${lo}` : `${head} ≤ ${hi}`;
    }
    default:
      return `${label}${RULE_OPS[c.op]} ${show(c.value)}`;
  }
}
