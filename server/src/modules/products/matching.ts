// 匹配产品 (C14): which catalogue products a customer qualifies for, best first, and for the
// others every condition that failed, in Chinese an officer can read to the customer
// ("月收入 8,000.00 元,低于 10,000.00 元"). Pure: facts in, ranking out. A condition whose field
// is missing is reported as unknown (缺少「月收入」,无法判断), never a crash; the product then does
// not qualify until the fact is filled in.
import { evaluate, ageOn } from '../rules/evaluate';
import { isRuleGroup, RULE_FIELDS, RULE_OPS, type RuleCondition, type RuleFacts, type RuleGroup, type RuleRange } from '../../contracts/rules';
import { REPAYMENT_METHODS, type RepaymentMethod } from '../../contracts/applications';
import { formatFen } from '../../contracts/money';
import { parseIdNumber } from '../../contracts/identity';
import { shanghaiDate } from '../../contracts/dates';
import type { Product } from './product.model';

export interface MatchRequest {
  amountFen: number | null;
  termMonths: number | null;
  repaymentMethod: RepaymentMethod | null;
}

export interface MatchReason {
  /** `amount` / `term` / `repaymentMethod` for the product's own limits, else the rule field key. */
  field: string;
  text: string;
  /** True when the fact is missing or unreadable (fill it in and match again), not a clear fail. */
  unknown: boolean;
}

export interface MatchResult<P> {
  product: P;
  qualified: boolean;
  reasons: MatchReason[];
}

type Matchable = Pick<Product, 'id' | 'rateMinPpm' | 'amountMinFen' | 'amountMaxFen' | 'termMinMonths' | 'termMaxMonths' | 'repaymentMethods' | 'eligibility' | 'sortOrder'>;

const yuan = (fen: number) => `${formatFen(fen)} 元`;

/** How a fact reads in a reason: money in 元, enums by their label, an ID number never in full. */
function show(field: string, v: unknown): string {
  const f = RULE_FIELDS[field];
  if (f?.type === 'money' && typeof v === 'number') return yuan(v);
  if (f?.type === 'enum' && typeof v === 'string') return f.options?.[v] ?? v;
  if (Array.isArray(v)) return v.map((x) => show(field, x)).join('、');
  if (v instanceof Date) return shanghaiDate(v);
  return String(v);
}

/** BIGINT money may arrive as a string; only numeric fields are converted (an ID number is digits too). */
function num(field: string, v: unknown): unknown {
  const t = RULE_FIELDS[field]?.type;
  if (t !== 'money' && t !== 'number') return v;
  return typeof v === 'string' && v.trim() !== '' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

/** Why one condition failed, in Chinese (the condition is known to have failed). */
export function failedConditionText(c: RuleCondition, facts: RuleFacts, today: string): string {
  const f = RULE_FIELDS[c.field];
  const label = f?.label ?? c.field;
  const raw = num(c.field, facts[c.field]);
  const actual = show(c.field, raw);
  const want = (x: unknown) => show(c.field, x);
  const r = (c.value ?? {}) as RuleRange;
  switch (c.op) {
    case 'gte':
      return `${label} ${actual},低于 ${want(c.value)}`;
    case 'gt':
      return `${label} ${actual},未高于 ${want(c.value)}`;
    case 'lte':
      return `${label} ${actual},高于 ${want(c.value)}`;
    case 'lt':
      return `${label} ${actual},未低于 ${want(c.value)}`;
    case 'eq':
      return `${label}为「${actual}」,要求为「${want(c.value)}」`;
    case 'ne':
      return `${label}不能为「${want(c.value)}」`;
    case 'in':
      return `${label}为「${actual}」,不在可接受范围(${want(c.value)})内`;
    case 'not_in':
      return `${label}为「${actual}」,属于不接受的(${want(c.value)})`;
    case 'contains':
      return `${label}不包含「${String(c.value)}」`;
    case 'is_empty':
      return c.value === false ? `缺少「${label}」` : `${label}应为空`;
    case 'between':
      return `${label} ${actual},不在 ${want(r.min)}–${want(r.max)} 之间`;
    case 'days_since':
      return `${label}不满足距今 ${r.min ?? 0}–${r.max ?? '∞'} 天`;
    case 'age_from_id': {
      const id = parseIdNumber(String(raw), new Date(`${today}T23:59:59+08:00`));
      const age = 'problem' in id ? null : ageOn(id.birthDate, today);
      const range = r.min !== undefined && r.max !== undefined ? `${r.min}–${r.max} 岁` : r.min !== undefined ? `不小于 ${r.min} 岁` : `不大于 ${r.max} 岁`;
      return age === null ? `无法从身份证号计算年龄,要求 ${range}` : `年龄 ${age} 岁,要求 ${range}`;
    }
    case 'matches_region':
      return f?.type === 'id_number' ? `户籍地区不在 ${want(c.value)} 内` : `${label}「${actual}」不在 ${want(c.value)} 内`;
  }
  return `不满足:${label}${RULE_OPS[c.op] ?? c.op}`;
}

/**
 * The failed (or unknown) conditions that stop a group from matching. An `all` group lists each
 * failing child; an `any` group that matched nothing is one reason listing its alternatives.
 */
function groupReasons(g: RuleGroup, facts: RuleFacts, now: Date, today: string): MatchReason[] {
  const per = g.conditions.map((c) => {
    if (isRuleGroup(c)) {
      const reasons = groupReasons(c, facts, now, today);
      return { ok: reasons.length === 0, reasons };
    }
    const res = evaluate({ match: 'all', conditions: [c] }, facts, { now });
    if (res.matched) return { ok: true, reasons: [] };
    const problem = res.problems[0];
    const reason: MatchReason = problem
      ? { field: c.field, text: `${problem.reason},无法判断`, unknown: true }
      : { field: c.field, text: failedConditionText(c, facts, today), unknown: false };
    return { ok: false, reasons: [reason] };
  });
  if (g.match === 'all') return per.flatMap((p) => p.reasons);
  if (g.conditions.length === 0 || per.some((p) => p.ok)) return g.conditions.length === 0 ? [{ field: 'eligibility', text: '准入条件为空的“任一”分组,无人满足', unknown: false }] : [];
  const all = per.flatMap((p) => p.reasons);
  return [{ field: all[0]?.field ?? 'eligibility', text: `以下条件需满足其一:${all.map((x) => x.text).join(';')}`, unknown: all.every((x) => x.unknown) }];
}

/** The product's own limits (amount, term, method) against what is asked for. */
function limitReasons(p: Matchable, req: MatchRequest): MatchReason[] {
  const out: MatchReason[] = [];
  const minF = Number(p.amountMinFen);
  const maxF = Number(p.amountMaxFen);
  if (req.amountFen !== null) {
    if (req.amountFen < minF) out.push({ field: 'amount', text: `申请金额 ${yuan(req.amountFen)},低于产品最低额度 ${yuan(minF)}`, unknown: false });
    else if (req.amountFen > maxF) out.push({ field: 'amount', text: `申请金额 ${yuan(req.amountFen)},高于产品最高额度 ${yuan(maxF)}`, unknown: false });
  } else out.push({ field: 'amount', text: '未填写申请金额,无法判断额度', unknown: true });
  if (req.termMonths !== null) {
    if (req.termMonths < p.termMinMonths || req.termMonths > p.termMaxMonths) {
      out.push({ field: 'term', text: `申请期限 ${req.termMonths} 个月,不在产品期限 ${p.termMinMonths}–${p.termMaxMonths} 个月内`, unknown: false });
    }
  } else out.push({ field: 'term', text: '未填写申请期限,无法判断期限', unknown: true });
  if (req.repaymentMethod && !p.repaymentMethods.includes(req.repaymentMethod)) {
    out.push({
      field: 'repaymentMethod',
      text: `产品不支持「${REPAYMENT_METHODS[req.repaymentMethod]}」(可选:${p.repaymentMethods.map((m) => REPAYMENT_METHODS[m]).join('、')})`,
      unknown: false,
    });
  }
  return out;
}

/**
 * Where the amount sits in the product's range: the distance to the nearer end over the range's
 * width (0 at an end, ½ in the middle). Compared as fractions in BigInt, so no float decides a rank.
 */
function fit(p: Matchable, amountFen: number | null): [bigint, bigint] {
  const lo = BigInt(p.amountMinFen);
  const hi = BigInt(p.amountMaxFen);
  if (amountFen === null || hi === lo) return [0n, 1n];
  const a = BigInt(amountFen);
  const near = a - lo < hi - a ? a - lo : hi - a;
  return [near, hi - lo];
}

/** Qualified products first: lowest rate, then best amount fit, then the catalogue order; the rest by fewest reasons. */
export function matchProducts<P extends Matchable>(products: P[], facts: RuleFacts, req: MatchRequest, now = new Date()): MatchResult<P>[] {
  const today = shanghaiDate(now);
  const results = products.map((product) => {
    const reasons = [...limitReasons(product, req), ...(product.eligibility ? groupReasons(product.eligibility, facts, now, today) : [])];
    return { product, qualified: reasons.length === 0, reasons };
  });
  const qualified = results.filter((r) => r.qualified);
  const others = results.filter((r) => !r.qualified);
  qualified.sort((x, y) => {
    if (x.product.rateMinPpm !== y.product.rateMinPpm) return x.product.rateMinPpm - y.product.rateMinPpm;
    const [xn, xd] = fit(x.product, req.amountFen);
    const [yn, yd] = fit(y.product, req.amountFen);
    const cmp = yn * xd - xn * yd; // larger fit first
    if (cmp !== 0n) return cmp > 0n ? 1 : -1;
    return x.product.sortOrder - y.product.sortOrder || x.product.id - y.product.id;
  });
  others.sort((x, y) => x.reasons.length - y.reasons.length || x.product.rateMinPpm - y.product.rateMinPpm || x.product.id - y.product.id);
  return [...qualified, ...others];
}
