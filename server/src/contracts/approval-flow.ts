// Approval flows as data (C11): the JSON a flow version stores, its zod schema, the fields a
// condition may test and its operators. The admin editor (H5) builds this shape from a form and
// validates it with the same schema the server stores it with.
import { z } from 'zod';
import { COLLATERALS } from './catalog';
import { REPAYMENT_METHODS } from './applications';
import { ROLE_KEYS, ROLES } from './roles';

z.config(z.locales.zhCN());

export const NODE_KINDS = {
  approval: '审批',
  condition: '条件分支',
  parallel: '并行审批',
  notify: '抄送',
  end: '结束',
} as const;
export type NodeKind = keyof typeof NODE_KINDS;

export const APPROVER_TYPES = {
  role: '按角色',
  supervisor: '申请人的上级',
  dept_head: '部门负责人',
  users: '指定人员',
} as const;
export type ApproverType = keyof typeof APPROVER_TYPES;

export const ROLE_SCOPES = { all: '全公司', branch: '申请人所在分公司', department: '申请人所在部门' } as const;
export type RoleScope = keyof typeof ROLE_SCOPES;

/** 或签: the first decision decides; 会签: everyone must approve (one rejection rejects). */
export const APPROVAL_MODES = { any: '或签(一人处理即可)', all: '会签(需全部同意)' } as const;
export type ApprovalMode = keyof typeof APPROVAL_MODES;

export const PARALLEL_MODES = { all: '全部分支通过', any: '任一分支处理即可' } as const;

/** Nobody to ask (e.g. no supervisor synced yet): what the node does instead. */
export const ON_EMPTY = { auto_pass: '自动通过', skip: '跳过该节点', admin: '转交管理员审批' } as const;
export type OnEmpty = keyof typeof ON_EMPTY;

export const CONDITION_OPS = { gt: '大于', gte: '大于等于', lt: '小于', lte: '小于等于', eq: '等于', ne: '不等于', in: '属于' } as const;
export type ConditionOp = keyof typeof CONDITION_OPS;

type FieldType = 'money' | 'number' | 'text' | 'enum';

/** Fields a condition may branch on: the application's, then the customer's (at submission). */
export const CONDITION_FIELDS: Record<string, { label: string; type: FieldType; options?: Record<string, string> }> = {
  amountFen: { label: '申请金额', type: 'money' },
  termMonths: { label: '期限(月)', type: 'number' },
  product: { label: '产品', type: 'text' },
  collateral: { label: '抵押/担保方式', type: 'enum', options: COLLATERALS },
  repaymentMethod: { label: '还款方式', type: 'enum', options: REPAYMENT_METHODS },
  'customer.monthlyIncomeFen': { label: '客户月收入', type: 'money' },
  'customer.age': { label: '客户年龄', type: 'number' },
  'customer.city': { label: '客户城市', type: 'text' },
  'customer.channel': { label: '客户渠道', type: 'text' },
};
export const CONDITION_FIELD_KEYS = Object.keys(CONDITION_FIELDS) as [string, ...string[]];

/** Operators that make sense for a field type. */
export function opsFor(type: FieldType): ConditionOp[] {
  return type === 'money' || type === 'number' ? ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] : ['eq', 'ne', 'in'];
}

const nodeId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, '节点编号只能包含字母、数字、- 和 _');
const nodeName = z.string({ error: '请填写节点名称' }).trim().min(1, '请填写节点名称').max(32, '节点名称不能超过 32 个字');
const slaHours = z.number().positive('时限应大于 0').max(720, '时限不能超过 720 小时');

export const ApproverRule = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('role'), role: z.enum(ROLE_KEYS, { error: '请选择角色' }), scope: z.enum(['all', 'branch', 'department']).default('all') }),
    z.object({ type: z.literal('supervisor'), level: z.number().int().min(1, '层级至少为 1').max(10, '层级不能超过 10') }),
    z.object({ type: z.literal('dept_head'), level: z.number().int().min(1, '层级至少为 1').max(10, '层级不能超过 10') }),
    z.object({ type: z.literal('users'), userIds: z.array(z.number().int().positive()).min(1, '请至少选择一位审批人').max(50, '最多 50 人') }),
  ],
  { error: '请选择审批人类型' },
);
export type ApproverRule = z.infer<typeof ApproverRule>;

export const ApprovalNode = z.object({
  id: nodeId,
  kind: z.literal('approval'),
  name: nodeName,
  approvers: ApproverRule,
  mode: z.enum(['any', 'all']).default('any'),
  onEmpty: z.enum(['auto_pass', 'skip', 'admin']).default('admin'),
  slaHours: slaHours.optional(),
});
export type ApprovalNode = z.infer<typeof ApprovalNode>;

export const ParallelNode = z.object({
  id: nodeId,
  kind: z.literal('parallel'),
  name: nodeName,
  mode: z.enum(['all', 'any']).default('all'),
  branches: z.array(ApprovalNode).min(2, '并行审批至少需要 2 个分支').max(5, '并行审批最多 5 个分支'),
});
export type ParallelNode = z.infer<typeof ParallelNode>;

export const NotifyNode = z.object({ id: nodeId, kind: z.literal('notify'), name: nodeName, recipients: ApproverRule });
export type NotifyNode = z.infer<typeof NotifyNode>;

export const EndNode = z.object({ id: nodeId, kind: z.literal('end'), name: nodeName });
export type EndNode = z.infer<typeof EndNode>;

export const Condition = z.object({
  field: z.enum(CONDITION_FIELD_KEYS, { error: '请选择条件字段' }),
  op: z.enum(Object.keys(CONDITION_OPS) as [ConditionOp], { error: '请选择比较方式' }),
  value: z.union([z.number(), z.string().max(100), z.array(z.string().max(100)).min(1).max(50)], { error: '请填写比较值' }),
});
export type Condition = z.infer<typeof Condition>;

/** Nodes a condition's branch may hold (one level of nesting keeps the editor a plain form). */
export const BranchNode = z.discriminatedUnion('kind', [ApprovalNode, ParallelNode, NotifyNode], { error: '不支持的节点类型' });
export type BranchNode = z.infer<typeof BranchNode>;

export const ConditionNode = z.object({
  id: nodeId,
  kind: z.literal('condition'),
  name: nodeName,
  condition: Condition,
  then: z.array(BranchNode).max(10, '分支最多 10 个节点'),
  else: z.array(BranchNode).max(10, '分支最多 10 个节点').default([]),
});
export type ConditionNode = z.infer<typeof ConditionNode>;

export const FlowNode = z.discriminatedUnion('kind', [ApprovalNode, ParallelNode, NotifyNode, ConditionNode, EndNode], { error: '不支持的节点类型' });
export type FlowNode = z.infer<typeof FlowNode>;
/** Any node a task or trail entry can point at. */
export type AnyNode = FlowNode | BranchNode;

/** Where a resubmitted application starts: the first node, the node that returned it, or a named node. */
export const RESUBMIT_FROM = { start: '从第一个节点重新审批', returned: '从退回的节点继续' } as const;

function checkCondition(c: Condition, path: (string | number)[], ctx: z.RefinementCtx) {
  const f = CONDITION_FIELDS[c.field];
  if (!opsFor(f.type).includes(c.op)) ctx.addIssue({ code: 'custom', path: [...path, 'op'], message: `「${f.label}」不能用「${CONDITION_OPS[c.op]}」比较` });
  const numeric = f.type === 'money' || f.type === 'number';
  const ok = numeric ? typeof c.value === 'number' && Number.isFinite(c.value) : c.op === 'in' ? Array.isArray(c.value) : typeof c.value === 'string' && c.value !== '';
  if (!ok) ctx.addIssue({ code: 'custom', path: [...path, 'value'], message: numeric ? `「${f.label}」的比较值应为数字` : `请填写「${f.label}」的比较值` });
  if (f.type === 'money' && typeof c.value === 'number' && !Number.isInteger(c.value)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'value'], message: '金额应精确到分' });
  }
  if (f.type === 'enum' && f.options) {
    const values = Array.isArray(c.value) ? c.value : [c.value];
    if (values.some((v) => typeof v !== 'string' || !(v in f.options!))) ctx.addIssue({ code: 'custom', path: [...path, 'value'], message: `「${f.label}」的比较值不在可选范围内` });
  }
}

export const FlowDefinition = z
  .object({
    nodes: z.array(FlowNode).min(1, '流程至少需要 1 个节点').max(30, '流程最多 30 个节点'),
    resubmitFrom: z.string().min(1).max(32).default('start'),
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    const visit = (n: AnyNode, path: (string | number)[]) => {
      if (seen.has(n.id)) ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `节点编号「${n.id}」重复` });
      seen.add(n.id);
      if (n.kind === 'parallel') n.branches.forEach((b, i) => visit(b, [...path, 'branches', i]));
      if (n.kind === 'condition') {
        checkCondition(n.condition, [...path, 'condition'], ctx);
        n.then.forEach((b, i) => visit(b, [...path, 'then', i]));
        n.else.forEach((b, i) => visit(b, [...path, 'else', i]));
      }
    };
    def.nodes.forEach((n, i) => visit(n, ['nodes', i]));
    def.nodes.forEach((n, i) => {
      if (n.kind === 'end' && i !== def.nodes.length - 1) ctx.addIssue({ code: 'custom', path: ['nodes', i], message: '「结束」只能是最后一个节点' });
    });
    const hasApproval = (nodes: AnyNode[]): boolean =>
      nodes.some((n) => n.kind === 'approval' || n.kind === 'parallel' || (n.kind === 'condition' && (hasApproval(n.then) || hasApproval(n.else))));
    if (!hasApproval(def.nodes)) ctx.addIssue({ code: 'custom', path: ['nodes'], message: '流程至少需要 1 个审批节点' });
    const topApprovals = def.nodes.filter((n) => n.kind === 'approval' || n.kind === 'parallel').map((n) => n.id);
    if (!(def.resubmitFrom in RESUBMIT_FROM) && !topApprovals.includes(def.resubmitFrom)) {
      ctx.addIssue({ code: 'custom', path: ['resubmitFrom'], message: '重新提交的起点应为第一个节点、退回的节点或流程中的一个审批节点' });
    }
  });
export type FlowDefinition = z.infer<typeof FlowDefinition>;

export const SaveFlow = z.object({
  name: z.string({ error: '请填写流程名称' }).trim().min(1, '请填写流程名称').max(64, '流程名称不能超过 64 个字'),
  description: z.preprocess((v) => (v === null ? undefined : v), z.string().trim().max(200, '说明不能超过 200 个字').optional()),
  enabled: z.boolean().default(true),
  isDefault: z.boolean().default(false),
  definition: FlowDefinition,
});
export type SaveFlowInput = z.infer<typeof SaveFlow>;

/** How an approver rule reads in the editor and the trail: "风控专员(申请人所在分公司)", "上级(第 1 级)". */
export function describeRule(rule: ApproverRule, userName: (id: number) => string = (id) => `#${id}`): string {
  switch (rule.type) {
    case 'role':
      return rule.scope === 'all' ? ROLES[rule.role] : `${ROLES[rule.role]}(${ROLE_SCOPES[rule.scope]})`;
    case 'supervisor':
      return rule.level === 1 ? '直属上级' : `第 ${rule.level} 级上级`;
    case 'dept_head':
      return rule.level === 1 ? '部门负责人' : `第 ${rule.level} 级部门负责人`;
    case 'users':
      return rule.userIds.map(userName).join('、');
  }
}

/**
 * The flow shipped with the product (also written by the data migration into an empty database):
 * 团队主管 → 风控专员 → (amount > 500,000 元: 总监) → cc 财务 → end.
 */
export const DEFAULT_FLOW: { name: string; description: string; definition: FlowDefinition } = {
  name: '贷款进件审批',
  description: '团队主管 → 风控专员 → (金额超过 50 万元:总监) → 抄送财务',
  definition: {
    resubmitFrom: 'start',
    nodes: [
      { id: 'lead', kind: 'approval', name: '团队主管审批', approvers: { type: 'supervisor', level: 1 }, mode: 'any', onEmpty: 'admin', slaHours: 4 },
      { id: 'risk', kind: 'approval', name: '风控审批', approvers: { type: 'role', role: 'risk', scope: 'all' }, mode: 'any', onEmpty: 'admin', slaHours: 8 },
      {
        id: 'big',
        kind: 'condition',
        name: '金额超过 50 万元',
        condition: { field: 'amountFen', op: 'gt', value: 50_000_000 },
        then: [{ id: 'director', kind: 'approval', name: '总监审批', approvers: { type: 'role', role: 'director', scope: 'all' }, mode: 'any', onEmpty: 'admin', slaHours: 8 }],
        else: [],
      },
      { id: 'cc_finance', kind: 'notify', name: '抄送财务', recipients: { type: 'role', role: 'finance', scope: 'all' } },
      { id: 'end', kind: 'end', name: '结束' },
    ],
  },
};
