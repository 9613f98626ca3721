// Repayment schedules (C17): pure functions, money in integer fen, exact rational arithmetic.
//
// The rules (README 放款与还款 states the same):
// - Rate. The monthly rate r is exact: either `monthlyRatePpm / 1e6` (a lender quoting a monthly
//   rate) or `annualRatePpm / 12 / 1e6` (the default: monthly = annual / 12, NOT rounded to a
//   whole ppm first). All maths is BigInt over that fraction, so no float ever touches money.
// - Rounding. "Round" below always means half-up to the fen (x.5 fen → x+1).
// - Interest of an installment = round(outstanding principal before it × r): a whole month,
//   whatever the number of days in the month or between disbursement and the first due date.
// - 等额本息 equal_installment: payment A = round(P·r·(1+r)^n / ((1+r)^n − 1)) (P/n when r = 0,
//   rounded down); each month interest as above, principal = A − interest; the LAST installment
//   takes the whole remaining principal (so principal sums exactly to P) plus its own interest,
//   so only the last payment may differ from A.
// - 等额本金 equal_principal: principal = round(P / n) each month (rounded down instead when
//   rounding up would over-pay a tiny loan), interest on the outstanding principal; the last
//   installment takes the remainder.
// - 先息后本 interest_first: interest round(P × r) every month, all principal with the last one.
// - 到期一次还本付息 bullet: one installment on the maturity date with principal P and interest
//   round(P × r × n) (simple interest, no compounding).
// - Due dates: installment k (1-based) falls k−1 months after firstDueOn, on firstDueOn's day of
//   month clamped to the month's end (Jan 31 → Feb 28/29 → Mar 31 → Apr 30). The maturity date is
//   the n-th of these dates for every method (bullet's single installment falls on it).
import type { RepaymentMethod } from '../../contracts/loans';

export const MAX_TERM_MONTHS = 600;

export interface ScheduleInstallment {
  seq: number;
  dueOn: string;
  principalFen: number;
  interestFen: number;
}

/** r = num / den exactly. */
export interface Rate { num: bigint; den: bigint }

export type ScheduleInput = {
  principalFen: number;
  termMonths: number;
  method: RepaymentMethod;
  firstDueOn: string;
} & ({ monthlyRatePpm: number; annualRatePpm?: undefined } | { annualRatePpm: number; monthlyRatePpm?: undefined });

const PPM = 1_000_000n;

export function monthlyRate(input: { monthlyRatePpm?: number; annualRatePpm?: number }): Rate {
  if (input.monthlyRatePpm !== undefined) return { num: BigInt(checkPpm(input.monthlyRatePpm)), den: PPM };
  if (input.annualRatePpm !== undefined) return { num: BigInt(checkPpm(input.annualRatePpm)), den: PPM * 12n };
  throw new RangeError('a monthly or annual rate is required');
}

/** The monthly rate for display and storage, rounded half-up to a whole ppm (schedules use the exact one). */
export function monthlyRateFromAnnual(annualPpm: number): number {
  return Number(roundHalfUp(BigInt(checkPpm(annualPpm)), 12n));
}

/** round-half-up(num / den) for num ≥ 0, den > 0. */
export function roundHalfUp(num: bigint, den: bigint): bigint {
  return (2n * num + den) / (2n * den);
}

/** round-half-up(amountFen × r). */
export function interestOn(amountFen: number | bigint, rate: Rate): number {
  return Number(roundHalfUp(BigInt(amountFen) * rate.num, rate.den));
}

/** The 等额本息 monthly payment in fen. */
export function equalInstallmentPayment(principalFen: number, rate: Rate, termMonths: number): number {
  const P = BigInt(principalFen);
  const n = BigInt(termMonths);
  if (rate.num === 0n) return Number(P / n);
  // P·r(1+r)^n/((1+r)^n−1) with r = a/d:  P·a·(d+a)^n / (d·((d+a)^n − d^n))
  const grown = (rate.den + rate.num) ** n;
  const base = rate.den ** n;
  return Number(roundHalfUp(P * rate.num * grown, rate.den * (grown - base)));
}

export function buildSchedule(input: ScheduleInput): ScheduleInstallment[] {
  const { principalFen, termMonths, method, firstDueOn } = input;
  if (!Number.isSafeInteger(principalFen) || principalFen <= 0) throw new RangeError('principalFen must be a positive integer');
  if (!Number.isInteger(termMonths) || termMonths < 1 || termMonths > MAX_TERM_MONTHS) throw new RangeError(`termMonths must be 1…${MAX_TERM_MONTHS}`);
  parseDate(firstDueOn);
  const rate = monthlyRate(input);
  const n = termMonths;
  const due = (k: number) => addMonthsClamped(firstDueOn, k - 1);
  const out: ScheduleInstallment[] = [];

  if (method === 'bullet') {
    const interest = Number(roundHalfUp(BigInt(principalFen) * rate.num * BigInt(n), rate.den));
    return [{ seq: 1, dueOn: due(n), principalFen, interestFen: interest }];
  }

  let outstanding = principalFen;
  const payment = method === 'equal_installment' ? equalInstallmentPayment(principalFen, rate, n) : 0;
  let equalPrincipal = 0;
  if (method === 'equal_principal') {
    equalPrincipal = Number(roundHalfUp(BigInt(principalFen), BigInt(n)));
    if (equalPrincipal * (n - 1) > principalFen) equalPrincipal = Math.floor(principalFen / n);
  }
  for (let k = 1; k <= n; k++) {
    const interest = interestOn(outstanding, rate);
    let principal: number;
    if (k === n) principal = outstanding;
    else if (method === 'equal_installment') principal = Math.max(0, Math.min(payment - interest, outstanding));
    else if (method === 'equal_principal') principal = equalPrincipal;
    else if (method === 'interest_first') principal = 0;
    else throw new RangeError(`unknown repayment method ${String(method)}`);
    out.push({ seq: k, dueOn: due(k), principalFen: principal, interestFen: interest });
    outstanding -= principal;
  }
  return out;
}

/** The due date of the last installment. */
export function maturityDate(firstDueOn: string, termMonths: number): string {
  return addMonthsClamped(firstDueOn, termMonths - 1);
}

/** YYYY-MM-DD plus whole months, keeping the day of month clamped to the target month's end. */
export function addMonthsClamped(date: string, months: number): string {
  const { y, m, d } = parseDate(date);
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = total - ty * 12 + 1;
  const day = Math.min(d, daysInMonth(ty, tm));
  return `${String(ty).padStart(4, '0')}-${String(tm).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Whole days from a to b (YYYY-MM-DD), negative when b is before a. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function parseDate(date: string) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const y = Number(m?.[1]), mo = Number(m?.[2]), d = Number(m?.[3]);
  if (!m || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw new RangeError(`invalid date ${date}`);
  return { y, m: mo, d };
}

function checkPpm(ppm: number): number {
  if (!Number.isSafeInteger(ppm) || ppm < 0) throw new RangeError('rates are non-negative integer ppm');
  return ppm;
}
