// Contracts and signing (C15): statuses, the placeholders a .docx template may use (docxtemplater
// `{name}` tags; `{#schedule}…{/schedule}` repeats a table row per installment) and the command
// schemas. Shared by server and H5.
import { z } from 'zod';

z.config(z.locales.zhCN());

export const CONTRACT_STATUSES = {
  generated: '待签署',
  awaiting_confirmation: '待确认',
  signed: '已签署',
  voided: '已作废',
} as const;
export type ContractStatus = keyof typeof CONTRACT_STATUSES;

export const SIGNATURE_STATUSES = { uploaded: '待确认', confirmed: '已确认', rejected: '已退回' } as const;
export type SignatureStatus = keyof typeof SIGNATURE_STATUSES;

/** Signing providers. Only `manual` ships; a real e-signature adapter (e签宝's v3 API is documented at open.esign.cn) would be added beside it. */
export const SIGNATURE_PROVIDERS = { manual: '线下签署(上传签署件,第二人确认)' } as const;
export type SignatureProviderKey = keyof typeof SIGNATURE_PROVIDERS;

/** Signed scans: PDF or a photo. */
export const SIGNED_SCAN_MIME_TYPES = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' } as const;
export type SignedScanMime = keyof typeof SIGNED_SCAN_MIME_TYPES;

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Every placeholder a template may use, with what it is filled with. */
export const CONTRACT_FIELDS = {
  contractNo: '合同编号',
  signDate: '签订日期(2026年11月23日)',
  customerName: '借款人姓名',
  customerIdNumber: '借款人身份证号',
  customerPhone: '借款人手机号',
  customerCity: '借款人所在城市',
  applicationId: '进件编号',
  amount: '借款金额(元,如 300,000.00)',
  amountCapital: '借款金额大写(叁拾万元整)',
  termMonths: '借款期限(月)',
  repaymentMethod: '还款方式',
  purpose: '借款用途',
  annualRate: '年利率(如 6.5%)',
  monthlyRate: '月利率(如 0.5417%)',
  productName: '产品名称',
  productType: '产品类型',
  lenderName: '资金方',
  lenderKind: '资金方类型',
  firstDueDate: '首期还款日',
  maturityDate: '到期日',
  totalInterest: '利息合计(元)',
  totalInterestCapital: '利息合计大写',
  totalPayment: '应还合计(元)',
  totalPaymentCapital: '应还合计大写',
  schedule: '还款计划(循环:{#schedule}…{/schedule})',
  'schedule.seq': '期数',
  'schedule.dueDate': '还款日',
  'schedule.principal': '应还本金(元)',
  'schedule.interest': '应还利息(元)',
  'schedule.payment': '应还合计(元)',
  'schedule.remaining': '剩余本金(元)',
  brokerName: '居间服务方(公司名称)',
  brokerCreditCode: '统一社会信用代码',
  brokerAddress: '公司地址',
  brokerPhone: '公司电话',
  officerName: '经办人',
  generatedBy: '合同生成人',
} as const;

const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());

export const UploadTemplateQuery = z.object({
  name: z.string({ error: '请填写模板名称' }).trim().min(1, '请填写模板名称').max(64, '模板名称不能超过 64 个字'),
  fileName: optional(z.string().trim().max(200)),
});

export const GenerateContract = z.object({
  /** Defaults to the product's newest enabled template. */
  templateId: optional(z.number().int().positive()),
  /** The agreed annual rate; defaults to the product's lowest and must lie in its range. */
  annualRatePpm: optional(z.number({ error: '年利率格式不正确' }).int('年利率格式不正确').min(0).max(360_000, '年利率不能超过 36%')),
  /** First due date; defaults to one month from today (Asia/Shanghai). */
  firstDueOn: optional(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')),
});
export type GenerateContractInput = z.infer<typeof GenerateContract>;

export const UploadSignedQuery = z.object({ fileName: optional(z.string().trim().max(200)) });
export const RejectSignature = z.object({ reason: z.string({ error: '请填写退回原因' }).trim().min(1, '请填写退回原因').max(200, '原因不能超过 200 个字') });
