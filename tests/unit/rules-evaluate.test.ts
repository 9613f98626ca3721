// The rule language: every operator on its boundaries, AND/OR groups, missing and unreadable
// fields reported (never thrown), and the schema refusing values that do not fit field + operator.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../server/src/modules/rules/evaluate';
import { conditionValueProblem, describeCondition, RuleTree, type RuleCondition, type RuleGroup } from '../../server/src/contracts/rules';
import { idCheckChar } from '../../server/src/contracts/identity';

const NOW = new Date('2026-11-23T02:00:00Z'); // 2026-11-23 10:00 in Shanghai
const id = (area: string, birth: string) => {
  const first17 = `${area}${birth}123`;
  return first17 + idCheckChar(first17);
};
const one = (c: RuleCondition): RuleGroup => ({ match: 'all', conditions: [c] });
const run = (c: RuleCondition, facts: Record<string, unknown>) => evaluate(one(c), facts, { now: NOW });

type Row = [string, RuleCondition, Record<string, unknown>, boolean];
const amount = 'customer.loanAmountFen';
const rows: Row[] = [
  ['eq number hit', { field: amount, op: 'eq', value: 100 }, { [amount]: 100 }, true],
  ['eq number miss', { field: amount, op: 'eq', value: 100 }, { [amount]: 101 }, false],
  ['eq BIGINT as string', { field: amount, op: 'eq', value: 100 }, { [amount]: '100' }, true],
  ['eq text', { field: 'customer.city', op: 'eq', value: '杭州' }, { 'customer.city': '杭州' }, true],
  ['ne text', { field: 'customer.city', op: 'ne', value: '杭州' }, { 'customer.city': '上海' }, true],
  ['ne equal', { field: 'customer.city', op: 'ne', value: '杭州' }, { 'customer.city': '杭州' }, false],
  ['gt boundary', { field: amount, op: 'gt', value: 500 }, { [amount]: 500 }, false],
  ['gt above', { field: amount, op: 'gt', value: 500 }, { [amount]: 501 }, true],
  ['gte boundary', { field: amount, op: 'gte', value: 500 }, { [amount]: 500 }, true],
  ['gte below', { field: amount, op: 'gte', value: 500 }, { [amount]: 499 }, false],
  ['lt boundary', { field: amount, op: 'lt', value: 500 }, { [amount]: 500 }, false],
  ['lt below', { field: amount, op: 'lt', value: 500 }, { [amount]: 499 }, true],
  ['lte boundary', { field: amount, op: 'lte', value: 500 }, { [amount]: 500 }, true],
  ['lte above', { field: amount, op: 'lte', value: 500 }, { [amount]: 501 }, false],
  ['gt date', { field: 'customer.nextFollowUpDate', op: 'gt', value: '2026-11-22' }, { 'customer.nextFollowUpDate': '2026-11-23' }, true],
  ['lte datetime by Shanghai date', { field: 'customer.createdAt', op: 'lte', value: '2026-11-22' }, { 'customer.createdAt': new Date('2026-11-22T16:30:00Z') }, false], // 23rd 00:30 Shanghai
  ['eq datetime by Shanghai date', { field: 'customer.createdAt', op: 'eq', value: '2026-11-23' }, { 'customer.createdAt': '2026-11-22T16:30:00Z' }, true],
  ['in enum', { field: 'customer.collateral', op: 'in', value: ['house', 'vehicle'] }, { 'customer.collateral': 'vehicle' }, true],
  ['in enum miss', { field: 'customer.collateral', op: 'in', value: ['house', 'vehicle'] }, { 'customer.collateral': 'credit' }, false],
  ['not_in hit', { field: 'customer.channel', op: 'not_in', value: ['抖音', '百度'] }, { 'customer.channel': '抖音' }, false],
  ['not_in miss', { field: 'customer.channel', op: 'not_in', value: ['抖音', '百度'] }, { 'customer.channel': '转介绍' }, true],
  ['in numbers', { field: 'customer.loanTermMonths', op: 'in', value: [12, 24] }, { 'customer.loanTermMonths': 24 }, true],
  ['contains text', { field: 'customer.loanPurpose', op: 'contains', value: '经营' }, { 'customer.loanPurpose': '用于经营周转' }, true],
  ['contains text miss', { field: 'customer.loanPurpose', op: 'contains', value: '装修' }, { 'customer.loanPurpose': '用于经营周转' }, false],
  ['contains tag', { field: 'customer.campaignTags', op: 'contains', value: '双十一' }, { 'customer.campaignTags': ['双十一', '老客'] }, true],
  ['contains tag is exact', { field: 'customer.campaignTags', op: 'contains', value: '双十' }, { 'customer.campaignTags': ['双十一'] }, false],
  ['is_empty null', { field: 'customer.idNumber', op: 'is_empty' }, { 'customer.idNumber': null }, true],
  ['is_empty absent', { field: 'customer.idNumber', op: 'is_empty', value: true }, {}, true],
  ['is_empty blank string', { field: 'customer.city', op: 'is_empty' }, { 'customer.city': '' }, true],
  ['is_empty empty tags', { field: 'customer.campaignTags', op: 'is_empty' }, { 'customer.campaignTags': [] }, true],
  ['is_empty present', { field: 'customer.city', op: 'is_empty' }, { 'customer.city': '杭州' }, false],
  ['not empty (false)', { field: 'customer.city', op: 'is_empty', value: false }, { 'customer.city': '杭州' }, true],
  ['not empty absent', { field: 'customer.city', op: 'is_empty', value: false }, {}, false],
  ['between low edge', { field: amount, op: 'between', value: { min: 100, max: 200 } }, { [amount]: 100 }, true],
  ['between high edge', { field: amount, op: 'between', value: { min: 100, max: 200 } }, { [amount]: 200 }, true],
  ['between below', { field: amount, op: 'between', value: { min: 100, max: 200 } }, { [amount]: 99 }, false],
  ['between above', { field: amount, op: 'between', value: { min: 100, max: 200 } }, { [amount]: 201 }, false],
  ['between dates', { field: 'customer.nextFollowUpDate', op: 'between', value: { min: '2026-11-01', max: '2026-11-30' } }, { 'customer.nextFollowUpDate': '2026-11-30' }, true],
  // age-from-ID: 22 today exactly on the birthday, 21 the day before it
  ['age birthday today', { field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } }, { 'customer.idNumber': id('330106', '20041123') }, true],
  ['age day before 22nd birthday', { field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } }, { 'customer.idNumber': id('330106', '20041124') }, false],
  ['age 60 upper edge', { field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } }, { 'customer.idNumber': id('330106', '19661124') }, true],
  ['age 61 past upper', { field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } }, { 'customer.idNumber': id('330106', '19651123') }, false],
  ['age min only', { field: 'customer.idNumber', op: 'age_from_id', value: { min: 18 } }, { 'customer.idNumber': id('330106', '19900101') }, true],
  // days-since in Shanghai calendar days (today 2026-11-23)
  ['days_since 3 at min 3', { field: 'customer.lastFollowUpAt', op: 'days_since', value: { min: 3 } }, { 'customer.lastFollowUpAt': new Date('2026-11-20T01:00:00Z') }, true],
  ['days_since 2 at min 3', { field: 'customer.lastFollowUpAt', op: 'days_since', value: { min: 3 } }, { 'customer.lastFollowUpAt': new Date('2026-11-20T16:30:00Z') }, false], // 21st Shanghai
  ['days_since max', { field: 'customer.nextFollowUpDate', op: 'days_since', value: { max: 0 } }, { 'customer.nextFollowUpDate': '2026-11-23' }, true],
  ['days_since future is negative', { field: 'customer.nextFollowUpDate', op: 'days_since', value: { min: 0 } }, { 'customer.nextFollowUpDate': '2026-11-24' }, false],
  ['region city name with suffix', { field: 'customer.city', op: 'matches_region', value: ['杭州市', '宁波'] }, { 'customer.city': '杭州' }, true],
  ['region city prefix', { field: 'customer.city', op: 'matches_region', value: ['浙江'] }, { 'customer.city': '浙江省杭州市' }, true],
  ['region city miss', { field: 'customer.city', op: 'matches_region', value: ['杭州'] }, { 'customer.city': '上海' }, false],
  ['region id province', { field: 'customer.idNumber', op: 'matches_region', value: ['33'] }, { 'customer.idNumber': id('330106', '19900101') }, true],
  ['region id city', { field: 'customer.idNumber', op: 'matches_region', value: ['3302', '3301'] }, { 'customer.idNumber': id('330106', '19900101') }, true],
  ['region id miss', { field: 'customer.idNumber', op: 'matches_region', value: ['31'] }, { 'customer.idNumber': id('330106', '19900101') }, false],
];

describe('evaluate: operators', () => {
  it.each(rows)('%s', (_name, cond, facts, expected) => {
    expect(RuleTree.safeParse(one(cond)).success).toBe(true);
    const r = run(cond, facts);
    expect(r.matched).toBe(expected);
    expect(r.problems).toEqual([]);
  });
});

describe('evaluate: problems are reported, not thrown', () => {
  it.each<[string, RuleCondition, Record<string, unknown>, string]>([
    ['missing field', { field: amount, op: 'gt', value: 1 }, {}, '缺少「贷款金额」'],
    ['null field', { field: 'customer.city', op: 'eq', value: '杭州' }, { 'customer.city': null }, '缺少「城市」'],
    ['not a number', { field: amount, op: 'gt', value: 1 }, { [amount]: 'abc' }, '「贷款金额」不是数字'],
    ['not a date', { field: 'customer.createdAt', op: 'days_since', value: { min: 1 } }, { 'customer.createdAt': 'yesterday' }, '「登记时间」不是有效日期'],
    ['bad ID', { field: 'customer.idNumber', op: 'age_from_id', value: { min: 1 } }, { 'customer.idNumber': '330106199001011230' }, '「身份证号」无效,无法计算年龄'],
    ['tags not a list', { field: 'customer.campaignTags', op: 'contains', value: 'a' }, { 'customer.campaignTags': 'a' }, '「标签」不是标签列表'],
    ['unknown field', { field: 'customer.nope', op: 'eq', value: 1 }, { 'customer.nope': 1 }, '未知的条件字段'],
  ])('%s', (_n, cond, facts, reason) => {
    const r = run(cond, facts);
    expect(r.matched).toBe(false);
    expect(r.problems).toEqual([{ field: cond.field, reason }]);
  });

  it('reports every problem of a tree, and an OR still matches on another branch', () => {
    const tree: RuleGroup = {
      match: 'any',
      conditions: [
        { field: amount, op: 'gt', value: 1 },
        { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '杭州' }, { field: 'customer.monthlyIncomeFen', op: 'gte', value: 1 }] },
        { field: 'customer.channel', op: 'eq', value: '抖音' },
      ],
    };
    const r = evaluate(tree, { 'customer.city': '杭州', 'customer.channel': '抖音' }, { now: NOW });
    expect(r.matched).toBe(true);
    expect(r.problems.map((p) => p.field)).toEqual([amount, 'customer.monthlyIncomeFen']);
  });
});

describe('evaluate: groups', () => {
  const t = { field: 'customer.city', op: 'eq', value: '杭州' } as const;
  const f = { field: 'customer.city', op: 'eq', value: '上海' } as const;
  const facts = { 'customer.city': '杭州' };
  it.each<[string, RuleGroup, boolean]>([
    ['empty all matches everything', { match: 'all', conditions: [] }, true],
    ['empty any matches nothing', { match: 'any', conditions: [] }, false],
    ['all true true', { match: 'all', conditions: [t, t] }, true],
    ['all true false', { match: 'all', conditions: [t, f] }, false],
    ['any false true', { match: 'any', conditions: [f, t] }, true],
    ['any false false', { match: 'any', conditions: [f, f] }, false],
    ['nested all(any(f,t), t)', { match: 'all', conditions: [{ match: 'any', conditions: [f, t] }, t] }, true],
    ['nested any(all(t,f), f)', { match: 'any', conditions: [{ match: 'all', conditions: [t, f] }, f] }, false],
  ])('%s', (_n, tree, expected) => {
    expect(evaluate(tree, facts, { now: NOW }).matched).toBe(expected);
  });
});

describe('RuleTree schema', () => {
  it.each<[string, RuleCondition, string]>([
    ['op not for type', { field: 'customer.city', op: 'gt', value: 'a' }, '「城市」不能用「大于」比较'],
    ['money not integer fen', { field: amount, op: 'gt', value: 1.5 }, '「贷款金额」的比较值应为金额(分,整数)'],
    ['number as string', { field: amount, op: 'eq', value: '100' }, '「贷款金额」的比较值应为金额(分,整数)'],
    ['enum value outside options', { field: 'customer.collateral', op: 'eq', value: 'boat' }, '「抵押/担保方式」的比较值应为可选值之一'],
    ['bad date', { field: 'customer.nextFollowUpDate', op: 'gt', value: '2026-02-30' }, '「下次跟进日期」的比较值应为日期(YYYY-MM-DD)'],
    ['empty in', { field: 'customer.channel', op: 'in', value: [] }, '「渠道」的可选值应为 1–200 个文字'],
    ['between reversed', { field: amount, op: 'between', value: { min: 200, max: 100 } }, '「贷款金额」介于的下限不能大于上限'],
    ['between one end', { field: amount, op: 'between', value: { min: 200 } }, '「贷款金额」介于的两端都应为金额(分,整数)'],
    ['age without bounds', { field: 'customer.idNumber', op: 'age_from_id', value: {} }, '请至少填写年龄的下限或上限'],
    ['days negative', { field: 'customer.lastFollowUpAt', op: 'days_since', value: { min: -1 } }, '天数应为不小于 0 的整数'],
    ['region empty', { field: 'customer.city', op: 'matches_region', value: [] }, '请至少选择一个地区(行政区划代码或地名)'],
  ])('%s', (_n, cond, message) => {
    expect(conditionValueProblem(cond)).toBe(message);
    const r = RuleTree.safeParse(one(cond));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe(message);
    expect(r.error?.issues[0].path).toEqual(['conditions', 0, 'value']);
  });

  it('refuses trees deeper than 3 levels and unknown fields', () => {
    const deep: RuleGroup = { match: 'all', conditions: [{ match: 'all', conditions: [{ match: 'all', conditions: [{ match: 'all', conditions: [] }] }] }] };
    expect(RuleTree.safeParse(deep).error?.issues[0].message).toBe('条件分组最多 3 层');
    expect(RuleTree.safeParse(one({ field: 'customer.nope', op: 'eq', value: 1 })).success).toBe(false);
  });

  it('describes conditions in Chinese', () => {
    expect(describeCondition({ field: amount, op: 'gte', value: 50000000 })).toBe('贷款金额大于等于 50万');
    expect(describeCondition({ field: amount, op: 'between', value: { min: 12345, max: 50000000 } })).toBe('贷款金额 123.45元–50万');
    expect(describeCondition({ field: 'customer.collateral', op: 'in', value: ['house', 'vehicle'] })).toBe('抵押/担保方式属于 房产、车辆');
    expect(describeCondition({ field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } })).toBe('身份证号对应年龄 22岁–60岁');
  });
});
