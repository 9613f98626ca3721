// Evaluates a rule set against the facts of one application: pure, so every rule is tested on its
// boundaries without a database. The service gathers the facts (decrypting phone and ID number in
// memory, hashing them for the blacklist, counting recent applications); nothing here does I/O.
import { ID_PROBLEM_MESSAGES, parseIdNumber } from '../../contracts/identity';
import { COLLATERALS, type Collateral } from '../../contracts/catalog';
import { DOCUMENT_KINDS, type DocumentKind } from '../../contracts/applications';
import { formatFen } from '../../contracts/money';
import {
  RISK_RULE_NAMES, worseLevel, type RiskCheckResult, type RiskLevel, type RiskParams, type RiskRuleKind, type RiskRuleResult,
} from '../../contracts/risk';
import { ageOn, monthlyPaymentFen, ratioPercentText } from './risk.math';
import { evaluate as evaluateCondition } from '../rules/evaluate';
import type { RuleFacts } from '../../contracts/rules';

export interface RiskFacts {
  /** Shanghai business date of the check (YYYY-MM-DD). */
  businessDate: string;
  /** Plain values, decrypted in memory only; never stored or echoed in reasons. */
  phone: string | null;
  idNumber: string | null;
  monthlyIncomeFen: number | null;
  amountFen: number;
  termMonths: number;
  product: string;
  collateral: Collateral | null;
  documentKinds: DocumentKind[];
  /** Applications of this customer submitted within each window, this one included, by window length in days. */
  applicationsWithin: (days: number) => number;
  blacklisted: { phone: boolean; idNumber: boolean };
  /** Custom rules: the customer and application fields keyed like RULE_FIELDS, and the time of the check. */
  ruleFacts?: RuleFacts;
  now?: Date;
}

export interface RiskRule<K extends RiskRuleKind = RiskRuleKind> {
  kind: K;
  enabled: boolean;
  level: RiskLevel;
  params: RiskParams<K>;
}

type Outcome = { hit: boolean; reason: string; missing?: boolean };
type Check<K extends RiskRuleKind> = (p: RiskParams<K>, f: RiskFacts) => Outcome;

const ok = (reason: string): Outcome => ({ hit: false, reason });
const hit = (reason: string): Outcome => ({ hit: true, reason });
const missing = (reason: string): Outcome => ({ hit: true, missing: true, reason });

const CHECKS: { [K in Exclude<RiskRuleKind, 'custom'>]: Check<K> } = {
  id_number(_p, f) {
    if (!f.idNumber) return missing('未填写身份证号,无法校验');
    const r = parseIdNumber(f.idNumber, new Date(`${f.businessDate}T23:59:59+08:00`));
    if ('problem' in r) return hit(ID_PROBLEM_MESSAGES[r.problem]);
    return ok('身份证号格式、出生日期和校验位正确');
  },
  age_range(p, f) {
    if (!f.idNumber) return missing('未填写身份证号,无法计算年龄');
    const r = parseIdNumber(f.idNumber, new Date(`${f.businessDate}T23:59:59+08:00`));
    if ('problem' in r) return missing('身份证号无效,无法计算年龄');
    const age = ageOn(r.birthDate, f.businessDate);
    const range = `${p.minAge}–${p.maxAge} 岁`;
    if (age < p.minAge || age > p.maxAge) return hit(`年龄 ${age} 岁,超出 ${range}范围`);
    return ok(`年龄 ${age} 岁,在 ${range}范围内`);
  },
  mobile_format(_p, f) {
    if (!f.phone) return missing('未填写手机号');
    return /^1[3-9]\d{9}$/.test(f.phone) ? ok('大陆手机号格式正确') : hit('手机号不是有效的大陆 11 位手机号');
  },
  dti(p, f) {
    const rateBp = p.productRatesBp[f.product.trim()] ?? p.defaultAnnualRateBp;
    const payment = monthlyPaymentFen(f.amountFen, f.termMonths, rateBp);
    const rate = `年利率 ${(rateBp / 100).toFixed(2).replace(/\.?0+$/, '')}%`;
    if (!f.monthlyIncomeFen || f.monthlyIncomeFen <= 0) return missing(`未填写月收入,无法计算负债收入比(月供 ${formatFen(payment)} 元,${rate})`);
    const ratio = ratioPercentText(payment, f.monthlyIncomeFen);
    const text = `月供 ${formatFen(payment)} 元(${rate}),月收入 ${formatFen(f.monthlyIncomeFen)} 元,负债收入比 ${ratio}`;
    // payment / income ≤ max% compared in integers: exactly at the limit passes.
    if (payment * 100 > p.maxRatioPercent * f.monthlyIncomeFen) return hit(`${text},超过 ${p.maxRatioPercent}%`);
    return ok(`${text},未超过 ${p.maxRatioPercent}%`);
  },
  blacklist(_p, f) {
    const which = [f.blacklisted.phone ? '手机号' : null, f.blacklisted.idNumber ? '身份证号' : null].filter(Boolean);
    return which.length ? hit(`${which.join('和')}在内部黑名单中`) : ok('未命中内部黑名单');
  },
  multi_apply(p, f) {
    const n = f.applicationsWithin(p.windowDays);
    if (n > p.maxCount) return hit(`近 ${p.windowDays} 天申请 ${n} 次,超过 ${p.maxCount} 次`);
    return ok(`近 ${p.windowDays} 天申请 ${n} 次,未超过 ${p.maxCount} 次`);
  },
  required_documents(p, f) {
    const need = f.collateral ? (p.byCollateral[f.collateral] ?? p.otherwise) : p.otherwise;
    const have = new Set(f.documentKinds);
    const lacking = need.filter((k) => !have.has(k));
    const label = f.collateral ? `${COLLATERALS[f.collateral]}类` : '该类';
    if (lacking.length) return hit(`${label}进件缺少资料:${lacking.map((k) => DOCUMENT_KINDS[k]).join('、')}`);
    return ok(need.length ? `${label}进件必备资料齐全` : `${label}进件无必备资料要求`);
  },
};

/** Each custom rule is its own result, named by the admin; a condition that cannot be judged is reported as missing data. */
function customResults(p: RiskParams<'custom'>, f: RiskFacts): RiskRuleResult[] {
  return p.rules.map((r) => {
    const out = evaluateCondition(r.when, f.ruleFacts ?? {}, { now: f.now });
    if (out.matched) return { kind: 'custom', name: r.name, level: r.level, reason: r.reason };
    if (out.problems.length) return { kind: 'custom', name: r.name, level: 'warn', missing: true, reason: `无法判断:${out.problems.map((x) => x.reason).join(';')}` };
    return { kind: 'custom', name: r.name, level: 'pass', reason: '未命中' };
  });
}

/** Runs the enabled rules in order; the check's level is the worst rule's. Missing data is at most 提示. */
export function evaluateRisk(rules: RiskRule[], facts: RiskFacts): RiskCheckResult {
  const results: RiskRuleResult[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    if (rule.kind === 'custom') {
      results.push(...customResults(rule.params as RiskParams<'custom'>, facts));
      continue;
    }
    const out = (CHECKS[rule.kind as Exclude<RiskRuleKind, 'custom'>] as Check<RiskRuleKind>)(rule.params, facts);
    const ruleLevel: RiskLevel = !out.hit ? 'pass' : out.missing ? (rule.level === 'pass' ? 'pass' : 'warn') : rule.level;
    results.push({ kind: rule.kind, name: RISK_RULE_NAMES[rule.kind].name, level: ruleLevel, reason: out.reason, ...(out.missing ? { missing: true } : {}) });
  }
  return { level: results.reduce<RiskLevel>((l, r) => worseLevel(l, r.level), 'pass'), businessDate: facts.businessDate, results };
}

/** What an override covers: the rules that rejected (custom ones by their name). */
export function rejectedRules(r: RiskCheckResult): string[] {
  return r.results.filter((x) => x.level === 'reject').map((x) => (x.kind === 'custom' ? `custom:${x.name}` : x.kind));
}

const LEVEL_NAMES = { pass: '通过', warn: '提示', reject: '拒绝' } as const;
/** WeCom template_card shows 26 characters of a field value. */
const CARD_FIELD_MAX = 26;

/** The short form for a card field (WeCom shows 26 characters): the level and the names of the rules that did not pass. */
export function riskCardSummary(r: RiskCheckResult, override?: { userName: string } | null): string {
  const flagged = r.results.filter((x) => x.level !== 'pass').map((x) => x.name);
  const head = override ? `${LEVEL_NAMES[r.level]}(${override.userName}放行)` : LEVEL_NAMES[r.level];
  if (!flagged.length) return `${head}(${r.results.length} 项)`;
  const all = `${head}:${flagged.join('、')}`;
  return [...all].length <= CARD_FIELD_MAX ? all : `${head}:${flagged[0]}等 ${flagged.length} 项`;
}

/** One line for the detail page: the level and the reasons of the rules that did not pass. */
export function riskSummary(r: RiskCheckResult, override?: { userName: string } | null): string {
  const names = LEVEL_NAMES;
  const flagged = r.results.filter((x) => x.level !== 'pass');
  const head = override ? `${names[r.level]}(已由 ${override.userName} 放行)` : names[r.level];
  if (!flagged.length) return `${head} · ${r.results.length} 项规则全部通过`;
  const text = `${head} · ${flagged.map((x) => x.reason).join(';')}`;
  return [...text].length > 120 ? `${[...text].slice(0, 119).join('')}…` : text;
}
