// Channel commissions (渠道返佣, C20): rule kinds, accrual kinds and the rule command, shared by
// server and H5. Amounts are fen, rates ppm of the disbursed principal.
import { z } from 'zod';
import { isValidDate } from './dates';

export const COMMISSION_BENEFICIARIES = { channel: '渠道', officer: '信贷员(内部激励)' } as const;
export type CommissionBeneficiary = keyof typeof COMMISSION_BENEFICIARIES;

export const COMMISSION_RULE_KINDS = { percent: '按放款额比例', tiered: '按月放款量阶梯', fixed: '每笔固定金额' } as const;
export type CommissionRuleKind = keyof typeof COMMISSION_RULE_KINDS;

/** Accrual rows are append-only: a reversal or clawback is a negative row pointing at the accrual it cancels. */
export const COMMISSION_ENTRY_KINDS = { accrual: '计提', reversal: '放款冲正', clawback: '违约追回' } as const;
export type CommissionEntryKind = keyof typeof COMMISSION_ENTRY_KINDS;

export interface CommissionTier {
  /** The tier applies once the month's disbursed volume (this loan included) reaches this. */
  minVolumeFen: number;
  ratePpm: number;
}

const day = (msg: string) => z.string({ error: msg }).refine(isValidDate, { error: msg });
const ppm = z.number({ error: '比例格式不正确' }).int({ error: '比例格式不正确' }).min(0, { error: '比例不能为负' }).max(200_000, { error: '比例不能超过 20%' });

export const CommissionRuleInput = z
  .object({
    name: z.string({ error: '请填写规则名称' }).trim().min(1, { error: '请填写规则名称' }).max(64),
    beneficiary: z.enum(['channel', 'officer'], { error: '请选择返佣对象' }),
    /** null: any channel. */
    channel: z.string().trim().min(1).max(32).nullish(),
    /** null: any product. */
    productId: z.number().int().positive().nullish(),
    kind: z.enum(['percent', 'tiered', 'fixed'], { error: '请选择计算方式' }),
    ratePpm: ppm.nullish(),
    fixedFen: z.number({ error: '固定金额格式不正确' }).int({ error: '固定金额格式不正确' }).positive({ error: '固定金额必须大于 0' }).max(1e10).nullish(),
    tiers: z.array(z.object({ minVolumeFen: z.number().int().min(0), ratePpm: ppm })).max(10).nullish(),
    /** Claw the commission back when the loan defaults (written off or M3+) within this many months. */
    clawbackMonths: z.number().int({ error: '追回期限格式不正确' }).min(1, { error: '追回期限至少 1 个月' }).max(60).nullish(),
    validFrom: day('生效日期格式不正确'),
    validTo: day('失效日期格式不正确').nullish(),
    priority: z.number().int().min(0).max(1000).default(0),
    enabled: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'percent' && (v.ratePpm === null || v.ratePpm === undefined)) ctx.addIssue({ code: 'custom', path: ['ratePpm'], message: '请填写返佣比例' });
    if (v.kind === 'fixed' && !v.fixedFen) ctx.addIssue({ code: 'custom', path: ['fixedFen'], message: '请填写每笔固定金额' });
    if (v.kind === 'tiered') {
      const t = v.tiers ?? [];
      if (!t.length) ctx.addIssue({ code: 'custom', path: ['tiers'], message: '请至少设置一档阶梯' });
      else if (t[0]!.minVolumeFen !== 0) ctx.addIssue({ code: 'custom', path: ['tiers'], message: '第一档的起点必须是 0' });
      for (let i = 1; i < t.length; i++) {
        if (t[i]!.minVolumeFen <= t[i - 1]!.minVolumeFen) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'minVolumeFen'], message: '阶梯起点须逐档递增' });
      }
    }
    if (v.validTo && v.validTo < v.validFrom) ctx.addIssue({ code: 'custom', path: ['validTo'], message: '失效日期不能早于生效日期' });
  });
export type CommissionRuleInputT = z.infer<typeof CommissionRuleInput>;

export const StatementQuery = z.object({
  period: z.string({ error: '请选择月份' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' }),
  beneficiary: z.enum(['channel', 'officer']).default('channel'),
});

export const StatementParams = z.object({
  beneficiary: z.enum(['channel', 'officer']),
  key: z.string().min(1).max(32),
});

/** The statement number: one per beneficiary and month, so a re-export reads the same. */
export function statementNo(period: string, beneficiary: CommissionBeneficiary, key: string): string {
  return `FY${period.replace('-', '')}-${beneficiary === 'channel' ? 'QD' : 'YG'}-${key}`;
}
