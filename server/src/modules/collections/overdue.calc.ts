// Days past due, buckets and penalty interest as pure functions of a loan's installments and the
// business date (C19), so the nightly job and its table-driven tests share one definition.
import { addDays } from '../../contracts/dates';
import { overdueBucket, PPM, type OverdueBucket } from '../../contracts/loans';
import type { InstallmentStatus } from '../../contracts/loans';

export interface InstallmentState {
  id: number;
  dueOn: string;
  principalFen: number;
  interestFen: number;
  paidPrincipalFen: number;
  paidInterestFen: number;
  waivedFen: number;
  status: InstallmentStatus;
}

/** Principal and interest still owed on an installment (penalty is not what makes it overdue). */
export function owedFen(i: InstallmentState): number {
  if (i.status === 'paid' || i.status === 'waived') return 0;
  return Math.max(0, i.principalFen + i.interestFen - i.paidPrincipalFen - i.paidInterestFen - i.waivedFen);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface OverdueState {
  daysPastDue: number;
  bucket: OverdueBucket;
  /** The first day the loan was late (the day after the oldest unpaid due date), or null. */
  overdueSince: string | null;
  /** Installments past their due date and not paid: the job marks them `overdue`. */
  overdueInstallmentIds: number[];
}

/**
 * An installment is late from the day after its due date: due 11-01 and unpaid is 1 day past due
 * on 11-02. The loan's days past due are those of its oldest unpaid installment.
 */
export function overdueState(installments: InstallmentState[], today: string): OverdueState {
  const late = installments.filter((i) => i.dueOn < today && owedFen(i) > 0).sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
  if (!late.length) return { daysPastDue: 0, bucket: 'current', overdueSince: null, overdueInstallmentIds: [] };
  const dpd = daysBetween(late[0]!.dueOn, today);
  return { daysPastDue: dpd, bucket: overdueBucket(dpd), overdueSince: addDays(late[0]!.dueOn, 1), overdueInstallmentIds: late.map((i) => i.id) };
}

/** principal × rate (ppm per day) × days, rounded half-up to the fen, in integers only. */
export function penaltyFen(unpaidPrincipalFen: number, dailyRatePpm: number, days: number): number {
  if (unpaidPrincipalFen <= 0 || dailyRatePpm <= 0 || days <= 0) return 0;
  const product = BigInt(unpaidPrincipalFen) * BigInt(dailyRatePpm) * BigInt(days);
  const ppm = BigInt(PPM);
  return Number((product + ppm / 2n) / ppm);
}

/**
 * The penalty to add today per late installment: the days not yet charged (since the later of its
 * due date and the last day charged, up to and including today) × its unpaid principal × the rate.
 * A rerun on the same day finds no uncharged days and adds nothing; a missed night is caught up.
 */
export function penaltyAccruals(installments: InstallmentState[], today: string, dailyRatePpm: number | null, chargedThrough: string | null): { installmentId: number; fen: number; days: number }[] {
  if (!dailyRatePpm) return [];
  const out: { installmentId: number; fen: number; days: number }[] = [];
  for (const i of installments) {
    if (!(i.dueOn < today) || owedFen(i) <= 0) continue;
    const from = chargedThrough && chargedThrough > i.dueOn ? chargedThrough : i.dueOn;
    const days = daysBetween(from, today);
    const fen = penaltyFen(i.principalFen - i.paidPrincipalFen, dailyRatePpm, days);
    if (fen > 0) out.push({ installmentId: i.id, fen, days });
  }
  return out;
}
