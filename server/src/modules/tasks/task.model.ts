// Stored tasks of the 待办 inbox: manual tasks a lead assigns and tasks the ladder creates.
// (Follow-ups due and approvals waiting are read from their own tables, not copied here.)
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';

export type TaskKind = 'manual' | 'ladder' | 'collection';
export type TaskStatus = 'open' | 'done';

export interface Task {
  id: number;
  userId: number;
  kind: TaskKind;
  title: string;
  note: string | null;
  customerId: number | null;
  dueAt: Date;
  status: TaskStatus;
  snoozedUntil: Date | null;
  doneAt: Date | null;
  createdBy: number | null;
  sourceKey: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function defineTaskInboxModel(s: Sequelize) {
  return defineTable<Task, 'id' | 'note' | 'customerId' | 'status' | 'snoozedUntil' | 'doneAt' | 'createdBy' | 'sourceKey' | 'createdAt' | 'updatedAt'>(s, 'Task', 'tasks', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    userId: DataTypes.INTEGER,
    kind: DataTypes.STRING(16),
    title: DataTypes.STRING(100),
    note: DataTypes.STRING(500),
    customerId: DataTypes.BIGINT,
    dueAt: DataTypes.DATE(3),
    status: { type: DataTypes.STRING(16), defaultValue: 'open' },
    snoozedUntil: DataTypes.DATE(3),
    doneAt: DataTypes.DATE(3),
    createdBy: DataTypes.INTEGER,
    sourceKey: DataTypes.STRING(160),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
}
