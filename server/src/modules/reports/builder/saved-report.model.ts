// Saved reports (C23): a report definition kept on a personal dashboard (我的看板) or shared with a
// department subtree (a manager's own scope; NULL = everyone, only the admin shares that widely).
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../../db/define';
import { jsonColumn } from '../../../db/json-column';
import type { ReportDefinition } from '../../../contracts/report-builder';

export interface SavedReport {
  id: number;
  ownerId: number;
  name: string;
  visibility: 'personal' | 'shared';
  sharedDepartmentId: number | null;
  definition: ReportDefinition;
  createdAt: Date;
  updatedAt: Date;
}

export function defineSavedReportModel(s: Sequelize) {
  return defineTable<SavedReport, 'id' | 'sharedDepartmentId' | 'createdAt' | 'updatedAt'>(s, 'SavedReport', 'saved_reports', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    ownerId: DataTypes.INTEGER,
    name: DataTypes.STRING(40),
    visibility: DataTypes.STRING(12),
    sharedDepartmentId: DataTypes.INTEGER,
    definition: jsonColumn('definition', false),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
}
