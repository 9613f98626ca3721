// Audit log rows: who did what to which record, with before/after (C29).
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';

export interface AuditLog {
  id: number;
  actorId: number | null;
  action: string;
  entityType: string;
  entityId: string;
  beforeData: unknown;
  afterData: unknown;
  ip: string | null;
  createdAt: Date;
}

export function defineAuditLogModel(s: Sequelize) {
  return defineTable<AuditLog, 'id' | 'actorId' | 'beforeData' | 'afterData' | 'ip' | 'createdAt'>(
    s, 'AuditLog', 'audit_logs',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      actorId: DataTypes.INTEGER,
      action: DataTypes.STRING(32),
      entityType: DataTypes.STRING(32),
      entityId: DataTypes.STRING(64),
      beforeData: jsonColumn('beforeData'),
      afterData: jsonColumn('afterData'),
      ip: DataTypes.STRING(64),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
}
