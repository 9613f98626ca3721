// Loans after approval (issue #6, C14–C20): the names shared by server, H5 and bot.
// Money is integer fen; rates are integer ppm (parts per million of 1: 8.5 % a year = 85_000 ppm,
// 0.05 % a day = 500 ppm), so no rate or amount is ever a float. Dates are Asia/Shanghai
// business dates (YYYY-MM-DD strings).
export { REPAYMENT_METHODS, type RepaymentMethod } from './applications';

export const LENDER_KINDS = { bank: '银行', consumer_finance: '消费金融公司', microloan: '小贷公司', other: '其他机构' } as const;
export type LenderKind = keyof typeof LENDER_KINDS;

export const PRODUCT_TYPES = { house: '房抵', vehicle: '车抵', credit: '信用', policy: '保单', business: '经营' } as const;
export type ProductType = keyof typeof PRODUCT_TYPES;

export const LOAN_STATUSES = {
  active: '还款中',
  settled: '已结清',
  written_off: '已核销',
  reversed: '已冲正', // the disbursement itself was reversed (entered by mistake)
} as const;
export type LoanStatus = keyof typeof LOAN_STATUSES;

export const INSTALLMENT_STATUSES = { pending: '未到期', due: '待还', partial: '部分还款', paid: '已还清', overdue: '逾期', waived: '已减免' } as const;
export type InstallmentStatus = keyof typeof INSTALLMENT_STATUSES;

/** Ledger entry kinds. A correction is a `reversal` entry pointing at the entry it cancels. */
export const LOAN_ENTRY_KINDS = {
  disbursement: '放款',
  payment: '还款',
  early_settlement: '提前结清',
  penalty_accrual: '罚息计提',
  write_off: '核销',
  reversal: '冲正',
} as const;
export type LoanEntryKind = keyof typeof LOAN_ENTRY_KINDS;

/** Days-past-due buckets (C19): M1 1–30, M2 31–60, M3 61–90, M3+ over 90. */
export const OVERDUE_BUCKETS = { current: '正常', M1: 'M1', M2: 'M2', M3: 'M3', 'M3+': 'M3+' } as const;
export type OverdueBucket = keyof typeof OVERDUE_BUCKETS;

export function overdueBucket(daysPastDue: number): OverdueBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return 'M1';
  if (daysPastDue <= 60) return 'M2';
  if (daysPastDue <= 90) return 'M3';
  return 'M3+';
}

export const PPM = 1_000_000;

/** "8.5" (percent) → 85000 ppm; null unless a non-negative percent with ≤ 4 decimals. */
export function percentToPpm(input: string | number): number | null {
  const m = /^(\d{1,3})(?:\.(\d{0,4}))?$/.exec(String(input).trim());
  if (!m) return null;
  return Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0'));
}

/** 85000 → "8.5" (percent, trailing zeros dropped). */
export function ppmToPercent(ppm: number): string {
  const whole = Math.floor(ppm / 10_000);
  const frac = String(ppm % 10_000).padStart(4, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}
