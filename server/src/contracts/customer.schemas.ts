// Command and query schemas for customers. The server parses requests with them and the H5
// validates its forms with the same ones, so both say the same thing about bad input.
import { z } from 'zod';
import { COLLATERALS, CREDIT_STATUSES, FOLLOWUP_OUTCOMES, FOLLOWUP_TYPES, OCCUPATIONS } from './catalog';
import { isValidDate, shanghaiDate } from './dates';
import { ID_PROBLEM_MESSAGES, normalizePhone, parseIdNumber, PHONE_MESSAGE } from './identity';
import { STAGE_KEYS } from './stages';
import { SENSITIVE_FIELDS } from './fields';

// Messages a schema does not spell out itself (types, bounds of ids and page sizes) reach users
// as field errors too, so zod's defaults speak Chinese as well. Global: applies to every schema.
z.config(z.locales.zhCN());

const MAX_FEN = 1_000_000_000_000; // 100 亿元: far above any loan a broker sees

export const phoneField = z
  .string({ error: PHONE_MESSAGE })
  .transform((v, ctx) => {
    const phone = normalizePhone(v);
    if (!phone) {
      ctx.addIssue({ code: 'custom', message: PHONE_MESSAGE });
      return z.NEVER;
    }
    return phone;
  });

export const idNumberField = z.string().transform((v, ctx) => {
  const r = parseIdNumber(v);
  if ('problem' in r) {
    ctx.addIssue({ code: 'custom', message: ID_PROBLEM_MESSAGES[r.problem] });
    return z.NEVER;
  }
  return r.idNumber;
});

/** Empty strings from forms mean "not given". */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());

export const dateField = z.string().refine(isValidDate, { message: '日期格式应为 YYYY-MM-DD' });
export const futureDateField = dateField.refine((d) => d >= shanghaiDate(), { message: '日期不能早于今天' });
const fen = (label: string) => z.number({ error: `${label}应为数字` }).int(`${label}应精确到分`).min(0, `${label}不能为负`).max(MAX_FEN, `${label}过大`);
const text = (label: string, max: number) => z.string().trim().max(max, `${label}不能超过 ${max} 个字`);

/** Profile fields a customer may lack; each is optional on create and clearable on edit. */
const optionalProfileFields = {
  idNumber: idNumberField,
  city: text('城市', 30),
  campaignTags: z.array(z.string().trim().min(1).max(30)).max(10, '标签最多 10 个'),
  loanAmountFen: fen('贷款金额'),
  loanTermMonths: z.number().int('期限应为整数月').min(1, '期限至少 1 个月').max(360, '期限不能超过 360 个月'),
  loanPurpose: text('用途', 200),
  collateral: z.enum(Object.keys(COLLATERALS) as [keyof typeof COLLATERALS], { error: '请选择抵押/担保方式' }),
  monthlyIncomeFen: fen('月收入'),
  occupation: z.enum(Object.keys(OCCUPATIONS) as [keyof typeof OCCUPATIONS], { error: '请选择职业' }),
  creditStatus: z.enum(Object.keys(CREDIT_STATUSES) as [keyof typeof CREDIT_STATUSES], { error: '请选择征信情况' }),
  creditNotes: text('征信备注', 200),
  remark: text('备注', 500),
  customFields: z.record(z.string(), z.unknown()),
};
/** On edit, null or "" clears a field; leaving the key out keeps it. */
const clearable = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? null : v), schema.nullable().optional());

const requiredProfileFields = {
  name: z.string({ error: '请输入姓名' }).trim().min(1, '请输入姓名').max(50, '姓名不能超过 50 个字'),
  phone: phoneField,
  channel: z.string({ error: '请选择渠道' }).trim().min(1, '请选择渠道').max(32),
};

export const customerProfileFields = {
  ...requiredProfileFields,
  idNumber: optional(optionalProfileFields.idNumber),
  city: optional(optionalProfileFields.city),
  campaignTags: optional(optionalProfileFields.campaignTags),
  loanAmountFen: optional(optionalProfileFields.loanAmountFen),
  loanTermMonths: optional(optionalProfileFields.loanTermMonths),
  loanPurpose: optional(optionalProfileFields.loanPurpose),
  collateral: optional(optionalProfileFields.collateral),
  monthlyIncomeFen: optional(optionalProfileFields.monthlyIncomeFen),
  occupation: optional(optionalProfileFields.occupation),
  creditStatus: optional(optionalProfileFields.creditStatus),
  creditNotes: optional(optionalProfileFields.creditNotes),
  remark: optional(optionalProfileFields.remark),
  customFields: optional(optionalProfileFields.customFields),
};

export const CreateCustomer = z.object({
  ...customerProfileFields,
  nextFollowUpDate: optional(futureDateField),
  ownerId: optional(z.number().int().positive()),
});
export type CreateCustomerInput = z.infer<typeof CreateCustomer>;

export const UpdateCustomer = z
  .object({
    ...requiredProfileFields,
    idNumber: clearable(optionalProfileFields.idNumber),
    city: clearable(optionalProfileFields.city),
    campaignTags: clearable(optionalProfileFields.campaignTags),
    loanAmountFen: clearable(optionalProfileFields.loanAmountFen),
    loanTermMonths: clearable(optionalProfileFields.loanTermMonths),
    loanPurpose: clearable(optionalProfileFields.loanPurpose),
    collateral: clearable(optionalProfileFields.collateral),
    monthlyIncomeFen: clearable(optionalProfileFields.monthlyIncomeFen),
    occupation: clearable(optionalProfileFields.occupation),
    creditStatus: clearable(optionalProfileFields.creditStatus),
    creditNotes: clearable(optionalProfileFields.creditNotes),
    remark: clearable(optionalProfileFields.remark),
    customFields: clearable(optionalProfileFields.customFields),
    nextFollowUpDate: clearable(futureDateField),
  })
  .partial()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: '没有需要修改的内容' });
export type UpdateCustomerInput = z.infer<typeof UpdateCustomer>;

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.enum(values)).max(values.length));

export const ListCustomers = z.object({
  q: optional(z.string().trim().max(50)),
  stage: optional(csv(STAGE_KEYS)),
  channel: optional(z.string().trim().max(32)),
  ownerId: optional(z.coerce.number().int().positive()),
  nextFollowUpFrom: optional(dateField),
  nextFollowUpTo: optional(dateField),
  sort: z.enum(['recent', 'nextFollowUp']).default('recent'),
  cursor: optional(z.string().max(200)),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListCustomersQuery = z.infer<typeof ListCustomers>;

export const CheckDuplicate = z
  .object({ phone: optional(phoneField), idNumber: optional(idNumberField) })
  .refine((v) => v.phone || v.idNumber, { message: '请提供手机号或身份证号' });

export const ChangeStage = z.object({
  to: z.enum(STAGE_KEYS, { error: '请选择目标阶段' }),
  reason: optional(text('原因', 200)),
});

export const AssignCustomer = z.object({
  ownerId: z.number({ error: '请选择负责人' }).int().positive(),
  reason: optional(text('原因', 200)),
});

export const ReleaseCustomer = z.object({
  reason: z.string({ error: '请填写退回公海的原因' }).trim().min(1, '请填写退回公海的原因').max(200),
});

export const TransferCustomers = z.object({
  toUserId: z.number({ error: '请选择接收人' }).int().positive(),
  reason: optional(text('原因', 200)),
  disableUser: z.boolean().default(false),
});

export const RevealField = z.object({
  field: z.enum(Object.keys(SENSITIVE_FIELDS) as [keyof typeof SENSITIVE_FIELDS], { error: '字段不支持查看明文' }),
});

export const RecordFollowUp = z.object({
  type: z.enum(Object.keys(FOLLOWUP_TYPES) as [keyof typeof FOLLOWUP_TYPES], { error: '请选择跟进方式' }),
  content: z.string({ error: '请填写跟进内容' }).trim().min(1, '请填写跟进内容').max(1000, '跟进内容不能超过 1000 个字'),
  outcome: optional(z.enum(Object.keys(FOLLOWUP_OUTCOMES) as [keyof typeof FOLLOWUP_OUTCOMES], { error: '请选择跟进结果' })),
  nextFollowUpDate: optional(futureDateField),
  customFields: optional(z.record(z.string(), z.unknown())),
});
export type RecordFollowUpInput = z.infer<typeof RecordFollowUp>;

export const ListPool = z.object({
  q: optional(z.string().trim().max(50)),
  channel: optional(z.string().trim().max(32)),
  cursor: optional(z.string().max(200)),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** A partner lead: the profile without owner or follow-up planning. */
export const IntakeLead = z.object({
  externalId: optional(z.string().trim().max(64)),
  ...customerProfileFields,
  channel: z.string().optional(), // always the calling channel; ignored if sent
});

export const IntakeRequest = z.object({
  leads: z.array(z.unknown(), { error: 'leads 应为数组' }).min(1, '至少 1 条线索').max(500, '每次最多 500 条线索'),
});

export const DevLogin = z.object({ userId: z.number({ error: '请选择员工' }).int().positive() });
