// Loan applications (进件), their trail of actions (C13) and their documents.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { ApplicationAction as ActionName, ApplicationStatus, DocumentKind, RepaymentMethod } from '../../contracts/applications';
import type { Collateral } from '../../contracts/catalog';

/** The customer as submitted: what approvers decide on, kept even if the profile changes later. */
export interface CustomerSnapshot {
  name: string;
  phoneLast4: string;
  gender: 'male' | 'female' | null;
  age: number | null;
  city: string | null;
  channel: string;
  channelName: string;
  stage: string;
  monthlyIncomeFen: number | null;
  collateral: Collateral | null;
  loanPurpose: string | null;
  ownerName: string | null;
  departmentName: string | null;
  takenAt: string;
}

export interface Application {
  id: number;
  customerId: number;
  applicantId: number;
  departmentId: number;
  status: ApplicationStatus;
  product: string;
  /** The catalogue product picked from the match (C14); null on rows from before the catalogue. */
  productId: number | null;
  amountFen: number;
  termMonths: number;
  purpose: string;
  repaymentMethod: RepaymentMethod | null;
  collateral: Collateral | null;
  remarks: string | null;
  customerSnapshot: CustomerSnapshot | null;
  flowId: number | null;
  flowVersionId: number | null;
  round: number;
  currentNodeId: string | null;
  currentNodeName: string | null;
  returnedNodeId: string | null;
  submittedAt: Date | null;
  decidedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApplicationActionRow {
  id: number;
  applicationId: number;
  round: number;
  taskId: number | null;
  nodeId: string | null;
  nodeName: string | null;
  actorId: number | null;
  action: ActionName;
  comment: string | null;
  data: Record<string, unknown> | null;
  idemKey: string | null;
  createdAt: Date;
}

export interface ApplicationDocument {
  id: number;
  applicationId: number;
  uploaderId: number;
  kind: DocumentKind;
  fileName: string;
  mime: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  createdAt: Date;
}

type AppOptional =
  | 'id' | 'status' | 'productId' | 'repaymentMethod' | 'collateral' | 'remarks' | 'customerSnapshot' | 'flowId' | 'flowVersionId' | 'round'
  | 'currentNodeId' | 'currentNodeName' | 'returnedNodeId' | 'submittedAt' | 'decidedAt' | 'createdAt' | 'updatedAt';

export function defineApplicationModels(s: Sequelize) {
  const Application = defineTable<Application, AppOptional>(s, 'Application', 'applications', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    customerId: DataTypes.BIGINT,
    applicantId: DataTypes.INTEGER,
    departmentId: DataTypes.INTEGER,
    status: { type: DataTypes.STRING(16), defaultValue: 'draft' },
    product: DataTypes.STRING(50),
    productId: DataTypes.INTEGER,
    amountFen: DataTypes.BIGINT,
    termMonths: DataTypes.INTEGER,
    purpose: DataTypes.STRING(200),
    repaymentMethod: DataTypes.STRING(20),
    collateral: DataTypes.STRING(16),
    remarks: DataTypes.TEXT,
    customerSnapshot: jsonColumn('customerSnapshot'),
    flowId: DataTypes.INTEGER,
    flowVersionId: DataTypes.INTEGER,
    round: { type: DataTypes.INTEGER, defaultValue: 0 },
    currentNodeId: DataTypes.STRING(32),
    currentNodeName: DataTypes.STRING(64),
    returnedNodeId: DataTypes.STRING(32),
    submittedAt: DataTypes.DATE(3),
    decidedAt: DataTypes.DATE(3),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const ApplicationAction = defineTable<ApplicationActionRow, 'id' | 'taskId' | 'nodeId' | 'nodeName' | 'actorId' | 'comment' | 'data' | 'idemKey' | 'createdAt'>(
    s, 'ApplicationAction', 'application_actions',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      applicationId: DataTypes.BIGINT,
      round: DataTypes.INTEGER,
      taskId: DataTypes.BIGINT,
      nodeId: DataTypes.STRING(32),
      nodeName: DataTypes.STRING(64),
      actorId: DataTypes.INTEGER,
      action: DataTypes.STRING(24),
      comment: DataTypes.TEXT,
      data: jsonColumn('data'),
      idemKey: DataTypes.STRING(128),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  const ApplicationDocument = defineTable<ApplicationDocument, 'id' | 'createdAt'>(
    s, 'ApplicationDocument', 'application_documents',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      applicationId: DataTypes.BIGINT,
      uploaderId: DataTypes.INTEGER,
      kind: DataTypes.STRING(20),
      fileName: DataTypes.STRING(200),
      mime: DataTypes.STRING(64),
      sizeBytes: DataTypes.INTEGER,
      sha256: DataTypes.CHAR(64),
      storageKey: DataTypes.STRING(255),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  return { Application, ApplicationAction, ApplicationDocument };
}
