// Commands on loans (C16, C17): disbursement, payments, early settlement, reversal and statement
// import. The same schemas validate the H5 forms. Money is integer fen, rates integer ppm, dates
// Asia/Shanghai business dates (YYYY-MM-DD).
import { z } from 'zod';
import { isValidDate } from './dates';
import { REPAYMENT_METHODS, type RepaymentMethod } from './loans';

const MAX_FEN = 1_000_000_000_000; // 100 亿元
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());
const day = (msg: string) => z.string({ error: msg }).refine(isValidDate, { error: msg });
const fen = (label: string) => z.number({ error: `请填写${label}` }).int(`${label}应精确到分`).min(1, `${label}应大于 0`).max(MAX_FEN, `${label}过大`);
const ppm = (label: string, max: number) => z.number({ error: `请填写${label}` }).int(`${label}格式不正确`).min(0, `${label}不能为负`).max(max, `${label}过高`);

export const DisburseLoan = z
  .object({
    applicationId: z.number({ error: '请选择进件' }).int().positive(),
    principalFen: fen('放款金额'),
    disbursedOn: day('请填写放款日期'),
    lenderLoanNo: z.string({ error: '请填写机构借据号' }).trim().min(1, '请填写机构借据号').max(64, '借据号不能超过 64 个字符'),
    repaymentMethod: z.enum(Object.keys(REPAYMENT_METHODS) as [RepaymentMethod], { error: '请选择还款方式' }),
    /** Nominal annual rate; the schedule uses annual / 12 unless monthlyRatePpm is given. */
    annualRatePpm: ppm('年利率', 1_000_000),
    /** A lender quoting a monthly rate (月息): the schedule uses it, and annual = 12 × monthly. */
    monthlyRatePpm: optional(ppm('月利率', 100_000)),
    termMonths: z.number({ error: '请填写期限' }).int('期限应为整数月').min(1, '期限至少 1 个月').max(360, '期限不能超过 360 个月'),
    firstDueOn: day('请填写首期还款日'),
    penaltyDailyRatePpm: optional(ppm('罚息日利率', 10_000)),
  })
  .superRefine((v, ctx) => {
    if (v.firstDueOn <= v.disbursedOn) ctx.addIssue({ code: 'custom', path: ['firstDueOn'], message: '首期还款日应晚于放款日' });
  });
export type DisburseLoanInput = z.infer<typeof DisburseLoan>;

export const RecordPayment = z.object({
  amountFen: fen('还款金额'),
  paidOn: day('请填写还款日期'),
  /** The lender's or bank's reference: the same reference twice records one payment. */
  externalRef: optional(z.string().trim().max(64, '流水号不能超过 64 个字符')),
  note: optional(z.string().trim().max(200, '备注不能超过 200 个字')),
});
export type RecordPaymentInput = z.infer<typeof RecordPayment>;

export const SettlementQuoteQuery = z.object({ on: optional(day('日期格式应为 YYYY-MM-DD')) });

export const EarlySettle = z.object({
  settledOn: day('请填写结清日期'),
  /** The quoted total the user confirmed: a different figure now means the quote changed. */
  amountFen: fen('结清金额'),
  externalRef: optional(z.string().trim().max(64, '流水号不能超过 64 个字符')),
  note: optional(z.string().trim().max(200, '备注不能超过 200 个字')),
});
export type EarlySettleInput = z.infer<typeof EarlySettle>;

export const ReverseEntry = z.object({
  reason: z.string({ error: '请填写冲正原因' }).trim().min(2, '请填写冲正原因').max(200, '冲正原因不能超过 200 个字'),
});

export const EntryParams = z.object({ id: z.coerce.number().int().positive(), entryId: z.coerce.number().int().positive() });

export const ListLoans = z.object({
  customerId: optional(z.coerce.number().int().positive()),
  status: optional(z.enum(['active', 'settled', 'written_off', 'reversed'])),
  q: optional(z.string().trim().max(64)),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListLoansQuery = z.infer<typeof ListLoans>;

/** Statement import (还款导入): the header names accepted for each column. */
export const IMPORT_COLUMNS = {
  lenderLoanNo: ['贷款编号', '借据号', '机构借据号'],
  paidOn: ['还款日期', '交易日期'],
  amount: ['还款金额', '实还金额', '金额'],
} as const;
export const IMPORT_MAX_ROWS = 2000;
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type ImportRowStatus = 'ok' | 'duplicate' | 'error';
export interface ImportRow {
  row: number;
  lenderLoanNo: string;
  paidOn: string | null;
  amountFen: number | null;
  loanId: number | null;
  loanNo: string | null;
  customerName: string | null;
  status: ImportRowStatus;
  error: string | null;
}
