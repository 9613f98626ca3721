// Days past due, buckets and penalty arithmetic (C19), table-driven.
import { describe, expect, it } from 'vitest';
import { overdueBucket } from '../../server/src/contracts/loans';
import { overdueState, penaltyAccruals, penaltyFen, type InstallmentState } from '../../server/src/modules/collections/overdue.calc';

const inst = (id: number, dueOn: string, o: Partial<InstallmentState> = {}): InstallmentState => ({
  id, dueOn, principalFen: 100_000, interestFen: 5_000, paidPrincipalFen: 0, paidInterestFen: 0, waivedFen: 0, status: 'pending', ...o,
});

describe('bucket boundaries', () => {
  it.each([
    [0, 'current'], [1, 'M1'], [30, 'M1'], [31, 'M2'], [60, 'M2'], [61, 'M3'], [90, 'M3'], [91, 'M3+'], [400, 'M3+'],
  ] as const)('%i days → %s', (dpd, bucket) => {
    expect(overdueBucket(dpd)).toBe(bucket);
  });
});

describe('days past due from installments and the business date', () => {
  it.each([
    // [case, installments, today, dpd, since]
    ['due today is not late', [inst(1, '2026-11-23')], '2026-11-23', 0, null],
    ['the day after the due date is 1', [inst(1, '2026-11-22')], '2026-11-23', 1, '2026-11-23'],
    ['30 days → M1 edge', [inst(1, '2026-10-24')], '2026-11-23', 30, '2026-10-25'],
    ['31 days → M2', [inst(1, '2026-10-23')], '2026-11-23', 31, '2026-10-24'],
    ['60 days', [inst(1, '2026-09-24')], '2026-11-23', 60, '2026-09-25'],
    ['61 days', [inst(1, '2026-09-23')], '2026-11-23', 61, '2026-09-24'],
    ['90 days', [inst(1, '2026-08-25')], '2026-11-23', 90, '2026-08-26'],
    ['91 days', [inst(1, '2026-08-24')], '2026-11-23', 91, '2026-08-25'],
    ['the oldest unpaid one counts', [inst(1, '2026-09-23', { status: 'paid', paidPrincipalFen: 100_000, paidInterestFen: 5_000 }), inst(2, '2026-10-23'), inst(3, '2026-11-22')], '2026-11-23', 31, '2026-10-24'],
    ['a partly paid installment is still late', [inst(1, '2026-11-13', { status: 'partial', paidPrincipalFen: 99_999, paidInterestFen: 5_000 })], '2026-11-23', 10, '2026-11-14'],
    ['paid in full by amounts is not late', [inst(1, '2026-11-13', { status: 'partial', paidPrincipalFen: 100_000, paidInterestFen: 5_000 })], '2026-11-23', 0, null],
    ['waived is not late', [inst(1, '2026-11-13', { status: 'waived' })], '2026-11-23', 0, null],
    ['across a year end', [inst(1, '2026-12-31')], '2027-01-01', 1, '2027-01-01'],
  ] as const)('%s', (_name, installments, today, dpd, since) => {
    const s = overdueState([...installments], today);
    expect(s.daysPastDue).toBe(dpd);
    expect(s.bucket).toBe(overdueBucket(dpd));
    expect(s.overdueSince).toBe(since);
  });

  it('lists every late installment to mark overdue, not the ones not yet due', () => {
    const s = overdueState([inst(1, '2026-10-23'), inst(2, '2026-11-22'), inst(3, '2026-11-23'), inst(4, '2026-12-23')], '2026-11-23');
    expect(s.overdueInstallmentIds).toEqual([1, 2]);
  });
});

describe('penalty arithmetic (integer fen, half-up)', () => {
  it.each([
    // unpaid principal, ppm per day, days, fen
    [100_000, 500, 1, 50], // 1000 元 × 0.05 % = 0.50 元
    [100_001, 500, 1, 50], // 50.0005 → 50
    [100_010, 500, 1, 50], // 50.005 → 50 (half-up at .5 of a fen only)
    [100_999, 500, 1, 50], // 50.4995 → 50
    [101_000, 500, 1, 51], // 50.5 → 51
    [333, 1_000, 1, 0], // 0.333 → 0
    [500, 1_000, 1, 1], // 0.5 → 1
    [100_000, 500, 3, 150],
    [0, 500, 3, 0],
    [100_000, 0, 3, 0],
    [9_007_199_254_740, 700, 1, 6_305_039_478], // large principals stay exact (BigInt)
  ])('%i fen × %i ppm × %i days = %i fen', (p, r, d, fen) => {
    expect(penaltyFen(p, r, d)).toBe(fen);
  });

  it('charges each day once: a rerun the same day adds nothing, a missed night is caught up', () => {
    const late = [inst(1, '2026-11-20', { paidPrincipalFen: 40_000 }), inst(2, '2026-11-22')];
    expect(penaltyAccruals(late, '2026-11-23', 500, null)).toEqual([
      { installmentId: 1, fen: 90, days: 3 }, // 600 元 × 0.05 % × 3
      { installmentId: 2, fen: 50, days: 1 },
    ]);
    expect(penaltyAccruals(late, '2026-11-23', 500, '2026-11-23')).toEqual([]);
    expect(penaltyAccruals(late, '2026-11-25', 500, '2026-11-23')).toEqual([
      { installmentId: 1, fen: 60, days: 2 },
      { installmentId: 2, fen: 100, days: 2 },
    ]);
    expect(penaltyAccruals(late, '2026-11-23', null, null)).toEqual([]);
  });
});
