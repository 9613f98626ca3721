// Models of auto-assignment: the ordered rules and the queue of leads waiting for working hours.
// The counters (assignment_counters, assignment_user_days) are read and written with locking SQL
// in assignment.picker.ts, not through models.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { RuleGroup } from '../../contracts/rules';
import type { AssignStrategy } from '../../contracts/assignment';

export interface AssignmentRule {
  id: number;
  name: string;
  position: number;
  enabled: boolean;
  conditions: RuleGroup;
  targetType: 'team' | 'user';
  targetDepartmentId: number | null;
  targetUserId: number | null;
  strategy: AssignStrategy;
  dailyCap: number | null;
  workingHoursOnly: boolean;
  outsideHours: 'queue' | 'pool';
  createdBy: number | null;
  updatedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AssignmentQueueItem {
  id: number;
  customerId: number;
  ruleId: number;
  dueAt: Date;
  status: 'pending' | 'done' | 'skipped';
  result: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function defineAssignmentModels(s: Sequelize) {
  const AssignmentRule = defineTable<AssignmentRule, 'id' | 'createdAt' | 'updatedAt' | 'createdBy' | 'updatedBy'>(s, 'AssignmentRule', 'assignment_rules', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: DataTypes.STRING(50),
    position: DataTypes.INTEGER,
    enabled: DataTypes.BOOLEAN,
    conditions: jsonColumn('conditions', false),
    targetType: DataTypes.STRING(8),
    targetDepartmentId: DataTypes.INTEGER,
    targetUserId: DataTypes.INTEGER,
    strategy: DataTypes.STRING(16),
    dailyCap: DataTypes.INTEGER,
    workingHoursOnly: DataTypes.BOOLEAN,
    outsideHours: DataTypes.STRING(8),
    createdBy: DataTypes.INTEGER,
    updatedBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const AssignmentQueue = defineTable<AssignmentQueueItem, 'id' | 'createdAt' | 'updatedAt' | 'status' | 'result'>(s, 'AssignmentQueue', 'assignment_queue', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    customerId: DataTypes.BIGINT,
    ruleId: DataTypes.INTEGER,
    dueAt: DataTypes.DATE(3),
    status: DataTypes.STRING(12),
    result: DataTypes.STRING(200),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  return { AssignmentRule, AssignmentQueue };
}
