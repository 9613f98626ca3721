// The outbox: domain events written in the same transaction as the change they describe.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';

export interface DomainEvent {
  id: number;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  actorId: number | null;
  createdAt: Date;
  processedAt: Date | null;
}

export function defineDomainEventModel(s: Sequelize) {
  return defineTable<DomainEvent, 'id' | 'actorId' | 'createdAt' | 'processedAt'>(
    s, 'DomainEvent', 'domain_events',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      type: DataTypes.STRING(64),
      aggregateType: DataTypes.STRING(32),
      aggregateId: DataTypes.STRING(64),
      payload: jsonColumn('payload', false),
      actorId: DataTypes.INTEGER,
      createdAt: DataTypes.DATE(3),
      processedAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
}
