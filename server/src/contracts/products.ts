// The product catalogue (C14) and product matching: the command schemas shared by server and H5,
// so the admin form and the API refuse the same bad input with the same Chinese messages.
// Money is integer fen, rates integer ppm (contracts/loans.ts), terms whole months.
import { z } from 'zod';
import { DOCUMENT_KINDS, REPAYMENT_METHODS, type DocumentKind, type RepaymentMethod } from './applications';
import { LENDER_KINDS, PRODUCT_TYPES, type LenderKind, type ProductType } from './loans';
import { RULE_FIELDS, RuleTree, isRuleGroup, type RuleGroup } from './rules';

z.config(z.locales.zhCN());

const MAX_FEN = 1_000_000_000_000;
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const nullable = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? null : v), schema.nullable().optional());
const fen = (label: string) => z.number({ error: `请填写${label}` }).int(`${label}应精确到分`).min(1, `${label}应大于 0`).max(MAX_FEN, `${label}过大`);
/** Annual rates up to 36 % (the judicial cap on private lending is lower; nothing legitimate goes above). */
const ratePpm = (label: string) => z.number({ error: `请填写${label}` }).int(`${label}格式不正确`).min(0, `${label}不能为负`).max(360_000, `${label}不能超过 36%`);
const months = (label: string) => z.number({ error: `请填写${label}` }).int(`${label}应为整数月`).min(1, `${label}至少 1 个月`).max(360, `${label}不能超过 360 个月`);

/** Eligibility may test customer and application facts; follow-up fields mean nothing for a product. */
function eligibilityFieldProblem(g: RuleGroup): string | null {
  for (const c of g.conditions) {
    if (isRuleGroup(c)) {
      const p = eligibilityFieldProblem(c);
      if (p) return p;
    } else if (RULE_FIELDS[c.field]?.group === 'followup') return `准入条件不能使用跟进字段「${RULE_FIELDS[c.field].label}」`;
  }
  return null;
}

export const ProductEligibility = RuleTree.superRefine((g, ctx) => {
  const p = eligibilityFieldProblem(g);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});

const productFields = {
  code: z.string({ error: '请填写产品编码' }).trim().regex(/^[A-Za-z0-9_-]{2,32}$/, '产品编码为 2–32 位字母、数字、下划线或短横线'),
  name: z.string({ error: '请填写产品名称' }).trim().min(1, '请填写产品名称').max(64, '产品名称不能超过 64 个字'),
  lenderKind: z.enum(Object.keys(LENDER_KINDS) as [LenderKind], { error: '请选择机构类型' }),
  lenderName: z.string({ error: '请填写资金方' }).trim().min(1, '请填写资金方').max(64, '资金方不能超过 64 个字'),
  type: z.enum(Object.keys(PRODUCT_TYPES) as [ProductType], { error: '请选择产品类型' }),
  rateMinPpm: ratePpm('最低年利率'),
  rateMaxPpm: ratePpm('最高年利率'),
  termMinMonths: months('最短期限'),
  termMaxMonths: months('最长期限'),
  amountMinFen: fen('最低额度'),
  amountMaxFen: fen('最高额度'),
  repaymentMethods: z
    .array(z.enum(Object.keys(REPAYMENT_METHODS) as [RepaymentMethod], { error: '还款方式不正确' }), { error: '请至少选择一种还款方式' })
    .min(1, '请至少选择一种还款方式')
    .refine((a) => new Set(a).size === a.length, '还款方式不能重复'),
  monthlyRatePpm: nullable(z.number().int('月利率格式不正确').min(0, '月利率不能为负').max(30_000, '月利率不能超过 3%')),
  penaltyDailyRatePpm: nullable(z.number().int('罚息日利率格式不正确').min(0, '罚息日利率不能为负').max(1_000, '罚息日利率不能超过 0.1%')),
  eligibility: nullable(ProductEligibility),
  requiredDocuments: z.array(z.enum(Object.keys(DOCUMENT_KINDS) as [DocumentKind], { error: '资料类型不正确' })).max(20).default([]),
  description: nullable(z.string().trim().max(500, '产品说明不能超过 500 个字')),
  enabled: z.boolean().default(true),
  sortOrder: z.number().int().min(0).max(9999).default(0),
};

type Ranged = { rateMinPpm?: number; rateMaxPpm?: number; termMinMonths?: number; termMaxMonths?: number; amountMinFen?: number; amountMaxFen?: number };
/** min ≤ max for each range given (both ends known after merging an edit with the stored row). */
export function rangeProblems(v: Ranged): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const check = (lo: number | undefined, hi: number | undefined, field: string, message: string) => {
    if (lo !== undefined && hi !== undefined && lo > hi) out.push({ field, message });
  };
  check(v.rateMinPpm, v.rateMaxPpm, 'rateMaxPpm', '最高年利率不能低于最低年利率');
  check(v.termMinMonths, v.termMaxMonths, 'termMaxMonths', '最长期限不能短于最短期限');
  check(v.amountMinFen, v.amountMaxFen, 'amountMaxFen', '最高额度不能低于最低额度');
  return out;
}

export const CreateProduct = z.object(productFields).superRefine((v, ctx) => {
  for (const p of rangeProblems(v)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
});
export type CreateProductInput = z.infer<typeof CreateProduct>;

/** A partial edit; ranges are re-checked against the stored row by the service. */
export const UpdateProduct = z
  .object({
    ...productFields,
    requiredDocuments: productFields.requiredDocuments.unwrap().optional(),
    enabled: z.boolean().optional(),
    sortOrder: z.number().int().min(0).max(9999).optional(),
  })
  .partial()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: '没有需要修改的内容' });
export type UpdateProductInput = z.infer<typeof UpdateProduct>;

export const ListProducts = z.object({
  type: optional(z.enum(Object.keys(PRODUCT_TYPES) as [ProductType])),
  /** Admins see disabled products too when asking for them. */
  all: optional(z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true')),
});

const queryInt = (label: string, max: number) => optional(z.coerce.number({ error: `${label}应为整数` }).int(`${label}应为整数`).min(1, `${label}应大于 0`).max(max, `${label}过大`));

/** 匹配产品: the amount and term asked for; without them the customer's own wish (贷款金额/期限) is used. */
export const MatchQuery = z.object({
  amountFen: queryInt('金额', MAX_FEN),
  termMonths: queryInt('期限', 360),
  repaymentMethod: optional(z.enum(Object.keys(REPAYMENT_METHODS) as [RepaymentMethod], { error: '还款方式不正确' })),
});
export type MatchQueryInput = z.infer<typeof MatchQuery>;
