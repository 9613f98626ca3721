// Loan applications (进件) and their approval: states, task states, actions, document limits and
// the command schemas. Shared by server, H5 and bot, so a form and the API agree on bad input.
import { z } from 'zod';
import { COLLATERALS } from './catalog';

z.config(z.locales.zhCN());

export const APPLICATION_STATUSES = {
  draft: '草稿',
  pending: '审批中',
  approved: '已通过',
  rejected: '已驳回',
  returned: '已退回',
  withdrawn: '已撤回',
} as const;
export type ApplicationStatus = keyof typeof APPLICATION_STATUSES;

/** States in which the applicant may change the facts and (re)submit. */
export const EDITABLE_STATUSES: readonly ApplicationStatus[] = ['draft', 'returned'];

export const TASK_STATUSES = {
  pending: '待处理',
  approved: '已同意',
  rejected: '已驳回',
  returned: '已退回',
  delegated: '已转交',
  cancelled: '无需处理',
} as const;
export type TaskStatus = keyof typeof TASK_STATUSES;

/** Every entry of an application's trail (C13). System entries have no actor. */
export const APPLICATION_ACTIONS = {
  create: '创建草稿',
  update: '修改资料',
  submit: '提交审批',
  resubmit: '重新提交',
  approve: '同意',
  reject: '驳回',
  return: '退回补充资料',
  withdraw: '撤回',
  delegate: '转交',
  comment: '评论',
  attach: '上传附件',
  auto_pass: '自动通过',
  skip: '跳过',
  admin_fallback: '转管理员审批',
  branch: '条件分支',
  cc: '抄送',
  approved: '审批通过',
  sla_remind: '超时提醒',
  sla_escalate: '超时上报',
} as const;
export type ApplicationAction = keyof typeof APPLICATION_ACTIONS;

/** What an approver may decide on a task. */
export const DECISIONS = { approve: '同意', reject: '驳回', return: '退回补充资料' } as const;
export type Decision = keyof typeof DECISIONS;
export const DECISION_KEYS = Object.keys(DECISIONS) as [Decision, ...Decision[]];

export const REPAYMENT_METHODS = {
  equal_installment: '等额本息',
  equal_principal: '等额本金',
  interest_first: '先息后本',
  bullet: '到期一次还本付息',
} as const;
export type RepaymentMethod = keyof typeof REPAYMENT_METHODS;

export const DOCUMENT_KINDS = {
  id_card: '身份证',
  property: '房产证',
  vehicle: '行驶证/登记证',
  bank_statement: '银行流水',
  income: '收入证明',
  credit_report: '征信报告',
  business_license: '营业执照',
  other: '其他',
} as const;
export type DocumentKind = keyof typeof DOCUMENT_KINDS;

/** Accepted upload types (checked against the file's first bytes too), with their extension. */
export const DOCUMENT_MIME_TYPES = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'application/pdf': 'pdf',
} as const;
export type DocumentMime = keyof typeof DOCUMENT_MIME_TYPES;
export const DOCUMENT_ACCEPT = 'image/*,application/pdf';
export const MAX_DOCUMENTS_PER_APPLICATION = 30;

/** The inboxes of the 审批 tab. */
export const APPROVAL_BOXES = { todo: '待我审批', done: '我已审批', mine: '我发起的', cc: '抄送我的' } as const;
export type ApprovalBox = keyof typeof APPROVAL_BOXES;

const MAX_FEN = 1_000_000_000_000;
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());
const text = (label: string, max: number) => z.string().trim().max(max, `${label}不能超过 ${max} 个字`);

export const applicationFields = {
  /** Free text on rows from before the catalogue; with `productId` the server fills in the product's name. */
  product: optional(z.string({ error: '请填写产品' }).trim().min(1, '请填写产品').max(50, '产品不能超过 50 个字')),
  /** The catalogue product picked from 匹配产品 (C14); amount, term and method must fit it. */
  productId: optional(z.number({ error: '请选择产品' }).int().positive()),
  amountFen: z.number({ error: '请填写申请金额' }).int('金额应精确到分').min(1, '申请金额应大于 0').max(MAX_FEN, '申请金额过大'),
  termMonths: z.number({ error: '请选择期限' }).int('期限应为整数月').min(1, '期限至少 1 个月').max(360, '期限不能超过 360 个月'),
  purpose: z.string({ error: '请填写用途' }).trim().min(1, '请填写用途').max(200, '用途不能超过 200 个字'),
  repaymentMethod: optional(z.enum(Object.keys(REPAYMENT_METHODS) as [RepaymentMethod], { error: '请选择还款方式' })),
  collateral: optional(z.enum(Object.keys(COLLATERALS) as [keyof typeof COLLATERALS], { error: '请选择抵押/担保方式' })),
  remarks: optional(text('备注', 1000)),
};

export const CreateApplication = z.object({
  customerId: z.number({ error: '请选择客户' }).int().positive(),
  ...applicationFields,
  /** Submit at once instead of keeping a draft. */
  submit: z.boolean().default(false),
}).refine((v) => v.product !== undefined || v.productId !== undefined, { path: ['product'], message: '请选择或填写产品' });
export type CreateApplicationInput = z.infer<typeof CreateApplication>;

export const UpdateApplication = z
  .object(applicationFields)
  .partial()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: '没有需要修改的内容' });
export type UpdateApplicationInput = z.infer<typeof UpdateApplication>;

export const SubmitApplication = z.object({ comment: optional(text('说明', 500)) });
export type SubmitApplicationInput = z.infer<typeof SubmitApplication>;

/** Approve / reject / return. Reject and return need a reason the applicant can act on. */
export const DecideApplication = z
  .object({
    action: z.enum(DECISION_KEYS, { error: '请选择审批操作' }),
    comment: optional(text('审批意见', 500)),
    taskId: optional(z.number().int().positive()),
  })
  .superRefine((v, ctx) => {
    if (v.action !== 'approve' && !v.comment) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: v.action === 'reject' ? '驳回必须填写原因' : '退回必须说明需要补充的资料' });
    }
  });
export type DecideApplicationInput = z.infer<typeof DecideApplication>;

export const WithdrawApplication = z.object({ reason: optional(text('撤回原因', 200)) });

export const DelegateTask = z.object({
  toUserId: z.number({ error: '请选择转交对象' }).int().positive(),
  comment: optional(text('说明', 200)),
  taskId: optional(z.number().int().positive()),
});
export type DelegateTaskInput = z.infer<typeof DelegateTask>;

export const CommentApplication = z.object({
  content: z.string({ error: '请填写评论' }).trim().min(1, '请填写评论').max(1000, '评论不能超过 1000 个字'),
});

export const UploadDocumentQuery = z.object({
  name: z.string({ error: '缺少文件名' }).trim().min(1, '缺少文件名').max(200, '文件名过长'),
  kind: z.enum(Object.keys(DOCUMENT_KINDS) as [DocumentKind], { error: '请选择资料类型' }).default('other'),
});

export const ListApplications = z.object({
  customerId: optional(z.coerce.number().int().positive()),
  status: optional(z.enum(Object.keys(APPLICATION_STATUSES) as [ApplicationStatus])),
  cursor: optional(z.coerce.number().int().positive()),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListApplicationsQuery = z.infer<typeof ListApplications>;

export const ListApprovals = z.object({
  box: z.enum(Object.keys(APPROVAL_BOXES) as [ApprovalBox], { error: '未知的审批列表' }).default('todo'),
  cursor: optional(z.coerce.number().int().positive()),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListApprovalsQuery = z.infer<typeof ListApprovals>;
