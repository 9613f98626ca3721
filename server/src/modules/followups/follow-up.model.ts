// Follow-up records (跟进记录) on a customer.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { FollowUpOutcome, FollowUpType } from '../../contracts/catalog';

export interface FollowUp {
  id: number;
  customerId: number;
  userId: number;
  type: FollowUpType;
  content: string;
  outcome: FollowUpOutcome | null;
  nextFollowUpDate: string | null;
  customFields: Record<string, unknown> | null;
  createdAt: Date;
}

export function defineFollowUpModel(s: Sequelize) {
  return defineTable<FollowUp, 'id' | 'outcome' | 'nextFollowUpDate' | 'customFields' | 'createdAt'>(
    s, 'FollowUp', 'follow_ups',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      customerId: DataTypes.BIGINT,
      userId: DataTypes.INTEGER,
      type: DataTypes.STRING(16),
      content: DataTypes.TEXT,
      outcome: DataTypes.STRING(20),
      nextFollowUpDate: DataTypes.DATEONLY,
      customFields: jsonColumn('customFields'),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
}
