// Pure evaluation of a rule condition tree (contracts/rules.ts) against facts. Never throws:
// a missing or unreadable field makes its condition false and is reported in `problems`
// (field key + Chinese reason), so a job can log it and carry on.
import {
  isRuleGroup,
  RULE_FIELDS,
  type RuleCondition,
  type RuleFacts,
  type RuleField,
  type RuleGroup,
  type RuleProblem,
  type RuleRange,
  type RuleResult,
} from '../../contracts/rules';
import { shanghaiDate } from '../../contracts/dates';
import { parseIdNumber } from '../../contracts/identity';

export interface EvaluateOptions {
  /** "now" for days-since and age; defaults to the current time. */
  now?: Date;
}

/** Evaluates a tree: `all` = AND (empty → true), `any` = OR (empty → false). Every condition is evaluated so all problems are reported. */
export function evaluate(tree: RuleGroup, facts: RuleFacts, opts: EvaluateOptions = {}): RuleResult {
  const problems: RuleProblem[] = [];
  const today = shanghaiDate(opts.now ?? new Date());
  const matched = group(tree, facts, today, problems);
  return { matched, problems };
}

function group(g: RuleGroup, facts: RuleFacts, today: string, problems: RuleProblem[]): boolean {
  const results = g.conditions.map((c) => (isRuleGroup(c) ? group(c, facts, today, problems) : condition(c, facts, today, problems)));
  return g.match === 'all' ? results.every(Boolean) : results.some(Boolean);
}

const isBlank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** A date-ish fact as a Shanghai YYYY-MM-DD date, or null when unreadable. */
function toDate(v: unknown, type: RuleField['type']): string | null {
  if (type === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? shanghaiDate(d) : null;
}

/** Whole calendar days from date a to date b (both YYYY-MM-DD). */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Full years between a birth date and today (both YYYY-MM-DD). */
export function ageOn(birthDate: string, today: string): number {
  let age = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (today.slice(5) < birthDate.slice(5)) age -= 1;
  return age;
}

function inRange(x: number, r: RuleRange): boolean {
  return (r.min === undefined || x >= (r.min as number)) && (r.max === undefined || x <= (r.max as number));
}

const regionSuffix = /(省|市|自治区|特别行政区|自治州|地区|盟|区|县)$/;
const normPlace = (s: string) => s.trim().replace(regionSuffix, '');

function condition(c: RuleCondition, facts: RuleFacts, today: string, problems: RuleProblem[]): boolean {
  const f = RULE_FIELDS[c.field];
  const report = (reason: string) => {
    problems.push({ field: c.field, reason });
    return false;
  };
  if (!f) return report('未知的条件字段');
  const raw = facts[c.field];
  if (c.op === 'is_empty') return isBlank(raw) === (c.value !== false);
  if (isBlank(raw)) return report(`缺少「${f.label}」`);

  const numeric = f.type === 'money' || f.type === 'number';
  const dated = f.type === 'date' || f.type === 'datetime';
  let actual: number | string | string[];
  if (numeric) {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN; // BIGINT may arrive as a string
    if (!Number.isFinite(n)) return report(`「${f.label}」不是数字`);
    actual = n;
  } else if (dated) {
    const d = toDate(raw, f.type);
    if (!d) return report(`「${f.label}」不是有效日期`);
    actual = d;
  } else if (f.type === 'tags') {
    if (!Array.isArray(raw)) return report(`「${f.label}」不是标签列表`);
    actual = raw.map(String);
  } else {
    if (typeof raw !== 'string') return report(`「${f.label}」不是文字`);
    actual = raw.trim();
  }
  const v = c.value;

  switch (c.op) {
    case 'eq':
      return actual === v;
    case 'ne':
      return actual !== v;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof actual !== typeof v || Array.isArray(actual)) return report(`「${f.label}」无法与比较值比较`);
      const a = actual as number | string;
      const b = v as number | string;
      return c.op === 'gt' ? a > b : c.op === 'gte' ? a >= b : c.op === 'lt' ? a < b : a <= b;
    }
    case 'in':
    case 'not_in': {
      if (!Array.isArray(v)) return report(`「${f.label}」的可选值无效`);
      const hit = (v as unknown[]).includes(actual);
      return c.op === 'in' ? hit : !hit;
    }
    case 'contains': {
      if (typeof v !== 'string') return report(`「${f.label}」的比较值无效`);
      return Array.isArray(actual) ? actual.includes(v.trim()) : typeof actual === 'string' && actual.includes(v.trim());
    }
    case 'between': {
      const r = (v ?? {}) as RuleRange;
      if (typeof actual !== typeof r.min || typeof actual !== typeof r.max) return report(`「${f.label}」无法与比较值比较`);
      return (actual as number | string) >= (r.min as number | string) && (actual as number | string) <= (r.max as number | string);
    }
    case 'days_since': {
      if (typeof actual !== 'string') return report(`「${f.label}」不是有效日期`);
      return inRange(daysBetween(actual, today), (v ?? {}) as RuleRange);
    }
    case 'age_from_id': {
      if (typeof actual !== 'string') return report(`「${f.label}」不是身份证号`);
      const info = parseIdNumber(actual, new Date(`${today}T23:59:59+08:00`));
      if ('problem' in info) return report(`「${f.label}」无效,无法计算年龄`);
      return inRange(ageOn(info.birthDate, today), (v ?? {}) as RuleRange);
    }
    case 'matches_region': {
      if (!Array.isArray(v) || typeof actual !== 'string') return report(`「${f.label}」无法匹配地区`);
      const regions = (v as unknown[]).map((x) => String(x).trim());
      if (f.type === 'id_number') {
        // GB/T 2260 codes: 2 digits = province, 4 = city, 6 = county; the ID's first 6 digits.
        const area = actual.slice(0, 6);
        return regions.some((code) => /^\d{2}(\d{2}){0,2}$/.test(code) && area.startsWith(code));
      }
      const place = normPlace(actual);
      return regions.some((name) => {
        const n = normPlace(name);
        return n !== '' && (place === n || actual.startsWith(name.trim()));
      });
    }
  }
  return report('不支持的比较方式');
}
