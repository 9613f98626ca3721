// Stored responses for requests a partner or messenger may retry.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';

export interface IdempotencyKey {
  id: number;
  scope: string;
  idemKey: string;
  requestHash: string;
  signature: string | null;
  statusCode: number;
  response: unknown;
  createdAt: Date;
}

export function defineIdempotencyKeyModel(s: Sequelize) {
  return defineTable<IdempotencyKey, 'id' | 'signature' | 'createdAt'>(
    s, 'IdempotencyKey', 'idempotency_keys',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      scope: DataTypes.STRING(64),
      idemKey: DataTypes.STRING(128),
      requestHash: DataTypes.CHAR(64),
      signature: DataTypes.CHAR(64),
      statusCode: DataTypes.INTEGER,
      response: jsonColumn('response', false),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
}
