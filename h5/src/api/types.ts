// Shapes of the API's answers, as the server's views build them (server/src/modules/*).
import type { Stage } from '@contracts/stages';
import type { Role } from '@contracts/roles';
import type { Collateral, CreditStatus, FollowUpOutcome, FollowUpType, Occupation, OwnerChangeKind } from '@contracts/catalog';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface StaffUser {
  id: number;
  name: string;
  role: Role;
  roleName: string;
  departmentId: number;
  departmentName: string | null;
  status?: 'active' | 'disabled';
  title?: string | null;
  /** Leave (auto-assignment skips people on leave today); leaveLabel: 休假中 / 将休假 + dates, or null. */
  onLeave?: boolean;
  leaveFrom?: string | null;
  leaveUntil?: string | null;
  leaveNote?: string | null;
  onLeaveToday?: boolean;
  leaveLabel?: string | null;
}

export interface StaffLeave extends StaffUser {
  onLeave: boolean;
  leaveFrom: string | null;
  leaveUntil: string | null;
  leaveNote: string | null;
  onLeaveToday: boolean;
  leaveLabel: string | null;
}

export interface Me extends StaffUser {
  departmentKind: string | null;
  departmentKindName: string | null;
  branchName: string | null;
  supervisorName: string | null;
}

export interface StaffWithBook extends StaffUser {
  customerCount: number;
}

export interface AuthConfig {
  devLogin: boolean;
  /** The WeCom self-built app when configured (public ids only). */
  wecom: { corpId: string; agentId: number } | false;
  /** The DingTalk app when configured. */
  dingtalk: { corpId: string; clientId: string } | false;
}

export interface Customer {
  id: number;
  name: string;
  phone: string;
  phoneMasked: boolean;
  phoneRevealable: boolean;
  idNumber: string | null;
  idNumberMasked: boolean;
  idNumberRevealable: boolean;
  gender: 'male' | 'female' | null;
  age: number | null;
  birthDate: string | null;
  city: string | null;
  channel: string;
  channelName: string;
  campaignTags: string[];
  stage: Stage;
  stageName: string;
  ownerId: number | null;
  ownerName: string | null;
  departmentId: number | null;
  departmentName: string | null;
  inPool: boolean;
  pooledAt: string | null;
  poolReason: string | null;
  loanAmountFen: number | null;
  loanTermMonths: number | null;
  loanPurpose: string | null;
  collateral: Collateral | null;
  collateralName: string | null;
  monthlyIncomeFen: number | null;
  occupation?: Occupation | null;
  occupationName?: string | null;
  creditStatus?: CreditStatus | null;
  creditStatusName?: string | null;
  creditNotes?: string | null;
  remark: string | null;
  nextFollowUpDate: string | null;
  lastFollowUpAt: string | null;
  assignedAt: string | null;
  stageChangedAt: string | null;
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface CustomerPermissions {
  edit: boolean;
  followUp: boolean;
  changeStage: boolean;
  assign: boolean;
  release: boolean;
  claim: boolean;
}

export interface CustomerDetail extends Customer {
  permissions: CustomerPermissions;
}

export type DuplicateCheck =
  | { duplicate: false }
  | {
      duplicate: true;
      field: 'phone' | 'idNumber';
      message: string;
      ownerName: string | null;
      registeredAt: string;
      inPool: boolean;
      customerId?: number;
    };

export interface StageChangeRecord {
  id: number;
  from: Stage | null;
  fromName: string | null;
  to: Stage;
  toName: string;
  actorName: string | null;
  reason: string | null;
  at: string;
}

export interface OwnerChangeRecord {
  id: number;
  kind: OwnerChangeKind;
  fromUserName: string | null;
  toUserName: string | null;
  actorName: string | null;
  reason: string | null;
  at: string;
}

export interface CustomerHistory {
  stages: StageChangeRecord[];
  owners: OwnerChangeRecord[];
  /** SMS sent or waiting for the customer, newest first (C18). */
  sms: import('./sms').SmsView[];
}

export interface FollowUp {
  id: number;
  customerId: number;
  type: FollowUpType;
  typeName: string;
  content: string;
  outcome: FollowUpOutcome | null;
  outcomeName: string | null;
  nextFollowUpDate: string | null;
  userId: number;
  userName: string | null;
  createdAt: string;
}

export interface FollowUpPage {
  items: FollowUp[];
  nextBefore: number | null;
}

export interface WorkbenchSection {
  count: number;
  items: Customer[];
}

export interface Workbench {
  date: string;
  overdue: WorkbenchSection;
  dueToday: WorkbenchSection;
  newLeads: WorkbenchSection;
}

export interface Catalog {
  stages: Record<Stage, string>;
  collaterals: Record<Collateral, string>;
  followUpTypes: Record<FollowUpType, string>;
  followUpOutcomes: Record<FollowUpOutcome, string>;
  channels: { code: string; name: string }[];
}
