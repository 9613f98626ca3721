// Approval tasks (one per approver per node per round) and cc entries. Tasks carry their created
// and decided times, SLA due times and node, so per-node duration, pass rates and approver
// workload can be queried straight from this table (C13).
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import type { Decision, TaskStatus } from '../../contracts/applications';

export interface ApprovalTask {
  id: number;
  applicationId: number;
  round: number;
  nodeId: string;
  nodeName: string;
  branchId: string | null;
  branchName: string | null;
  assigneeId: number;
  status: TaskStatus;
  action: Decision | 'delegate' | null;
  comment: string | null;
  delegatedFromId: number | null;
  dueAt: Date | null;
  escalateAt: Date | null;
  remindedAt: Date | null;
  escalatedAt: Date | null;
  decidedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApprovalCc {
  id: number;
  applicationId: number;
  round: number;
  nodeId: string;
  userId: number;
  createdAt: Date;
}

type TaskOptional = 'id' | 'branchId' | 'branchName' | 'status' | 'action' | 'comment' | 'delegatedFromId' | 'dueAt' | 'escalateAt' | 'remindedAt' | 'escalatedAt' | 'decidedAt' | 'createdAt' | 'updatedAt';

export function defineTaskModels(s: Sequelize) {
  const ApprovalTask = defineTable<ApprovalTask, TaskOptional>(s, 'ApprovalTask', 'approval_tasks', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    applicationId: DataTypes.BIGINT,
    round: DataTypes.INTEGER,
    nodeId: DataTypes.STRING(32),
    nodeName: DataTypes.STRING(64),
    branchId: DataTypes.STRING(32),
    branchName: DataTypes.STRING(64),
    assigneeId: DataTypes.INTEGER,
    status: { type: DataTypes.STRING(16), defaultValue: 'pending' },
    action: DataTypes.STRING(16),
    comment: DataTypes.TEXT,
    delegatedFromId: DataTypes.BIGINT,
    dueAt: DataTypes.DATE(3),
    escalateAt: DataTypes.DATE(3),
    remindedAt: DataTypes.DATE(3),
    escalatedAt: DataTypes.DATE(3),
    decidedAt: DataTypes.DATE(3),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const ApprovalCc = defineTable<ApprovalCc, 'id' | 'createdAt'>(
    s, 'ApprovalCc', 'approval_cc',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      applicationId: DataTypes.BIGINT,
      round: DataTypes.INTEGER,
      nodeId: DataTypes.STRING(32),
      userId: DataTypes.INTEGER,
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  return { ApprovalTask, ApprovalCc };
}
