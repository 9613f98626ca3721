// What the API shows of applications: list items for the inboxes, and the detail page — facts,
// documents, every task and the trail with who, when, comment and how long each step took.
import { APPLICATION_ACTIONS, APPLICATION_STATUSES, DOCUMENT_KINDS, REPAYMENT_METHODS, TASK_STATUSES } from '../../contracts/applications';
import { COLLATERALS } from '../../contracts/catalog';
import type { Application, ApplicationActionRow, ApplicationDocument } from './application.model';
import type { ApprovalTask } from '../approvals/task.model';

export type NameOf = (id: number | null | undefined) => string | null;

export function toApplicationItem(a: Application, names: NameOf, customerName: string | null) {
  return {
    id: Number(a.id),
    customerId: Number(a.customerId),
    customerName: a.customerSnapshot?.name ?? customerName,
    product: a.product,
    amountFen: Number(a.amountFen),
    termMonths: a.termMonths,
    status: a.status,
    statusName: APPLICATION_STATUSES[a.status],
    currentNodeName: a.status === 'pending' ? a.currentNodeName : null,
    applicantId: a.applicantId,
    applicantName: names(a.applicantId),
    submittedAt: a.submittedAt,
    decidedAt: a.decidedAt,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}
export type ApplicationItem = ReturnType<typeof toApplicationItem>;

const ms = (a: Date | null, b: Date | null) => (a && b ? new Date(b).getTime() - new Date(a).getTime() : null);

export function toTaskView(t: ApprovalTask, names: NameOf, now = new Date()) {
  return {
    id: Number(t.id),
    round: t.round,
    nodeId: t.nodeId,
    nodeName: t.nodeName,
    branchName: t.branchName,
    assigneeId: t.assigneeId,
    assigneeName: names(t.assigneeId),
    status: t.status,
    statusName: TASK_STATUSES[t.status],
    comment: t.comment,
    createdAt: t.createdAt,
    decidedAt: t.decidedAt,
    /** Time at the task: until decided, or so far while pending. */
    durationMs: t.status === 'pending' ? ms(t.createdAt, now) : ms(t.createdAt, t.decidedAt),
    dueAt: t.dueAt,
    overdue: t.status === 'pending' && t.dueAt !== null && new Date(t.dueAt) < now,
  };
}

export function toTimelineEntry(e: ApplicationActionRow, names: NameOf, tasks: Map<number, ApprovalTask>) {
  const task = e.taskId ? tasks.get(Number(e.taskId)) : undefined;
  const data = e.data ?? null;
  const ccNames = e.action === 'cc' && Array.isArray(data?.userIds) ? (data.userIds as number[]).map((id) => names(id)).filter(Boolean) : undefined;
  const delegateName = e.action === 'delegate' && typeof data?.toUserId === 'number' ? names(data.toUserId) : undefined;
  return {
    id: Number(e.id),
    round: e.round,
    action: e.action,
    actionName: APPLICATION_ACTIONS[e.action] ?? e.action,
    actorId: e.actorId,
    actorName: e.actorId ? names(e.actorId) : null,
    system: e.actorId === null,
    nodeId: e.nodeId,
    nodeName: e.nodeName,
    comment: e.comment,
    data: { ...(data ?? {}), ...(ccNames ? { userNames: ccNames } : {}), ...(delegateName ? { toUserName: delegateName } : {}) },
    at: e.createdAt,
    /** For a decision: how long the task waited before it. */
    durationMs: task && e.action !== 'comment' && e.action !== 'attach' ? ms(task.createdAt, e.createdAt) : null,
  };
}

export function toDocumentView(d: ApplicationDocument, names: NameOf) {
  return {
    id: Number(d.id),
    kind: d.kind,
    kindName: DOCUMENT_KINDS[d.kind] ?? d.kind,
    fileName: d.fileName,
    mime: d.mime,
    isImage: d.mime.startsWith('image/'),
    sizeBytes: d.sizeBytes,
    uploaderName: names(d.uploaderId),
    createdAt: d.createdAt,
    url: `/api/v1/applications/${d.applicationId}/documents/${d.id}`,
  };
}

export function factsView(a: Application) {
  return {
    product: a.product,
    productId: a.productId ?? null,
    amountFen: Number(a.amountFen),
    termMonths: a.termMonths,
    purpose: a.purpose,
    repaymentMethod: a.repaymentMethod,
    repaymentMethodName: a.repaymentMethod ? REPAYMENT_METHODS[a.repaymentMethod] : null,
    collateral: a.collateral,
    collateralName: a.collateral ? COLLATERALS[a.collateral] : null,
    remarks: a.remarks,
  };
}
