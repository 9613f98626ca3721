// Applications (进件), the approval inboxes and the admin flow pages: typed calls and the shapes
// the server's views return (server/src/modules/applications/application.view.ts and friends).
import type { z } from 'zod';
import type { ApplicationStatus, ApprovalBox, CreateApplication, Decision, DocumentKind, TaskStatus, UpdateApplication } from '@contracts/applications';
import type { FlowDefinition, SaveFlow } from '@contracts/approval-flow';
import type { Role } from '@contracts/roles';
import { cleanParams, get, http, patch, post } from '@/utils/request';
import type { RiskCheckView } from './risk';

export interface ApplicationItem {
  id: number;
  customerId: number;
  customerName: string | null;
  product: string;
  amountFen: number;
  termMonths: number;
  status: ApplicationStatus;
  statusName: string;
  currentNodeName: string | null;
  applicantId: number;
  applicantName: string | null;
  submittedAt: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
  // Task rows (待我审批 / 我已审批)
  taskId?: number;
  nodeName?: string;
  taskStatus?: TaskStatus;
  taskStatusName?: string;
  taskComment?: string | null;
  taskCreatedAt?: string;
  taskDecidedAt?: string | null;
  overdue?: boolean;
  // Copies (抄送我的)
  ccAt?: string;
}

export interface ApprovalPage {
  items: ApplicationItem[];
  nextCursor: number | null;
}

export interface ApprovalCounts {
  todo: number;
  minePending: number;
  cc: number;
}

export interface TaskView {
  id: number;
  round: number;
  nodeId: string;
  nodeName: string;
  branchName: string | null;
  assigneeId: number;
  assigneeName: string | null;
  status: TaskStatus;
  statusName: string;
  comment: string | null;
  createdAt: string;
  decidedAt: string | null;
  durationMs: number | null;
  dueAt: string | null;
  overdue: boolean;
}

export interface TimelineEntry {
  id: number;
  round: number;
  action: string;
  actionName: string;
  actorId: number | null;
  actorName: string | null;
  system: boolean;
  nodeId: string | null;
  nodeName: string | null;
  comment: string | null;
  data: Record<string, unknown> & { userNames?: string[]; toUserName?: string; fileName?: string; reason?: string; matched?: boolean; fieldName?: string };
  at: string;
  durationMs: number | null;
}

export interface DocumentView {
  id: number;
  kind: DocumentKind;
  kindName: string;
  fileName: string;
  mime: string;
  isImage: boolean;
  sizeBytes: number;
  uploaderName: string | null;
  createdAt: string;
  url: string;
}

export interface CustomerSnapshot {
  name: string;
  phoneLast4: string;
  gender: 'male' | 'female' | null;
  age: number | null;
  city: string | null;
  channelName: string;
  stage: string;
  monthlyIncomeFen: number | null;
  collateral: string | null;
  loanPurpose: string | null;
  ownerName: string | null;
  departmentName: string | null;
  takenAt: string;
}

export interface ApplicationDetail {
  id: number;
  status: ApplicationStatus;
  statusName: string;
  product: string;
  /** The catalogue product (C14); null on applications with only a product name. */
  productId: number | null;
  amountFen: number;
  termMonths: number;
  purpose: string;
  repaymentMethod: string | null;
  repaymentMethodName: string | null;
  collateral: string | null;
  collateralName: string | null;
  remarks: string | null;
  round: number;
  currentNodeId: string | null;
  currentNodeName: string | null;
  customer: { id: number; name: string | null; stage: string | null; stageName: string | null; canOpen: boolean; snapshot: CustomerSnapshot | null };
  applicant: { id: number; name: string | null; departmentName: string | null };
  flow: { id: number; versionId: number; version: number; steps: { id: string; name: string; conditional: boolean }[] } | null;
  submittedAt: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
  tasks: TaskView[];
  timeline: TimelineEntry[];
  documents: DocumentView[];
  cc: { userId: number; name: string | null }[];
  myTaskId: number | null;
  /** The latest 风控预检 (null before one ran). */
  risk: RiskCheckView | null;
  permissions: { edit: boolean; submit: boolean; withdraw: boolean; decide: boolean; delegate: boolean; comment: boolean; attach: boolean; riskOverride: boolean };
}

export interface DecideResult {
  decision: { applicationId: number; taskId: number; action: Decision; replayed: boolean; status: ApplicationStatus; statusName: string; nodeName: string; deciderName: string };
  application: ApplicationDetail;
}

export interface Delegate {
  id: number;
  name: string;
  role: Role;
  departmentName: string | null;
  title: string | null;
}

export interface FlowSummary {
  id: number;
  name: string;
  description: string | null;
  isDefault: boolean;
  enabled: boolean;
  version: number;
  summary: string;
  nodeCount: number;
  pendingApplications: number;
  updatedAt: string;
}

export interface FlowDetail extends Omit<FlowSummary, 'nodeCount' | 'pendingApplications' | 'updatedAt'> {
  definition: FlowDefinition;
  versions: { version: number; createdAt: string; createdByName: string | null; pendingApplications: number }[];
}

export type CreateApplicationBody = z.input<typeof CreateApplication>;
export type UpdateApplicationBody = z.input<typeof UpdateApplication>;
export type SaveFlowBody = z.input<typeof SaveFlow>;

export const applicationsApi = {
  get: (id: number) => get<ApplicationDetail>(`/applications/${id}`, { silent: true }),
  create: (body: CreateApplicationBody) => post<ApplicationDetail>('/applications', body, { silent: true }),
  update: (id: number, body: UpdateApplicationBody) => patch<ApplicationDetail>(`/applications/${id}`, body, { silent: true }),
  submit: (id: number, comment?: string) => post<ApplicationDetail>(`/applications/${id}/submit`, { comment }),
  ofCustomer: (customerId: number) => get<ApprovalPage>('/applications', { params: { customerId, limit: 20 }, silent: true }),
  decide: (id: number, body: { action: Decision; comment?: string; taskId?: number }) => post<DecideResult>(`/applications/${id}/decide`, body),
  withdraw: (id: number, reason?: string) => post<ApplicationDetail>(`/applications/${id}/withdraw`, { reason }),
  delegate: (id: number, body: { toUserId: number; comment?: string; taskId?: number }) => post<ApplicationDetail>(`/applications/${id}/delegate`, body),
  comment: (id: number, content: string) => post<ApplicationDetail>(`/applications/${id}/comments`, { content }),
  /** The file is the request body itself (no multipart): its type goes in Content-Type. */
  upload: async (id: number, file: Blob, name: string, kind: DocumentKind) =>
    (await http.post<DocumentView>(`/applications/${id}/documents`, file, { params: { name, kind }, headers: { 'Content-Type': file.type || 'application/octet-stream' }, timeout: 120_000 })).data,
};

export const approvalsApi = {
  list: (box: ApprovalBox, cursor?: number | null) => get<ApprovalPage>('/approvals', { params: cleanParams({ box, cursor, limit: 20 }), silent: true }),
  counts: () => get<ApprovalCounts>('/approvals/counts', { silent: true }),
  delegates: () => get<Delegate[]>('/approvals/delegates', { silent: true }),
};

export const flowsApi = {
  list: () => get<FlowSummary[]>('/admin/flows', { silent: true }),
  get: (id: number) => get<FlowDetail>(`/admin/flows/${id}`, { silent: true }),
  create: (body: SaveFlowBody) => post<FlowDetail>('/admin/flows', body, { silent: true }),
  update: async (id: number, body: SaveFlowBody) => (await http.put<FlowDetail>(`/admin/flows/${id}`, body)).data,
};
