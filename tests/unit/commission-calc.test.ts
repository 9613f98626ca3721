// Commission arithmetic (C20): percent, fixed, tiers by month-to-date volume, rule choice, clawback window.
import { describe, expect, it } from 'vitest';
import { applyPpm, clawbackUntil, commissionFor, pickRule, tierRate, type RuleLike } from '../../server/src/modules/commissions/commission.calc';
import { CommissionRuleInput } from '../../server/src/contracts/commissions';

const rule = (o: Partial<RuleLike>): RuleLike => ({
  id: 1, beneficiary: 'channel', channel: null, productId: null, kind: 'percent', ratePpm: 10_000, fixedFen: null, tiers: null,
  validFrom: '2026-01-01', validTo: null, priority: 0, enabled: true, ...o,
});

describe('applyPpm (half-up)', () => {
  it.each([
    [10_000_000, 10_000, 100_000], // 10 万元 × 1 % = 1000 元
    [12_345, 10_000, 123], // 123.45 → 123
    [12_350, 10_000, 124], // 123.5 → 124
    [-12_350, 10_000, -124], // symmetric for negatives
    [99, 5_000, 0],
    [100, 5_000, 1],
  ])('%i × %i ppm = %i', (fen, ppm, out) => expect(applyPpm(fen, ppm)).toBe(out));
});

describe('tiers by the month’s volume (this loan included)', () => {
  const tiers = [
    { minVolumeFen: 0, ratePpm: 8_000 },
    { minVolumeFen: 100_000_000, ratePpm: 10_000 }, // from 100 万元
    { minVolumeFen: 500_000_000, ratePpm: 12_000 }, // from 500 万元
  ];
  it.each([
    [0, 8_000], [99_999_999, 8_000], [100_000_000, 10_000], [499_999_999, 10_000], [500_000_000, 12_000], [9e9, 12_000],
  ])('volume %i → %i ppm', (v, r) => expect(tierRate(tiers, v)).toBe(r));

  it('a loan earns the rate of the tier the month reached with it', () => {
    const r = rule({ kind: 'tiered', ratePpm: null, tiers });
    expect(commissionFor(r, 30_000_000, 90_000_000)).toEqual({ amountFen: 240_000, ratePpm: 8_000 });
    expect(commissionFor(r, 30_000_000, 120_000_000)).toEqual({ amountFen: 300_000, ratePpm: 10_000 });
  });

  it('fixed per loan ignores the amount', () => {
    expect(commissionFor(rule({ kind: 'fixed', ratePpm: null, fixedFen: 50_000 }), 123_456_789, 0)).toEqual({ amountFen: 50_000, ratePpm: null });
  });
});

describe('which rule applies', () => {
  const loan = { channel: 'douyin', productId: 7, disbursedOn: '2026-11-20' };
  it.each([
    ['the only matching rule', [rule({ id: 1 })], 1],
    ['another channel does not match', [rule({ id: 1, channel: 'baidu' })], null],
    ['another product does not match', [rule({ id: 1, productId: 8 })], null],
    ['not yet valid', [rule({ id: 1, validFrom: '2026-11-21' })], null],
    ['expired the day before', [rule({ id: 1, validTo: '2026-11-19' })], null],
    ['valid through the day itself', [rule({ id: 1, validTo: '2026-11-20' })], 1],
    ['disabled', [rule({ id: 1, enabled: false })], null],
    ['officer rules do not apply to the channel', [rule({ id: 1, beneficiary: 'officer' })], null],
    ['more specific wins at equal priority', [rule({ id: 1 }), rule({ id: 2, channel: 'douyin' }), rule({ id: 3, channel: 'douyin', productId: 7 })], 3],
    ['priority beats specificity', [rule({ id: 1, priority: 5 }), rule({ id: 2, channel: 'douyin', productId: 7 })], 1],
    ['older wins a full tie', [rule({ id: 4, channel: 'douyin' }), rule({ id: 2, channel: 'douyin' })], 2],
  ] as const)('%s', (_n, rules, id) => {
    expect(pickRule([...rules], 'channel', loan)?.id ?? null).toBe(id);
  });
});

describe('clawback window', () => {
  it.each([
    ['2026-01-15', 6, '2026-07-15'],
    ['2026-08-31', 6, '2027-02-28'], // clamped to the month end
    ['2026-11-30', 3, '2027-02-28'],
    ['2028-11-30', 3, '2029-02-28'],
    ['2027-11-30', 3, '2028-02-29'], // leap year
  ])('%s + %i months → %s', (from, m, until) => expect(clawbackUntil(from, m)).toBe(until));
});

describe('rule command', () => {
  const base = { name: 'r', beneficiary: 'channel', kind: 'percent', ratePpm: 10_000, validFrom: '2026-11-01' };
  it('accepts a percent rule and fills defaults', () => {
    expect(CommissionRuleInput.parse(base)).toMatchObject({ priority: 0, enabled: true });
  });
  it.each([
    ['percent without a rate', { ...base, ratePpm: undefined }],
    ['fixed without an amount', { ...base, kind: 'fixed', ratePpm: undefined }],
    ['tiers not starting at 0', { ...base, kind: 'tiered', tiers: [{ minVolumeFen: 10, ratePpm: 1 }] }],
    ['tiers not increasing', { ...base, kind: 'tiered', tiers: [{ minVolumeFen: 0, ratePpm: 1 }, { minVolumeFen: 0, ratePpm: 2 }] }],
    ['valid to before from', { ...base, validTo: '2026-10-01' }],
    ['a rate over 20 %', { ...base, ratePpm: 200_001 }],
    ['a bad date', { ...base, validFrom: '2026-02-30' }],
  ])('rejects %s', (_n, input) => {
    expect(CommissionRuleInput.safeParse(input).success).toBe(false);
  });
});
