// Collection records (催收记录, C19): what was done about an overdue loan, with an optional promise to pay.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import type { CollectionAction, PromiseStatus } from '../../contracts/collections';

export interface CollectionRecord {
  id: number;
  loanId: number;
  customerId: number;
  action: CollectionAction;
  result: string;
  recordedOn: string;
  daysPastDue: number;
  promiseDate: string | null;
  promiseAmountFen: number | null;
  promiseStatus: PromiseStatus | null;
  promiseCheckedOn: string | null;
  nextActionOn: string | null;
  clientKey: string | null;
  createdBy: number;
  createdAt: Date;
}

export function defineCollectionModels(s: Sequelize) {
  const CollectionRecord = defineTable<CollectionRecord, 'id' | 'daysPastDue' | 'promiseDate' | 'promiseAmountFen' | 'promiseStatus' | 'promiseCheckedOn' | 'nextActionOn' | 'clientKey' | 'createdAt'>(s, 'CollectionRecord', 'collection_records', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    loanId: DataTypes.BIGINT,
    customerId: DataTypes.BIGINT,
    action: DataTypes.STRING(16),
    result: DataTypes.STRING(500),
    recordedOn: DataTypes.DATEONLY,
    daysPastDue: { type: DataTypes.INTEGER, defaultValue: 0 },
    promiseDate: DataTypes.DATEONLY,
    promiseAmountFen: DataTypes.BIGINT,
    promiseStatus: DataTypes.STRING(12),
    promiseCheckedOn: DataTypes.DATEONLY,
    nextActionOn: DataTypes.DATEONLY,
    clientKey: DataTypes.STRING(64),
    createdBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
  }, { updatedAt: false });
  return { CollectionRecord };
}
