// Auto-assignment rules (C7) as the admin edits them: which leads (a rule tree), to whom (a team
// with a strategy, or a named person), a daily cap and working-hours handling. Shared by the
// server routes and the H5 form.
import { z } from 'zod';
import { RuleTree } from './rules';

z.config(z.locales.zhCN());

export const ASSIGN_TARGETS = { team: '团队', user: '指定员工' } as const;
export const ASSIGN_STRATEGIES = { round_robin: '轮流分配', least_loaded: '分给在跟客户最少的人' } as const;
export const OUTSIDE_HOURS = { queue: '次日上班时再分配', pool: '放入公海' } as const;
export type AssignStrategy = keyof typeof ASSIGN_STRATEGIES;

const positiveId = (msg: string) => z.number({ error: msg }).int(msg).positive(msg);

export const AssignmentRuleInput = z
  .object({
    name: z.string({ error: '请填写规则名称' }).trim().min(1, '请填写规则名称').max(50, '规则名称不能超过 50 个字'),
    enabled: z.boolean().default(true),
    conditions: RuleTree,
    targetType: z.enum(['team', 'user'], { error: '请选择分配对象' }),
    targetDepartmentId: positiveId('请选择团队').nullish(),
    targetUserId: positiveId('请选择员工').nullish(),
    strategy: z.enum(['round_robin', 'least_loaded'], { error: '请选择分配方式' }).default('round_robin'),
    dailyCap: z.number({ error: '每日上限应为整数' }).int('每日上限应为整数').min(1, '每日上限至少为 1').max(10000, '每日上限不能超过 10000').nullish(),
    workingHoursOnly: z.boolean().default(false),
    outsideHours: z.enum(['queue', 'pool'], { error: '请选择非工作时间的处理方式' }).default('queue'),
  })
  .superRefine((r, ctx) => {
    if (r.targetType === 'team' && !r.targetDepartmentId) ctx.addIssue({ code: 'custom', path: ['targetDepartmentId'], message: '请选择团队' });
    if (r.targetType === 'user' && !r.targetUserId) ctx.addIssue({ code: 'custom', path: ['targetUserId'], message: '请选择员工' });
  });
export type AssignmentRuleInput = z.infer<typeof AssignmentRuleInput>;

export const ReorderAssignmentRules = z.object({
  ids: z.array(z.number().int().positive(), { error: '请提供规则顺序' }).min(1, '请提供规则顺序').max(500),
});
