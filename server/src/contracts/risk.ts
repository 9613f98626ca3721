// Risk pre-checks (风控预检, C10): the rule kinds with their Chinese names and parameter schemas,
// the defaults shipped, the stored result of a check, and the admin commands. Shared by server
// and H5, so the rule form and the API agree on bad input.
import { z } from 'zod';
import { COLLATERALS, type Collateral } from './catalog';
import { DOCUMENT_KINDS, type DocumentKind } from './applications';
import { RuleTree } from './rules';

z.config(z.locales.zhCN());

/** Outcome of one rule and of a whole check, from harmless to blocking. */
export const RISK_LEVELS = { pass: '通过', warn: '提示', reject: '拒绝' } as const;
export type RiskLevel = keyof typeof RISK_LEVELS;
export const RISK_LEVEL_KEYS = Object.keys(RISK_LEVELS) as [RiskLevel, ...RiskLevel[]];
const LEVEL_ORDER: Record<RiskLevel, number> = { pass: 0, warn: 1, reject: 2 };

/** The more serious of two levels. */
export function worseLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return LEVEL_ORDER[a] >= LEVEL_ORDER[b] ? a : b;
}

const pct = (label: string) => z.number({ error: `请填写${label}` }).int(`${label}应为整数`).min(1, `${label}至少为 1`).max(100, `${label}不能超过 100`);
const docList = z.array(z.enum(Object.keys(DOCUMENT_KINDS) as [DocumentKind], { error: '未知的资料类型' })).max(8);

/**
 * A custom rule (自定义规则) in the shared rule language (contracts/rules.ts) over customer and
 * application fields: when its condition matches, the check reports `reason` at `level`.
 */
export const CustomRiskRule = z.object({
  name: z.string({ error: '请填写规则名称' }).trim().min(1, '请填写规则名称').max(20, '规则名称不能超过 20 个字'),
  level: z.enum(['warn', 'reject'], { error: '请选择命中后的结果' }),
  reason: z.string({ error: '请填写命中时的说明' }).trim().min(1, '请填写命中时的说明').max(100, '说明不能超过 100 个字'),
  when: RuleTree,
});
export type CustomRiskRule = z.infer<typeof CustomRiskRule>;

/** Parameters of each rule kind (what the admin form edits). */
export const RISK_PARAM_SCHEMAS = {
  id_number: z.object({}),
  age_range: z
    .object({
      minAge: z.number({ error: '请填写最小年龄' }).int('年龄应为整数').min(16, '最小年龄不能小于 16').max(100, '年龄不能超过 100'),
      maxAge: z.number({ error: '请填写最大年龄' }).int('年龄应为整数').min(16, '最大年龄不能小于 16').max(100, '年龄不能超过 100'),
    })
    .refine((p) => p.minAge <= p.maxAge, { message: '最小年龄不能大于最大年龄', path: ['maxAge'] }),
  mobile_format: z.object({}),
  dti: z.object({
    maxRatioPercent: pct('负债收入比上限'),
    /** Annual rate in basis points (1200 = 12.00%) used when the product has none of its own. */
    defaultAnnualRateBp: z.number({ error: '请填写默认年利率' }).int('年利率按万分之一填写').min(0, '年利率不能为负').max(3600, '年利率不能超过 36%'),
    /** Per product name (free text until the product catalogue exists): annual rate in basis points. */
    productRatesBp: z.record(z.string().trim().min(1).max(50), z.number().int().min(0).max(3600)).default({}),
  }),
  blacklist: z.object({}),
  multi_apply: z.object({
    maxCount: z.number({ error: '请填写次数上限' }).int('次数应为整数').min(1, '次数上限至少为 1').max(50, '次数上限不能超过 50'),
    windowDays: z.number({ error: '请填写统计天数' }).int('天数应为整数').min(1, '统计天数至少为 1').max(365, '统计天数不能超过 365'),
  }),
  required_documents: z.object({
    byCollateral: z.partialRecord(z.enum(Object.keys(COLLATERALS) as [Collateral]), docList).default({}),
    /** For an application without a collateral type. */
    otherwise: docList.default([]),
  }),
  custom: z.object({
    rules: z
      .array(CustomRiskRule)
      .max(20, '自定义规则不能超过 20 条')
      .refine((list) => new Set(list.map((r) => r.name)).size === list.length, { message: '自定义规则名称不能重复' })
      .default([]),
  }),
} as const;
export type RiskRuleKind = keyof typeof RISK_PARAM_SCHEMAS;
export const RISK_RULE_KINDS = Object.keys(RISK_PARAM_SCHEMAS) as [RiskRuleKind, ...RiskRuleKind[]];
export type RiskParams<K extends RiskRuleKind> = z.infer<(typeof RISK_PARAM_SCHEMAS)[K]>;

export const RISK_RULE_NAMES: Record<RiskRuleKind, { name: string; description: string }> = {
  id_number: { name: '身份证号校验', description: '身份证号的格式、出生日期和校验位' },
  age_range: { name: '年龄范围', description: '按上海日期计算的周岁年龄须在范围内' },
  mobile_format: { name: '手机号格式', description: '大陆 11 位手机号' },
  dti: { name: '负债收入比', description: '申请贷款的月供(等额本息,按产品年利率)÷ 月收入不超过上限' },
  blacklist: { name: '内部黑名单', description: '手机号或身份证号在内部黑名单中' },
  multi_apply: { name: '多头申请', description: '统计期内提交的进件次数超过上限' },
  required_documents: { name: '必备资料', description: '按抵押/担保方式应上传的资料' },
  custom: { name: '自定义规则', description: '按客户和进件字段组合条件,命中时提示或拒绝' },
};

export interface RiskRuleDefault<K extends RiskRuleKind = RiskRuleKind> {
  kind: K;
  enabled: boolean;
  level: RiskLevel;
  params: RiskParams<K>;
}

/** The rule set shipped (written by the migration; the admin edits it afterwards). */
export const DEFAULT_RISK_RULES: RiskRuleDefault[] = [
  { kind: 'id_number', enabled: true, level: 'reject', params: {} },
  { kind: 'age_range', enabled: true, level: 'reject', params: { minAge: 22, maxAge: 60 } },
  { kind: 'mobile_format', enabled: true, level: 'reject', params: {} },
  { kind: 'dti', enabled: true, level: 'warn', params: { maxRatioPercent: 50, defaultAnnualRateBp: 1200, productRatesBp: {} } },
  { kind: 'blacklist', enabled: true, level: 'reject', params: {} },
  { kind: 'multi_apply', enabled: true, level: 'warn', params: { maxCount: 3, windowDays: 30 } },
  {
    kind: 'required_documents', enabled: true, level: 'warn',
    params: {
      byCollateral: { house: ['id_card', 'property'], vehicle: ['id_card', 'vehicle'], policy: ['id_card'], credit: ['id_card', 'bank_statement'], other: ['id_card'] },
      otherwise: ['id_card'],
    },
  },
  { kind: 'custom', enabled: true, level: 'warn', params: { rules: [] } },
];

/** One rule's outcome, with its reason in Chinese (no phone or ID number in it). */
export interface RiskRuleResult {
  kind: RiskRuleKind;
  /** The rule's name; for custom rules the admin's name of each one. */
  name: string;
  level: RiskLevel;
  /** The rule could not be evaluated (missing data): reported, never blocking on its own. */
  missing?: boolean;
  reason: string;
}

export interface RiskOverride {
  userId: number;
  userName: string;
  reason: string;
  at: string;
}

/** What a check attaches to the application. */
export interface RiskCheckResult {
  level: RiskLevel;
  /** The Shanghai business date the check was evaluated on (ages count to it). */
  businessDate: string;
  results: RiskRuleResult[];
}

export const UpdateRiskRule = z
  .object({
    enabled: z.boolean().optional(),
    level: z.enum(RISK_LEVEL_KEYS, { error: '请选择命中后的结果' }).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((v) => v.enabled !== undefined || v.level !== undefined || v.params !== undefined, { message: '没有需要修改的内容' });
export type UpdateRiskRuleInput = z.infer<typeof UpdateRiskRule>;

export const RiskRuleParams = z.object({ kind: z.enum(RISK_RULE_KINDS, { error: '未知的风控规则' }) });

export const BLACKLIST_KINDS = { phone: '手机号', id_number: '身份证号' } as const;
export type BlacklistKind = keyof typeof BLACKLIST_KINDS;

export const AddBlacklistEntry = z.object({
  kind: z.enum(Object.keys(BLACKLIST_KINDS) as [BlacklistKind], { error: '请选择类型' }),
  value: z.string({ error: '请填写号码' }).trim().min(1, '请填写号码').max(40, '号码过长'),
  reason: z.string({ error: '请填写原因' }).trim().min(1, '请填写加入黑名单的原因').max(200, '原因不能超过 200 个字'),
});
export type AddBlacklistEntryInput = z.infer<typeof AddBlacklistEntry>;

export const RemoveBlacklistEntry = z.object({ reason: z.string().trim().max(200, '原因不能超过 200 个字').optional() });

/** 放行: a reject-level result overridden by someone with `risk.override`, always with a reason. */
export const OverrideRiskCheck = z.object({
  reason: z.string({ error: '请填写放行原因' }).trim().min(1, '请填写放行原因').max(500, '放行原因不能超过 500 个字'),
});
