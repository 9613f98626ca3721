// Customers and their stage and owner histories. Phone and ID number are stored encrypted
// with a keyed hash beside them (C30); see modules/crypto.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable, type Row } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { Stage } from '../../contracts/stages';
import type { Collateral, CreditStatus, Occupation, OwnerChangeKind } from '../../contracts/catalog';

export interface Customer {
  id: number;
  name: string;
  phoneEnc: string;
  phoneHash: string;
  phoneLast4: string;
  idNumberEnc: string | null;
  idNumberHash: string | null;
  birthDate: string | null;
  gender: 'male' | 'female' | null;
  city: string | null;
  channel: string;
  campaignTags: string[] | null;
  stage: Stage;
  ownerId: number | null;
  departmentId: number | null;
  assignedAt: Date | null;
  pooledAt: Date | null;
  poolReason: string | null;
  loanAmountFen: number | null;
  loanTermMonths: number | null;
  loanPurpose: string | null;
  collateral: Collateral | null;
  monthlyIncomeFen: number | null;
  occupation: Occupation | null;
  creditStatus: CreditStatus | null;
  creditNotes: string | null;
  remark: string | null;
  nextFollowUpDate: string | null;
  lastFollowUpAt: Date | null;
  stageChangedAt: Date;
  customFields: Record<string, unknown> | null;
  externalId: string | null;
  /** Officer-set sub-status (e.g. awaiting_docs = 待补充资料) and when it was set; the ladder watches it. */
  subStatus: string | null;
  subStatusAt: Date | null;
  createdBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export type CustomerOptional = Exclude<keyof Customer, 'name' | 'phoneEnc' | 'phoneHash' | 'phoneLast4' | 'channel' | 'stage' | 'stageChangedAt'>;

export type CustomerRow = Row<Customer, CustomerOptional>;

export interface StageChange {
  id: number;
  customerId: number;
  fromStage: Stage | null;
  toStage: Stage;
  actorId: number | null;
  reason: string | null;
  createdAt: Date;
}

export interface OwnerChange {
  id: number;
  customerId: number;
  fromUserId: number | null;
  toUserId: number | null;
  kind: OwnerChangeKind;
  actorId: number | null;
  reason: string | null;
  createdAt: Date;
}

export function defineCustomerModels(s: Sequelize) {
  const Customer = defineTable<Customer, CustomerOptional>(s, 'Customer', 'customers', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    name: DataTypes.STRING(50),
    phoneEnc: DataTypes.STRING(255),
    phoneHash: DataTypes.CHAR(64),
    phoneLast4: DataTypes.CHAR(4),
    idNumberEnc: DataTypes.STRING(255),
    idNumberHash: DataTypes.CHAR(64),
    birthDate: DataTypes.DATEONLY,
    gender: DataTypes.STRING(8),
    city: DataTypes.STRING(30),
    channel: DataTypes.STRING(32),
    campaignTags: jsonColumn('campaignTags'),
    stage: DataTypes.STRING(20),
    ownerId: DataTypes.INTEGER,
    departmentId: DataTypes.INTEGER,
    assignedAt: DataTypes.DATE(3),
    pooledAt: DataTypes.DATE(3),
    poolReason: DataTypes.STRING(200),
    loanAmountFen: DataTypes.BIGINT,
    loanTermMonths: DataTypes.INTEGER,
    loanPurpose: DataTypes.STRING(200),
    collateral: DataTypes.STRING(16),
    monthlyIncomeFen: DataTypes.BIGINT,
    occupation: DataTypes.STRING(20),
    creditStatus: DataTypes.STRING(20),
    creditNotes: DataTypes.STRING(200),
    remark: DataTypes.STRING(500),
    nextFollowUpDate: DataTypes.DATEONLY,
    lastFollowUpAt: DataTypes.DATE(3),
    stageChangedAt: DataTypes.DATE(3),
    customFields: jsonColumn('customFields'),
    externalId: DataTypes.STRING(64),
    subStatus: DataTypes.STRING(20),
    subStatusAt: DataTypes.DATE(3),
    createdBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const StageChange = defineTable<StageChange, 'id' | 'fromStage' | 'actorId' | 'reason' | 'createdAt'>(
    s, 'StageChange', 'customer_stage_changes',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      customerId: DataTypes.BIGINT,
      fromStage: DataTypes.STRING(20),
      toStage: DataTypes.STRING(20),
      actorId: DataTypes.INTEGER,
      reason: DataTypes.STRING(200),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  const OwnerChange = defineTable<OwnerChange, 'id' | 'fromUserId' | 'toUserId' | 'actorId' | 'reason' | 'createdAt'>(
    s, 'OwnerChange', 'customer_owner_changes',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      customerId: DataTypes.BIGINT,
      fromUserId: DataTypes.INTEGER,
      toUserId: DataTypes.INTEGER,
      kind: DataTypes.STRING(16),
      actorId: DataTypes.INTEGER,
      reason: DataTypes.STRING(200),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  return { Customer, StageChange, OwnerChange };
}
