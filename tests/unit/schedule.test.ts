// Repayment schedules (C17): known figures for the four methods, due-date clamping, and the
// invariants over thousands of generated loans (seeded, so a failure reproduces).
import { describe, expect, it } from 'vitest';
import {
  addMonthsClamped, buildSchedule, equalInstallmentPayment, interestOn, maturityDate, monthlyRate, monthlyRateFromAnnual, roundHalfUp,
  type ScheduleInput,
} from '../../server/src/modules/loans/schedule';
import type { RepaymentMethod } from '../../server/src/contracts/loans';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const pay = (s: { principalFen: number; interestFen: number }) => s.principalFen + s.interestFen;

describe('rounding and rates', () => {
  it.each([
    [5n, 10n, 1n], [4n, 10n, 0n], [15n, 10n, 2n], [14n, 10n, 1n], [0n, 7n, 0n], [1n, 2n, 1n], [1n, 3n, 0n], [2n, 3n, 1n],
  ])('roundHalfUp(%d / %d) = %d', (n, d, r) => expect(roundHalfUp(n, d)).toBe(r));

  it('monthly = annual / 12 exactly, not a rounded ppm', () => {
    expect(monthlyRateFromAnnual(85_000)).toBe(7083); // 7083.33 for display only
    expect(monthlyRateFromAnnual(50)).toBe(4); // 4.1666 → 4
    expect(monthlyRateFromAnnual(54)).toBe(5); // 4.5 → 5 (half-up)
    // 1,000,000 元 at 8.5 %: 7083.33… yuan of interest a month, from the exact rate
    expect(interestOn(100_000_000, monthlyRate({ annualRatePpm: 85_000 }))).toBe(708_333);
    // the rounded 7083 ppm would give 708,300 fen: why schedules never use the rounded figure
    expect(interestOn(100_000_000, monthlyRate({ monthlyRatePpm: 7083 }))).toBe(708_300);
  });

  it('rejects fractional or negative rates and bad inputs', () => {
    expect(() => monthlyRate({ annualRatePpm: 1.5 })).toThrow(RangeError);
    expect(() => monthlyRate({ monthlyRatePpm: -1 })).toThrow(RangeError);
    const base: ScheduleInput = { principalFen: 100, annualRatePpm: 0, termMonths: 1, method: 'bullet', firstDueOn: '2026-01-31' };
    expect(() => buildSchedule({ ...base, principalFen: 0 })).toThrow(RangeError);
    expect(() => buildSchedule({ ...base, principalFen: 10.5 })).toThrow(RangeError);
    expect(() => buildSchedule({ ...base, termMonths: 0 })).toThrow(RangeError);
    expect(() => buildSchedule({ ...base, firstDueOn: '2026-02-30' })).toThrow(RangeError);
  });
});

describe('due dates', () => {
  it('keeps the first due day, clamped to each month end', () => {
    expect([0, 1, 2, 3, 12, 13].map((k) => addMonthsClamped('2026-01-31', k)))
      .toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2027-01-31', '2027-02-28']);
    expect(addMonthsClamped('2027-01-31', 13)).toBe('2028-02-29'); // leap year
    expect(addMonthsClamped('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonthsClamped('2026-11-30', 3)).toBe('2027-02-28');
    expect(maturityDate('2026-01-31', 360)).toBe('2055-12-31');
  });

  it('every method ends on the maturity date', () => {
    for (const method of ['equal_installment', 'equal_principal', 'interest_first', 'bullet'] as const) {
      const s = buildSchedule({ principalFen: 1_000_000, annualRatePpm: 120_000, termMonths: 12, method, firstDueOn: '2026-01-31' });
      expect(s.at(-1)!.dueOn).toBe('2026-12-31');
      if (method !== 'bullet') expect(s.map((i) => i.dueOn).slice(0, 3)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
    }
  });
});

describe('buildSchedule: known figures', () => {
  it('等额本息 100万 30年 4.9 %: 月供 5,307.27 (the published mortgage figure)', () => {
    const s = buildSchedule({ principalFen: 100_000_000, annualRatePpm: 49_000, termMonths: 360, method: 'equal_installment', firstDueOn: '2026-02-20' });
    expect(s).toHaveLength(360);
    expect(equalInstallmentPayment(100_000_000, monthlyRate({ annualRatePpm: 49_000 }), 360)).toBe(530_727);
    expect(s[0]).toEqual({ seq: 1, dueOn: '2026-02-20', principalFen: 530_727 - 408_333, interestFen: 408_333 });
    for (const i of s.slice(0, -1)) expect(pay(i)).toBe(530_727);
    // the 0.5 fen rounding of the payment compounds over 360 months: the last is 2.08 元 less
    expect(s.at(-1)).toEqual({ seq: 360, dueOn: '2056-01-20', principalFen: 528_362, interestFen: 2_157 });
    expect(sum(s.map((i) => i.principalFen))).toBe(100_000_000);
  });

  it('等额本金 100万 30年 4.9 %: first month 6,861.11, then 11.34 less each month', () => {
    const s = buildSchedule({ principalFen: 100_000_000, annualRatePpm: 49_000, termMonths: 360, method: 'equal_principal', firstDueOn: '2026-02-20' });
    expect(s[0]).toEqual({ seq: 1, dueOn: '2026-02-20', principalFen: 277_778, interestFen: 408_333 });
    expect(pay(s[0]!)).toBe(686_111);
    expect(pay(s[0]!) - pay(s[1]!)).toBe(1_134);
    expect(s.at(-1)!.principalFen).toBe(100_000_000 - 277_778 * 359); // 277,698: the last absorbs
    expect(sum(s.map((i) => i.principalFen))).toBe(100_000_000);
  });

  it('等额本息 10万 12期 月息1 %: 8,884.88 a month', () => {
    const s = buildSchedule({ principalFen: 10_000_000, monthlyRatePpm: 10_000, termMonths: 12, method: 'equal_installment', firstDueOn: '2026-03-10' });
    expect(s.slice(0, 2)).toEqual([
      { seq: 1, dueOn: '2026-03-10', principalFen: 788_488, interestFen: 100_000 },
      { seq: 2, dueOn: '2026-04-10', principalFen: 796_373, interestFen: 92_115 }, // 9,211,512 × 1 % = 92,115.12
    ]);
    expect(s.slice(0, 11).every((i) => pay(i) === 888_488)).toBe(true);
    expect(sum(s.map((i) => i.principalFen))).toBe(10_000_000);
  });

  type Case = [string, RepaymentMethod, number, number, number, [number, number][]];
  it.each<Case>([
    // name, method, principal fen, annual ppm, term, [principal, interest] per installment
    ['1 month 等额本息', 'equal_installment', 10_000, 120_000, 1, [[10_000, 100]]],
    ['1 month 等额本金', 'equal_principal', 10_000, 120_000, 1, [[10_000, 100]]],
    ['1 month 先息后本', 'interest_first', 10_000, 120_000, 1, [[10_000, 100]]],
    ['1 month bullet', 'bullet', 10_000, 120_000, 1, [[10_000, 100]]],
    ['0 % 等额本息, uneven', 'equal_installment', 100, 0, 3, [[33, 0], [33, 0], [34, 0]]],
    ['0 % 等额本息, 200/3 rounds down', 'equal_installment', 200, 0, 3, [[66, 0], [66, 0], [68, 0]]],
    ['0 % 等额本金, 200/3 rounds half-up', 'equal_principal', 200, 0, 3, [[67, 0], [67, 0], [66, 0]]],
    ['0 % 先息后本', 'interest_first', 200, 0, 3, [[0, 0], [0, 0], [200, 0]]],
    ['0 % bullet', 'bullet', 200, 0, 3, [[200, 0]]],
    // 1,000.01 元, 12 %, 3 months: interest 1000.01 × 1 % = 10.0001 → 10.00
    ['先息后本 uneven', 'interest_first', 100_001, 120_000, 3, [[0, 1000], [0, 1000], [100_001, 1000]]],
    // 10,000 元 18 % 6 months bullet: 10,000 × 1.5 % × 6 = 900
    ['bullet 6 months', 'bullet', 1_000_000, 180_000, 6, [[1_000_000, 90_000]]],
    // 1,000.00 元, 12 %, 3 months 等额本金: principal 333.33, 333.33, 333.34; interest 10.00, 6.67, 3.33
    ['等额本金 uneven', 'equal_principal', 100_000, 120_000, 3, [[33_333, 1000], [33_333, 667], [33_334, 333]]],
    // 1,000.00 元, 12 %, 3 months 等额本息: payment 340.02; interest 10.00, 6.70, 3.37
    ['等额本息 uneven', 'equal_installment', 100_000, 120_000, 3, [[33_002, 1000], [33_332, 670], [33_666, 337]]],
    // half-up at exactly .5 fen: 50 fen × 1 % = 0.5 → 1
    ['half fen rounds up', 'interest_first', 50, 120_000, 1, [[50, 1]]],
    // a loan smaller than its term: every installment still ≥ 0 and principal still sums to P
    ['tiny 等额本金', 'equal_principal', 5, 0, 12, [...Array(11).fill([0, 0]), [5, 0]] as [number, number][]],
  ])('%s', (_name, method, principalFen, annualRatePpm, termMonths, expected) => {
    const s = buildSchedule({ principalFen, annualRatePpm, termMonths, method, firstDueOn: '2026-05-31' });
    expect(s.map((i) => [i.principalFen, i.interestFen])).toEqual(expected);
    expect(s.map((i) => i.seq)).toEqual(expected.map((_, k) => k + 1));
  });

  it('360 months for every method, 0 % and positive', () => {
    for (const method of ['equal_installment', 'equal_principal', 'interest_first', 'bullet'] as const) {
      for (const annualRatePpm of [0, 36_000, 240_000]) {
        const s = buildSchedule({ principalFen: 123_456_789, annualRatePpm, termMonths: 360, method, firstDueOn: '2026-01-31' });
        expect(s).toHaveLength(method === 'bullet' ? 1 : 360);
        expect(sum(s.map((i) => i.principalFen))).toBe(123_456_789);
        if (annualRatePpm === 0) expect(sum(s.map((i) => i.interestFen))).toBe(0);
      }
    }
  });
});

/** mulberry32: a tiny seeded PRNG so the generated loans are the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('buildSchedule: invariants over generated loans', () => {
  const rand = prng(20261123);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const methods = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'] as const;
  const terms = [1, 2, 3, 6, 12, 24, 36, 60, 120, 240, 360];
  const loans = Array.from({ length: 4000 }, () => ({
    method: methods[int(0, 3)]!,
    // 1 元 … 5,000 万 with odd fen, so amounts rarely divide evenly
    principalFen: rand() < 0.1 ? int(1, 50_000) : int(100_000, 5_000_000_000),
    termMonths: rand() < 0.5 ? terms[int(0, terms.length - 1)]! : int(1, 360),
    rate: rand() < 0.1 ? { annualRatePpm: 0 } : rand() < 0.3 ? { monthlyRatePpm: int(1, 30_000) } : { annualRatePpm: int(1, 360_000) },
    firstDueOn: `20${int(26, 35)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
  }));

  it('principal sums to the loan, no negative balance or installment, equal payments within 1 fen but the last', () => {
    // Collect the broken rules instead of one expect per installment: ~500,000 checks run in well under a second.
    const broken: string[] = [];
    const check = (ok: boolean, rule: string, loan: object) => { if (!ok && broken.length < 20) broken.push(`${rule}: ${JSON.stringify(loan)}`); };
    for (const loan of loans) {
      const s = buildSchedule({ ...loan, ...loan.rate } as ScheduleInput);
      check(s.length === (loan.method === 'bullet' ? 1 : loan.termMonths), 'length', loan);
      check(sum(s.map((i) => i.principalFen)) === loan.principalFen, 'principal sums to the loan', loan);
      let balance = loan.principalFen;
      const rate = monthlyRate(loan.rate);
      for (const i of s) {
        check(Number.isSafeInteger(i.principalFen) && i.principalFen >= 0, 'principal ≥ 0', loan);
        check(Number.isSafeInteger(i.interestFen) && i.interestFen >= 0, 'interest ≥ 0', loan);
        if (loan.method !== 'bullet') check(i.interestFen === interestOn(balance, rate), 'interest = round(balance × r)', loan);
        balance -= i.principalFen;
        check(balance >= 0, 'no negative balance', loan);
      }
      check(balance === 0, 'ends at 0', loan);
      if (loan.method === 'equal_installment' && loan.principalFen >= 100_000 && s.length > 1) {
        const payments = s.slice(0, -1).map(pay);
        check(Math.max(...payments) - Math.min(...payments) <= 1, 'equal payments within 1 fen', loan);
      }
      if (loan.method === 'equal_principal' && s.length > 1) {
        const principals = s.slice(0, -1).map((i) => i.principalFen);
        check(Math.max(...principals) === Math.min(...principals), 'equal principal', loan);
      }
      const dates = s.map((i) => i.dueOn);
      check(dates.every((d, k) => k === 0 || d > dates[k - 1]!), 'due dates increase', loan);
      check(dates.at(-1) === maturityDate(loan.firstDueOn, loan.termMonths), 'ends at maturity', loan);
    }
    expect(broken).toEqual([]);
  });
});
