// Commission arithmetic (C20) as pure functions: which rule applies to a loan, and how much it earns.
// Integers only: fen × ppm, rounded half-up to the fen.
import { PPM } from '../../contracts/loans';
import type { CommissionBeneficiary, CommissionRuleKind, CommissionTier } from '../../contracts/commissions';

export interface RuleLike {
  id: number;
  beneficiary: CommissionBeneficiary;
  channel: string | null;
  productId: number | null;
  kind: CommissionRuleKind;
  ratePpm: number | null;
  fixedFen: number | null;
  tiers: CommissionTier[] | null;
  validFrom: string;
  validTo: string | null;
  priority: number;
  enabled: boolean;
}

/** fen × ppm / 1e6, half-up. */
export function applyPpm(fen: number, ratePpm: number): number {
  const p = BigInt(fen) * BigInt(ratePpm);
  const m = BigInt(PPM);
  const neg = p < 0n;
  const abs = neg ? -p : p;
  const r = Number((abs + m / 2n) / m);
  return neg ? -r : r;
}

/** The tier reached by the month's volume (this loan included): the last tier whose start it reaches. */
export function tierRate(tiers: CommissionTier[], monthVolumeFen: number): number {
  let rate = 0;
  for (const t of [...tiers].sort((a, b) => a.minVolumeFen - b.minVolumeFen)) if (monthVolumeFen >= t.minVolumeFen) rate = t.ratePpm;
  return rate;
}

/**
 * The rule for a loan and beneficiary: enabled, valid on the disbursement date, matching the
 * channel and product (a rule without one matches any). Highest priority wins; at equal priority
 * the more specific rule (channel and product > one of them > neither), then the older rule.
 */
export function pickRule<R extends RuleLike>(rules: R[], beneficiary: CommissionBeneficiary, loan: { channel: string; productId: number | null; disbursedOn: string }): R | null {
  const specificity = (r: R) => (r.channel ? 2 : 0) + (r.productId ? 1 : 0);
  const fits = rules.filter(
    (r) =>
      r.enabled && r.beneficiary === beneficiary &&
      (!r.channel || r.channel === loan.channel) &&
      (!r.productId || r.productId === loan.productId) &&
      r.validFrom <= loan.disbursedOn && (!r.validTo || r.validTo >= loan.disbursedOn),
  );
  fits.sort((a, b) => b.priority - a.priority || specificity(b) - specificity(a) || a.id - b.id);
  return fits[0] ?? null;
}

/** What a rule earns on a loan of `principalFen`; `monthVolumeFen` is only read by tiered rules. */
export function commissionFor(rule: RuleLike, principalFen: number, monthVolumeFen: number): { amountFen: number; ratePpm: number | null } {
  switch (rule.kind) {
    case 'fixed':
      return { amountFen: rule.fixedFen ?? 0, ratePpm: null };
    case 'percent':
      return { amountFen: applyPpm(principalFen, rule.ratePpm ?? 0), ratePpm: rule.ratePpm ?? 0 };
    case 'tiered': {
      const rate = tierRate(rule.tiers ?? [], monthVolumeFen);
      return { amountFen: applyPpm(principalFen, rate), ratePpm: rate };
    }
  }
}

/** The last business date a default still claws back: disbursed + N calendar months (clamped to month end). */
export function clawbackUntil(disbursedOn: string, months: number): string {
  const [y, m, d] = disbursedOn.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  const last = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  return `${ty}-${String(tm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
