// The money rules after disbursement (C17), table-driven: what a payment may cover, how it is
// split (oldest first, penalty → interest → principal), the early-settlement quote and statuses.
import { describe, expect, it } from 'vitest';
import { allocate, installmentStatus, maxPayable, owed, settlementQuote, type InstallmentMoney } from '../../server/src/modules/loans/loan.ledger';

const inst = (seq: number, dueOn: string, p: number, i: number, extra: Partial<InstallmentMoney> = {}): InstallmentMoney => ({
  id: seq, seq, dueOn, principalFen: p, interestFen: i, penaltyFen: 0, paidPrincipalFen: 0, paidInterestFen: 0, paidPenaltyFen: 0, waivedFen: 0, ...extra,
});
// 3,000 元 等额本金 over 3 months at 1 %: interest 30, 20, 10.
const loan = () => [inst(1, '2026-01-15', 100_000, 3_000, { penaltyFen: 500 }), inst(2, '2026-02-15', 100_000, 2_000), inst(3, '2026-03-15', 100_000, 1_000)];

describe('maxPayable', () => {
  it.each([
    ['before the first due date: the first installment', '2026-01-01', 103_500],
    ['on a due date: that installment is the current one', '2026-01-15', 103_500],
    ['between due dates: the late one plus the current one', '2026-01-20', 103_500 + 102_000],
    ['after maturity: everything', '2026-04-01', 103_500 + 102_000 + 101_000],
  ])('%s', (_n, on, max) => expect(maxPayable(loan(), on)).toBe(max));

  it('a paid current installment does not open the next one', () => {
    const l = loan();
    l[0] = { ...l[0]!, paidPenaltyFen: 500, paidInterestFen: 3_000, paidPrincipalFen: 100_000 };
    expect(maxPayable(l, '2026-01-10')).toBe(0);
  });
});

describe('allocate', () => {
  it.each<[string, number, [number, number, number, number][]]>([
    // amount → [installmentId, penalty, interest, principal]
    ['penalty first', 300, [[1, 300, 0, 0]]],
    ['then interest', 2_000, [[1, 500, 1_500, 0]]],
    ['then principal', 10_000, [[1, 500, 3_000, 6_500]]],
    ['then the next installment', 110_000, [[1, 500, 3_000, 100_000], [2, 0, 2_000, 4_500]]],
  ])('%s', (_n, amount, expected) => {
    const { allocations, leftFen } = allocate(loan(), amount);
    expect(allocations.map((a) => [a.installmentId, a.penaltyFen, a.interestFen, a.principalFen])).toEqual(expected);
    expect(leftFen).toBe(0);
  });

  it('skips what is paid and returns what is left over', () => {
    const l = loan();
    l[0] = { ...l[0]!, paidPenaltyFen: 500, paidInterestFen: 1_000 };
    const { allocations, leftFen } = allocate(l, 1_000_000);
    expect(allocations[0]).toMatchObject({ installmentId: 1, penaltyFen: 0, interestFen: 2_000, principalFen: 100_000 });
    expect(leftFen).toBe(1_000_000 - 2_000 - 100_000 - 102_000 - 101_000);
  });
});

describe('settlementQuote', () => {
  it('due installments in full, the current one accrued by days, later ones principal only', () => {
    // On 2026-02-01: installment 1 (due 01-15) in full; installment 2's period 01-15 → 02-15 is 31 days,
    // 17 have run: 2,000 × 17 / 31 = 1,096.77 → 1,097; installment 3 principal only.
    const q = settlementQuote(loan(), '2025-12-15', '2026-02-01');
    expect(q).toMatchObject({ principalFen: 300_000, interestFen: 3_000 + 1_097, penaltyFen: 500, totalFen: 300_000 + 4_097 + 500, waivedFen: 903 + 1_000 });
    expect(q.allocations.map((a) => [a.installmentId, a.interestFen, a.waivedFen])).toEqual([[1, 3_000, 0], [2, 1_097, 903], [3, 0, 1_000]]);
  });

  it('on the disbursement date nothing has accrued; interest already paid counts against the accrual', () => {
    expect(settlementQuote(loan(), '2025-12-15', '2025-12-15')).toMatchObject({ interestFen: 0, penaltyFen: 500, totalFen: 300_500 });
    const l = loan();
    l[0] = { ...l[0]!, paidInterestFen: 2_000 };
    // 2025-12-31: 16 of 31 days → 3,000 × 16 / 31 = 1,548.39 → 1,548, already paid 2,000: nothing more
    expect(settlementQuote(l, '2025-12-15', '2025-12-31').allocations[0]).toMatchObject({ interestFen: 0, waivedFen: 1_000 });
  });
});

describe('installmentStatus', () => {
  it.each<[string, Partial<InstallmentMoney>, string, string]>([
    ['nothing paid, later', {}, '2026-01-01', 'pending'],
    ['due today', {}, '2026-01-15', 'due'],
    ['late', {}, '2026-01-16', 'overdue'],
    ['partly paid, not yet late', { paidInterestFen: 100 }, '2026-01-10', 'partial'],
    ['partly paid and late stays overdue', { paidInterestFen: 100 }, '2026-01-20', 'overdue'],
    ['all paid', { paidPenaltyFen: 500, paidInterestFen: 3_000, paidPrincipalFen: 100_000 }, '2026-02-01', 'paid'],
    ['principal paid, interest waived', { paidPenaltyFen: 500, paidPrincipalFen: 100_000, waivedFen: 3_000 }, '2026-01-01', 'paid'],
  ])('%s', (_n, paid, today, status) => {
    const i = { ...loan()[0]!, ...paid };
    expect(installmentStatus(i, today)).toBe(status);
    if (status === 'paid') expect(owed(i)).toEqual({ principalFen: 0, interestFen: 0, penaltyFen: 0 });
  });
});
