// The money rules of a loan after disbursement (C17), as pure functions over its installments:
// what is owed, how a payment is split, the early-settlement quote, and each installment's status.
// The service applies their results to the database; the unit tests pin them down.
//
// - Allocation: a payment goes to the oldest installment with anything owed first, and within an
//   installment to penalty, then interest, then principal.
// - What a payment may cover: everything already due on the payment date plus the current
//   period's installment (the next one not yet due), so a customer may pay this month's
//   installment a few days early. More than that is an early settlement, never a silent credit.
// - Early settlement on date D: installments due on or before D are owed in full (principal,
//   interest, unpaid penalty); the installment whose period holds D owes its principal plus the
//   interest accrued so far = round-half-up(its scheduled interest × days elapsed in the period /
//   days in the period), the period running from the previous due date (the disbursement date for
//   the first) to its due date; later installments owe their principal only.
//   Interest already paid for the current period is kept even where it exceeds the accrual (it is
//   never turned into principal or refunded). Interest not owed
//   under this rule is waived (recorded per installment), as is nothing else: unpaid penalty is
//   always owed.
import type { InstallmentStatus } from '../../contracts/loans';
import { daysBetween, roundHalfUp } from './schedule';

export interface InstallmentMoney {
  id: number;
  seq: number;
  dueOn: string;
  principalFen: number;
  interestFen: number;
  penaltyFen: number;
  paidPrincipalFen: number;
  paidInterestFen: number;
  paidPenaltyFen: number;
  waivedFen: number;
}

export interface Split { principalFen: number; interestFen: number; penaltyFen: number }
export interface Allocation extends Split { installmentId: number; waivedFen: number }

/** What an installment still owes, by component. Waivers reduce interest (the only thing waived). */
export function owed(i: InstallmentMoney): Split {
  return {
    penaltyFen: Math.max(0, i.penaltyFen - i.paidPenaltyFen),
    interestFen: Math.max(0, i.interestFen - i.paidInterestFen - i.waivedFen),
    principalFen: Math.max(0, i.principalFen - i.paidPrincipalFen),
  };
}

export const total = (s: Split) => s.principalFen + s.interestFen + s.penaltyFen;

const bySeq = <T extends { seq: number }>(xs: T[]) => [...xs].sort((a, b) => a.seq - b.seq);

/**
 * The most a payment on `paidOn` may be: all that is due by then plus the installment of the
 * current period (the first one due on or after `paidOn`, paid or not, so installments beyond it
 * cannot be prepaid one by one).
 */
export function maxPayable(installments: InstallmentMoney[], paidOn: string): number {
  const sorted = bySeq(installments);
  const cutoff = sorted.find((i) => i.dueOn >= paidOn)?.dueOn ?? sorted.at(-1)?.dueOn ?? paidOn;
  return sorted.filter((i) => i.dueOn <= cutoff).reduce((s, i) => s + total(owed(i)), 0);
}

/** Splits `amountFen` oldest installment first, penalty → interest → principal. */
export function allocate(installments: InstallmentMoney[], amountFen: number): { allocations: Allocation[]; leftFen: number } {
  let left = amountFen;
  const allocations: Allocation[] = [];
  for (const i of bySeq(installments)) {
    if (left <= 0) break;
    const o = owed(i);
    const penaltyFen = Math.min(left, o.penaltyFen);
    left -= penaltyFen;
    const interestFen = Math.min(left, o.interestFen);
    left -= interestFen;
    const principalFen = Math.min(left, o.principalFen);
    left -= principalFen;
    if (penaltyFen + interestFen + principalFen > 0) allocations.push({ installmentId: i.id, principalFen, interestFen, penaltyFen, waivedFen: 0 });
  }
  return { allocations, leftFen: left };
}

export interface SettlementQuote extends Split {
  on: string;
  totalFen: number;
  /** Scheduled interest forgiven by settling on `on`. */
  waivedFen: number;
  /** Per installment: what the settlement pays and waives. */
  allocations: Allocation[];
}

/** The early-settlement quote on `on` (see the header for the rule). */
export function settlementQuote(installments: InstallmentMoney[], disbursedOn: string, on: string): SettlementQuote {
  const sorted = bySeq(installments);
  const allocations: Allocation[] = [];
  let prevDue = disbursedOn;
  for (const i of sorted) {
    const periodStart = prevDue;
    prevDue = i.dueOn;
    const o = owed(i);
    if (total(o) === 0) continue;
    let interestFen: number;
    if (i.dueOn <= on) interestFen = o.interestFen;
    else if (periodStart < on) {
      const accrued = Number(roundHalfUp(BigInt(i.interestFen) * BigInt(daysBetween(periodStart, on)), BigInt(Math.max(1, daysBetween(periodStart, i.dueOn)))));
      interestFen = Math.min(o.interestFen, Math.max(0, accrued - i.paidInterestFen - i.waivedFen));
    } else interestFen = 0;
    allocations.push({ installmentId: i.id, principalFen: o.principalFen, interestFen, penaltyFen: o.penaltyFen, waivedFen: o.interestFen - interestFen });
  }
  const sum = (k: keyof Allocation) => allocations.reduce((s, a) => s + a[k], 0);
  const principalFen = sum('principalFen'), interestFen = sum('interestFen'), penaltyFen = sum('penaltyFen');
  return { on, principalFen, interestFen, penaltyFen, totalFen: principalFen + interestFen + penaltyFen, waivedFen: sum('waivedFen'), allocations };
}

/**
 * An installment's status from its amounts and today's business date. `overdue` matches the
 * nightly overdue job (late from the day after the due date while anything is owed).
 */
export function installmentStatus(i: InstallmentMoney, today: string): InstallmentStatus {
  if (total(owed(i)) === 0) return 'paid';
  if (i.dueOn < today) return 'overdue';
  if (i.paidPrincipalFen + i.paidInterestFen + i.paidPenaltyFen > 0) return 'partial';
  return i.dueOn === today ? 'due' : 'pending';
}
