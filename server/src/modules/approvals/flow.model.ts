// Approval flows and their versions (C11). A flow's definition is never edited in place: saving
// writes a new version, and an application keeps the version it was submitted with.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { FlowDefinition } from '../../contracts/approval-flow';

export interface ApprovalFlow {
  id: number;
  name: string;
  description: string | null;
  isDefault: boolean;
  enabled: boolean;
  currentVersion: number;
  createdBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApprovalFlowVersion {
  id: number;
  flowId: number;
  version: number;
  definition: FlowDefinition;
  createdBy: number | null;
  createdAt: Date;
}

export function defineFlowModels(s: Sequelize) {
  const ApprovalFlow = defineTable<ApprovalFlow, 'id' | 'description' | 'isDefault' | 'enabled' | 'createdBy' | 'createdAt' | 'updatedAt'>(s, 'ApprovalFlow', 'approval_flows', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: DataTypes.STRING(64),
    description: DataTypes.STRING(200),
    isDefault: { type: DataTypes.BOOLEAN, defaultValue: false },
    enabled: { type: DataTypes.BOOLEAN, defaultValue: true },
    currentVersion: DataTypes.INTEGER,
    createdBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const ApprovalFlowVersion = defineTable<ApprovalFlowVersion, 'id' | 'createdBy' | 'createdAt'>(
    s, 'ApprovalFlowVersion', 'approval_flow_versions',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      flowId: DataTypes.INTEGER,
      version: DataTypes.INTEGER,
      definition: jsonColumn('definition', false),
      createdBy: DataTypes.INTEGER,
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  return { ApprovalFlow, ApprovalFlowVersion };
}
