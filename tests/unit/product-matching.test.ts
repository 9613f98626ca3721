// 匹配产品 at its boundaries: amount at the limits and one fen outside, ages 22 and 60 from ID
// numbers on a fixed Shanghai date, term limits, reasons in Chinese, unknown facts, ranking.
import { describe, expect, it } from 'vitest';
import { matchProducts, type MatchRequest } from '../../server/src/modules/products/matching';
import { idCheckChar } from '../../server/src/contracts/identity';
import type { RuleGroup } from '../../server/src/contracts/rules';

const NOW = new Date('2026-11-23T04:00:00Z'); // 2026-11-23 12:00 in Shanghai
const id = (birth: string) => {
  const first17 = `330106${birth}123`;
  return first17 + idCheckChar(first17);
};

const AGE_22_60: RuleGroup = { match: 'all', conditions: [{ field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } }] };
const INCOME_10K: RuleGroup = { match: 'all', conditions: [{ field: 'customer.monthlyIncomeFen', op: 'gte', value: 1_000_000 }] };

let seq = 1;
function product(over: Partial<Parameters<typeof matchProducts>[0][number]> = {}) {
  return {
    id: seq++, rateMinPpm: 60_000, amountMinFen: 5_000_000, amountMaxFen: 50_000_000, termMinMonths: 6, termMaxMonths: 36,
    repaymentMethods: ['equal_installment', 'interest_first'] as ('equal_installment' | 'interest_first')[], eligibility: null as RuleGroup | null, sortOrder: 0, ...over,
  };
}
const req = (over: Partial<MatchRequest> = {}): MatchRequest => ({ amountFen: 10_000_000, termMonths: 12, repaymentMethod: null, ...over });
const one = (p: ReturnType<typeof product>, facts: Record<string, unknown>, r: MatchRequest) => matchProducts([p], facts, r, NOW)[0];

describe('product limits', () => {
  const p = product();
  it.each([
    [5_000_000, true],
    [50_000_000, true],
    [4_999_999, false],
    [50_000_001, false],
  ])('amount %i fen qualifies: %s', (amountFen, ok) => {
    const m = one(p, {}, req({ amountFen }));
    expect(m.qualified).toBe(ok);
    if (!ok) expect(m.reasons[0].field).toBe('amount');
  });

  it('says which limit and by how much, in 元', () => {
    expect(one(p, {}, req({ amountFen: 4_999_999 })).reasons[0].text).toBe('申请金额 49,999.99 元,低于产品最低额度 50,000.00 元');
    expect(one(p, {}, req({ amountFen: 50_000_001 })).reasons[0].text).toBe('申请金额 500,000.01 元,高于产品最高额度 500,000.00 元');
  });

  it.each([
    [5, false],
    [6, true],
    [36, true],
    [37, false],
  ])('term %i months qualifies: %s', (termMonths, ok) => {
    const m = one(p, {}, req({ termMonths }));
    expect(m.qualified).toBe(ok);
    if (!ok) expect(m.reasons[0].text).toBe(`申请期限 ${termMonths} 个月,不在产品期限 6–36 个月内`);
  });

  it('a repayment method the product does not offer fails, listing those it does', () => {
    const m = one(p, {}, req({ repaymentMethod: 'bullet' }));
    expect(m.qualified).toBe(false);
    expect(m.reasons[0].text).toBe('产品不支持「到期一次还本付息」(可选:等额本息、先息后本)');
    expect(one(p, {}, req({ repaymentMethod: 'interest_first' })).qualified).toBe(true);
  });

  it('without an amount or term the product is not qualified and the reason is "unknown", not a fail', () => {
    const m = one(p, {}, req({ amountFen: null, termMonths: null }));
    expect(m.qualified).toBe(false);
    expect(m.reasons.map((r) => r.unknown)).toEqual([true, true]);
  });
});

describe('eligibility', () => {
  const p = product({ eligibility: AGE_22_60 });
  it.each([
    ['20041123', 22, true], // 22 today
    ['20041124', 21, false], // 22 tomorrow
    ['19661123', 60, true],
    ['19651124', 60, true], // 61 tomorrow
    ['19651123', 61, false], // 61 today
  ])('born %s (age %i) qualifies: %s', (birth, age, ok) => {
    const m = one(p, { 'customer.idNumber': id(birth) }, req());
    expect(m.qualified).toBe(ok);
    if (!ok) expect(m.reasons).toEqual([{ field: 'customer.idNumber', text: `年龄 ${age} 岁,要求 22–60 岁`, unknown: false }]);
  });

  it('income below the bar reads as money in 元; exactly at the bar qualifies', () => {
    const q = product({ eligibility: INCOME_10K });
    expect(one(q, { 'customer.monthlyIncomeFen': 800_000 }, req()).reasons[0].text).toBe('月收入 8,000.00 元,低于 10,000.00 元');
    expect(one(q, { 'customer.monthlyIncomeFen': 1_000_000 }, req()).qualified).toBe(true);
    expect(one(q, { 'customer.monthlyIncomeFen': '999999' }, req()).qualified).toBe(false); // BIGINT as a string
  });

  it('a missing fact is reported as unknown, not a crash', () => {
    const m = one(product({ eligibility: { match: 'all', conditions: [...INCOME_10K.conditions, ...AGE_22_60.conditions] } }), {}, req());
    expect(m.qualified).toBe(false);
    expect(m.reasons).toEqual([
      { field: 'customer.monthlyIncomeFen', text: '缺少「月收入」,无法判断', unknown: true },
      { field: 'customer.idNumber', text: '缺少「身份证号」,无法判断', unknown: true },
    ]);
  });

  it('enum and region conditions name the values in Chinese', () => {
    const q = product({
      eligibility: {
        match: 'all',
        conditions: [
          { field: 'customer.collateral', op: 'eq', value: 'house' },
          { field: 'customer.city', op: 'matches_region', value: ['杭州', '苏州'] },
          { field: 'customer.creditStatus', op: 'in', value: ['good', 'no_record'] },
        ],
      },
    });
    const m = one(q, { 'customer.collateral': 'vehicle', 'customer.city': '上海', 'customer.creditStatus': 'serious_overdue' }, req());
    expect(m.reasons.map((r) => r.text)).toEqual(['抵押/担保方式为「车辆」,要求为「房产」', '城市「上海」不在 杭州、苏州 内', '征信情况为「严重逾期」,不在可接受范围(征信良好、无征信记录)内']);
    expect(one(q, { 'customer.collateral': 'house', 'customer.city': '杭州市', 'customer.creditStatus': 'good' }, req()).qualified).toBe(true);
  });

  it('an "any" group that matched nothing is one reason listing the alternatives', () => {
    const q = product({ eligibility: { match: 'any', conditions: [{ field: 'customer.occupation', op: 'eq', value: 'civil_servant' }, INCOME_10K.conditions[0]] } });
    const m = one(q, { 'customer.occupation': 'freelancer', 'customer.monthlyIncomeFen': 500_000 }, req());
    expect(m.reasons).toHaveLength(1);
    expect(m.reasons[0].text).toBe('以下条件需满足其一:职业为「自由职业」,要求为「公务员/事业单位」;月收入 5,000.00 元,低于 10,000.00 元');
    expect(one(q, { 'customer.occupation': 'civil_servant' }, req()).qualified).toBe(true);
  });
});

describe('ranking', () => {
  it('qualified first by lowest rate, then by how well the amount sits in the range; the rest after, fewest failures first', () => {
    const cheap = product({ rateMinPpm: 40_000 });
    const edge = product({ rateMinPpm: 60_000, amountMinFen: 10_000_000, amountMaxFen: 20_000_000 }); // 10万 at its very bottom
    const middle = product({ rateMinPpm: 60_000, amountMinFen: 5_000_000, amountMaxFen: 15_000_000 }); // 10万 in the middle
    const failsTwo = product({ rateMinPpm: 10_000, termMinMonths: 24, amountMinFen: 20_000_000, amountMaxFen: 30_000_000 });
    const failsOne = product({ rateMinPpm: 90_000, termMinMonths: 24 });
    const order = matchProducts([failsTwo, edge, failsOne, middle, cheap], {}, req(), NOW).map((m) => [m.product.id, m.qualified]);
    expect(order).toEqual([
      [cheap.id, true],
      [middle.id, true],
      [edge.id, true],
      [failsOne.id, false],
      [failsTwo.id, false],
    ]);
  });
});
