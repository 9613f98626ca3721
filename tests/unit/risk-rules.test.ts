// Risk pre-check rules on their boundaries (C10): the equal-installment payment in fen, ages on
// the Shanghai business date, and each default rule — pure, table-driven, no database.
import { describe, expect, it } from 'vitest';
import { ageOn, monthlyPaymentFen, ratioPercentText } from '../../server/src/modules/risk/risk.math';
import { evaluateRisk, rejectedRules, riskCardSummary, type RiskFacts, type RiskRule } from '../../server/src/modules/risk/risk.evaluate';
import { DEFAULT_RISK_RULES, RISK_PARAM_SCHEMAS, type RiskRuleKind } from '../../server/src/contracts/risk';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { makeIdNumber } from '../helpers/test-app';

const TODAY = '2026-11-23';
const rule = (kind: RiskRuleKind, over: Partial<RiskRule> = {}): RiskRule => ({ ...DEFAULT_RISK_RULES.find((r) => r.kind === kind)!, ...over }) as RiskRule;
const facts = (over: Partial<RiskFacts> = {}): RiskFacts => ({
  businessDate: TODAY, phone: '13812345678', idNumber: makeIdNumber('19900307'), monthlyIncomeFen: 2_000_000, amountFen: 30_000_000, termMonths: 36,
  product: '房抵贷', collateral: 'house', documentKinds: ['id_card', 'property'], applicationsWithin: () => 1, blacklisted: { phone: false, idNumber: false }, ...over,
});
const one = (kind: RiskRuleKind, f: Partial<RiskFacts>, over: Partial<RiskRule> = {}) => evaluateRisk([rule(kind, over)], facts(f)).results[0];

describe('monthlyPaymentFen (等额本息, integer fen, half up once at the end)', () => {
  it.each([
    [10_000_000, 12, 1200, 888_488], // 10万, 1 year, 12%: 8,884.8789 → 8,884.88
    [30_000_000, 36, 1200, 996_429], // 30万, 3 years, 12%: 9,964.2929 → 9,964.29
    [100_000_000, 360, 490, 530_727], // 100万, 30 years, 4.9%: the well-known 5,307.27
    [1_200_000, 12, 0, 100_000], // no interest: principal / term
    [1_000, 3, 0, 333], // 333.33 → 333
    [2_000, 3, 0, 667], // 666.67 → 667
    [1, 1, 1200, 1], // one fen for one month: 1.01 → 1
    [0, 12, 1200, 0],
  ])('%i fen over %i months at %i bp → %i', (p, n, bp, expected) => expect(monthlyPaymentFen(p, n, bp)).toBe(expected));

  it('agrees with the float formula to the fen over many amounts and terms', () => {
    for (const p of [12_345_678, 99_999_999, 500_000_00]) {
      for (const n of [6, 12, 24, 60, 120, 240]) {
        const r = 1500 / 120_000;
        const float = (p * r * (1 + r) ** n) / ((1 + r) ** n - 1);
        expect(Math.abs(monthlyPaymentFen(p, n, 1500) - float)).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
  });

  it('refuses non-integer money, a zero term or a negative rate', () => {
    expect(() => monthlyPaymentFen(10.5, 12, 1200)).toThrow(RangeError);
    expect(() => monthlyPaymentFen(100, 0, 1200)).toThrow(RangeError);
    expect(() => monthlyPaymentFen(100, 12, -1)).toThrow(RangeError);
  });
});

describe('ageOn (whole years to the business date)', () => {
  it.each([
    ['2004-11-23', TODAY, 22], // 22nd birthday today
    ['2004-11-24', TODAY, 21], // tomorrow
    ['1966-11-23', TODAY, 60],
    ['1965-11-24', TODAY, 60], // the day before the 61st birthday
    ['1965-11-23', TODAY, 61],
    ['2000-02-29', '2027-02-28', 26], // a leap-day birthday counts from 1 March in other years
    ['2000-02-29', '2027-03-01', 27],
    ['2000-02-29', '2028-02-29', 28],
  ])('born %s, on %s → %i', (birth, on, age) => expect(ageOn(birth, on)).toBe(age));

  it('the business date is Shanghai: 16:30 UTC on the 23rd is already the 24th', () => {
    expect(shanghaiDate(new Date('2026-11-23T16:30:00Z'))).toBe('2026-11-24');
    expect(ageOn('1965-11-24', shanghaiDate(new Date('2026-11-23T16:30:00Z')))).toBe(61);
    expect(ageOn('1965-11-24', shanghaiDate(new Date('2026-11-23T15:59:59Z')))).toBe(60);
  });
});

describe('age_range (default 22–60, reject)', () => {
  it.each([
    ['20041123', 'pass', '年龄 22 岁,在 22–60 岁范围内'],
    ['20041124', 'reject', '年龄 21 岁,超出 22–60 岁范围'],
    ['19661123', 'pass', '年龄 60 岁,在 22–60 岁范围内'],
    ['19651124', 'pass', '年龄 60 岁,在 22–60 岁范围内'],
    ['19651123', 'reject', '年龄 61 岁,超出 22–60 岁范围'],
    ['19591101', 'reject', '年龄 67 岁,超出 22–60 岁范围'],
  ])('born %s → %s', (birth, level, reason) => expect(one('age_range', { idNumber: makeIdNumber(birth) })).toMatchObject({ level, reason }));

  it('configurable: 25–55 at 提示', () => {
    expect(one('age_range', { idNumber: makeIdNumber('20021124') }, { level: 'warn', params: { minAge: 25, maxAge: 55 } })).toMatchObject({ level: 'warn', reason: '年龄 23 岁,超出 25–55 岁范围' });
  });

  it('no ID number: reported as missing, at most 提示, never blocking', () => {
    expect(one('age_range', { idNumber: null })).toMatchObject({ level: 'warn', missing: true, reason: '未填写身份证号,无法计算年龄' });
  });
});

describe('id_number (checksum and birthday)', () => {
  const good = makeIdNumber('19900307');
  const badCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
  it.each([
    [good, 'pass', '身份证号格式、出生日期和校验位正确'],
    [badCheck, 'reject', '身份证号校验位不正确'],
    [makeIdNumber('19900230'), 'reject', '身份证号中的出生日期无效'], // 30 February
    [makeIdNumber('20261124'), 'reject', '身份证号中的出生日期无效'], // born tomorrow (Shanghai date)
    ['11010119900307123', 'reject', '身份证号应为 18 位'],
  ])('%s → %s', (id, level, reason) => expect(one('id_number', { idNumber: id })).toMatchObject({ level, reason }));

  it('born today is a valid birthday', () => expect(one('id_number', { idNumber: makeIdNumber('20261123') }).level).toBe('pass'));
});

describe('mobile_format', () => {
  it.each([
    ['13812345678', 'pass'],
    ['19912345678', 'pass'],
    ['12812345678', 'reject'],
    ['1381234567', 'reject'],
    ['057188886666', 'reject'],
  ])('%s → %s', (phone, level) => expect(one('mobile_format', { phone }).level).toBe(level));

  it('reasons never echo the number', () => expect(one('mobile_format', { phone: '12812345678' }).reason).not.toContain('12812345678'));
});

describe('dti (monthly payment ÷ monthly income ≤ 50%)', () => {
  // 12,000 元 over 12 months at 0%: 1,000.00 元 a month.
  const loan = { amountFen: 1_200_000, termMonths: 12 };
  const zero = { params: { maxRatioPercent: 50, defaultAnnualRateBp: 0, productRatesBp: {} } };
  it.each([
    [200_000, 'pass', '月供 1,000.00 元(年利率 0%),月收入 2,000.00 元,负债收入比 50%,未超过 50%'], // exactly 50%
    [199_999, 'warn', '月供 1,000.00 元(年利率 0%),月收入 1,999.99 元,负债收入比 50.01%,超过 50%'], // just over: never printed as 50%
    [400_000, 'pass', '月供 1,000.00 元(年利率 0%),月收入 4,000.00 元,负债收入比 25%,未超过 50%'],
  ])('income %i fen → %s', (income, level, reason) => expect(one('dti', { ...loan, monthlyIncomeFen: income }, zero)).toMatchObject({ level, reason }));

  it('uses the product rate when one is set, else the default rate', () => {
    const params = { maxRatioPercent: 50, defaultAnnualRateBp: 1200, productRatesBp: { 信用贷: 1800 } };
    expect(one('dti', { amountFen: 10_000_000, termMonths: 12, monthlyIncomeFen: 2_000_000 }, { params }).reason).toContain('月供 8,884.88 元(年利率 12%)');
    expect(one('dti', { product: '信用贷', amountFen: 10_000_000, termMonths: 12, monthlyIncomeFen: 2_000_000 }, { params }).reason).toContain('年利率 18%');
  });

  it('at reject level an excessive ratio rejects', () => {
    expect(one('dti', { ...loan, monthlyIncomeFen: 100_000 }, { ...zero, level: 'reject' }).level).toBe('reject');
  });

  it('no income: missing, 提示', () => expect(one('dti', { monthlyIncomeFen: null })).toMatchObject({ level: 'warn', missing: true }));

  it('ratio text rounds up to 0.01%', () => {
    expect(ratioPercentText(1, 3)).toBe('33.34%');
    expect(ratioPercentText(1, 2)).toBe('50%');
    expect(ratioPercentText(1, 10)).toBe('10%');
  });
});

describe('blacklist', () => {
  it.each([
    [{ phone: false, idNumber: false }, 'pass', '未命中内部黑名单'],
    [{ phone: true, idNumber: false }, 'reject', '手机号在内部黑名单中'],
    [{ phone: false, idNumber: true }, 'reject', '身份证号在内部黑名单中'],
    [{ phone: true, idNumber: true }, 'reject', '手机号和身份证号在内部黑名单中'],
  ])('%j → %s', (blacklisted, level, reason) => expect(one('blacklist', { blacklisted })).toMatchObject({ level, reason }));
});

describe('multi_apply (more than N in the window)', () => {
  it.each([
    [3, 'pass', '近 30 天申请 3 次,未超过 3 次'],
    [4, 'warn', '近 30 天申请 4 次,超过 3 次'],
  ])('%i applications → %s', (n, level, reason) => expect(one('multi_apply', { applicationsWithin: () => n })).toMatchObject({ level, reason }));

  it('asks for the configured window', () => {
    const asked: number[] = [];
    one('multi_apply', { applicationsWithin: (d) => (asked.push(d), 1) }, { params: { maxCount: 2, windowDays: 7 } });
    expect(asked).toEqual([7]);
  });
});

describe('required_documents (per collateral type)', () => {
  it.each([
    ['house', ['id_card', 'property'], 'pass', '房产类进件必备资料齐全'],
    ['house', ['id_card'], 'warn', '房产类进件缺少资料:房产证'],
    ['vehicle', [], 'warn', '车辆类进件缺少资料:身份证、行驶证/登记证'],
    ['credit', ['id_card', 'bank_statement', 'other'], 'pass', '信用类进件必备资料齐全'],
    [null, [], 'warn', '该类进件缺少资料:身份证'],
  ] as const)('%s with %j → %s', (collateral, documentKinds, level, reason) =>
    expect(one('required_documents', { collateral, documentKinds: [...documentKinds] })).toMatchObject({ level, reason }));
});

describe('the whole check', () => {
  it('the level is the worst rule; disabled rules do not run', () => {
    const rules = DEFAULT_RISK_RULES.map((r) => ({ ...r }) as RiskRule);
    const clean = evaluateRisk(rules, facts());
    expect(clean.level).toBe('pass');
    expect(clean.results).toHaveLength(7);
    expect(riskCardSummary(clean)).toBe('通过(7 项)');
    const warned = evaluateRisk(rules, facts({ documentKinds: [] }));
    expect(warned.level).toBe('warn');
    expect(riskCardSummary(warned)).toBe('提示:必备资料');
    const rejected = evaluateRisk(rules, facts({ documentKinds: [], idNumber: makeIdNumber('19591101') }));
    expect(rejected.level).toBe('reject');
    expect(riskCardSummary(rejected, { userName: '李娜' })).toBe('拒绝(李娜放行):年龄范围、必备资料');
    const off = evaluateRisk(rules.map((r) => (r.kind === 'age_range' ? { ...r, enabled: false } : r)), facts({ idNumber: makeIdNumber('19591101') }));
    expect(off.level).toBe('pass');
    expect(off.results.map((r) => r.kind)).not.toContain('age_range');
  });

  it('a rule at level 通过 only records what it found', () => {
    expect(one('blacklist', { blacklisted: { phone: true, idNumber: false } }, { level: 'pass' })).toMatchObject({ level: 'pass', reason: '手机号在内部黑名单中' });
  });

  it('the shipped defaults satisfy their own schemas', () => {
    for (const r of DEFAULT_RISK_RULES) expect(RISK_PARAM_SCHEMAS[r.kind].safeParse(r.params).success, r.kind).toBe(true);
  });

  it('parameter schemas refuse nonsense in Chinese', () => {
    const r = RISK_PARAM_SCHEMAS.age_range.safeParse({ minAge: 61, maxAge: 60 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toBe('最小年龄不能大于最大年龄');
    expect(RISK_PARAM_SCHEMAS.dti.safeParse({ maxRatioPercent: 0, defaultAnnualRateBp: 1200 }).success).toBe(false);
  });
});

describe('custom rules (the shared rule language)', () => {
  const big = {
    name: '杭州大额',
    level: 'reject' as const,
    reason: '杭州单笔超过 100 万需总部审批',
    when: { match: 'all' as const, conditions: [{ field: 'application.amountFen', op: 'gt' as const, value: 100_000_000 }, { field: 'customer.city', op: 'in' as const, value: ['杭州'] }] },
  };
  const young = { name: '年轻大额', level: 'warn' as const, reason: '30 岁以下申请超过 50 万', when: { match: 'all' as const, conditions: [{ field: 'customer.idNumber', op: 'age_from_id' as const, value: { max: 29 } }, { field: 'application.amountFen', op: 'gt' as const, value: 50_000_000 }] } };
  const run = (ruleFacts: Record<string, unknown>) =>
    evaluateRisk([{ kind: 'custom', enabled: true, level: 'warn', params: { rules: [big, young] } } as RiskRule], facts({ ruleFacts, now: new Date('2026-11-23T04:00:00Z') }));

  it.each([
    [{ 'application.amountFen': 100_000_001, 'customer.city': '杭州', 'customer.idNumber': makeIdNumber('19900101') }, ['reject:杭州大额:杭州单笔超过 100 万需总部审批', 'pass:年轻大额:未命中'], 'reject'],
    [{ 'application.amountFen': 100_000_000, 'customer.city': '杭州', 'customer.idNumber': makeIdNumber('19900101') }, ['pass:杭州大额:未命中', 'pass:年轻大额:未命中'], 'pass'], // exactly 100万 is not "more than"
    [{ 'application.amountFen': 60_000_000, 'customer.city': '宁波', 'customer.idNumber': makeIdNumber('19971124') }, ['pass:杭州大额:未命中', 'warn:年轻大额:30 岁以下申请超过 50 万'], 'warn'], // 28 on the Shanghai date
  ])('%j', (ruleFacts, lines, level) => {
    const r = run(ruleFacts);
    expect(r.results.map((x) => `${x.level}:${x.name}:${x.reason}`)).toEqual(lines);
    expect(r.level).toBe(level);
  });

  it('a condition on a missing field is reported, at most 提示, and never crashes', () => {
    const r = run({ 'application.amountFen': 200_000_000 });
    expect(r.results[0]).toMatchObject({ name: '杭州大额', level: 'warn', missing: true });
    expect(r.results[0].reason).toMatch(/^无法判断:/);
    expect(r.level).toBe('warn');
  });

  it('an override covers custom rules by name', () => {
    const r = run({ 'application.amountFen': 100_000_001, 'customer.city': '杭州', 'customer.idNumber': makeIdNumber('19900101') });
    expect(rejectedRules(r)).toEqual(['custom:杭州大额']);
  });

  it('the schema checks names, levels and conditions', () => {
    const schema = RISK_PARAM_SCHEMAS.custom;
    expect(schema.safeParse({ rules: [big, young] }).success).toBe(true);
    expect(schema.safeParse({ rules: [big, big] }).error?.issues[0].message).toBe('自定义规则名称不能重复');
    const bad = schema.safeParse({ rules: [{ ...big, when: { match: 'all', conditions: [{ field: 'application.amountFen', op: 'gt', value: '很多' }] } }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].message).toMatch(/[\u4e00-\u9fa5]/);
    expect(schema.safeParse({ rules: [{ ...big, level: 'pass' }] }).success).toBe(false);
  });
});
