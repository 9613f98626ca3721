// Pure arithmetic of the risk rules: the equal-installment (等额本息) monthly payment in integer
// fen, and a person's age on a Shanghai business date.

const MONTHS_BP = 120_000n; // 12 months × 10,000 basis points

/**
 * Monthly payment of an equal-installment loan: P·r·(1+r)^n / ((1+r)^n − 1) with r = rateBp / 120000.
 * Computed exactly with integers (BigInt) and rounded half up to the fen once, at the end;
 * a zero rate is P / n rounded half up.
 */
export function monthlyPaymentFen(principalFen: number, termMonths: number, annualRateBp: number): number {
  if (!Number.isSafeInteger(principalFen) || principalFen < 0) throw new RangeError('principal must be a non-negative integer (fen)');
  if (!Number.isInteger(termMonths) || termMonths < 1) throw new RangeError('term must be at least one month');
  if (!Number.isInteger(annualRateBp) || annualRateBp < 0) throw new RangeError('rate must be a non-negative integer (basis points)');
  const p = BigInt(principalFen);
  const n = BigInt(termMonths);
  let num: bigint;
  let den: bigint;
  if (annualRateBp === 0) {
    num = p;
    den = n;
  } else {
    const bp = BigInt(annualRateBp);
    const a = (MONTHS_BP + bp) ** n;
    const b = MONTHS_BP ** n;
    num = p * bp * a;
    den = MONTHS_BP * (a - b);
  }
  return Number((2n * num + den) / (2n * den));
}

/** Whole years from a YYYY-MM-DD birth date to a YYYY-MM-DD business date (a 29 Feb birthday counts from 1 Mar). */
export function ageOn(birthDate: string, businessDate: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = businessDate.split('-').map(Number);
  const hadBirthday = tm > bm || (tm === bm && td >= bd);
  return ty - by - (hadBirthday ? 0 : 1);
}

/** payment / income as a percentage for display, rounded up to 0.01 so a ratio over the limit never prints as the limit. */
export function ratioPercentText(paymentFen: number, incomeFen: number): string {
  const hundredths = Math.ceil((paymentFen * 10_000) / incomeFen);
  return `${(hundredths / 100).toFixed(2).replace(/\.?0+$/, '')}%`;
}
