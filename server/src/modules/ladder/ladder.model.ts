// The follow-up ladder's data: its steps (admin-editable, with the scan cursor) and firings (one
// row per customer + step + occurrence; the unique key is what makes a step fire once).
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';

export type LadderTrigger = 'idle' | 'sub_status';
export type LadderWaitUnit = 'business_days' | 'hours';

export interface LadderActions {
  remindOwner?: boolean;
  copySupervisor?: boolean;
  releaseToPool?: boolean;
  smsCustomer?: boolean;
  createTask?: boolean;
}

export interface LadderStep {
  id: number;
  code: string;
  name: string;
  trigger: LadderTrigger;
  subStatus: string | null;
  waitValue: number;
  waitUnit: LadderWaitUnit;
  actions: LadderActions;
  enabled: boolean;
  sortOrder: number;
  scannedTo: Date | null;
  /** A sweep in progress (resumed by the next pass): clock range (from, to], index column, keyset position. */
  sweepFrom: Date | null;
  sweepTo: Date | null;
  sweepColumn: string | null;
  sweepAfterAt: Date | null;
  sweepAfterId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LadderFiring {
  id: number;
  customerId: number;
  stepId: number;
  occurrence: Date;
  ownerId: number | null;
  outcome: string;
  createdAt: Date;
}

export function defineLadderModels(s: Sequelize) {
  const LadderStep = defineTable<LadderStep, 'id' | 'subStatus' | 'enabled' | 'sortOrder' | 'scannedTo' | 'sweepFrom' | 'sweepTo' | 'sweepColumn' | 'sweepAfterAt' | 'sweepAfterId' | 'createdAt' | 'updatedAt'>(s, 'LadderStep', 'ladder_steps', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    code: DataTypes.STRING(32),
    name: DataTypes.STRING(100),
    trigger: DataTypes.STRING(16),
    subStatus: DataTypes.STRING(20),
    waitValue: DataTypes.INTEGER,
    waitUnit: DataTypes.STRING(16),
    actions: jsonColumn('actions', false),
    enabled: { type: DataTypes.BOOLEAN, defaultValue: true },
    sortOrder: { type: DataTypes.INTEGER, defaultValue: 0 },
    scannedTo: DataTypes.DATE(3),
    sweepFrom: DataTypes.DATE(3),
    sweepTo: DataTypes.DATE(3),
    sweepColumn: DataTypes.STRING(20),
    sweepAfterAt: DataTypes.DATE(3),
    sweepAfterId: DataTypes.BIGINT,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const LadderFiring = defineTable<LadderFiring, 'id' | 'ownerId' | 'createdAt'>(
    s, 'LadderFiring', 'ladder_firings',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      customerId: DataTypes.BIGINT,
      stepId: DataTypes.INTEGER,
      occurrence: DataTypes.DATE(3),
      ownerId: DataTypes.INTEGER,
      outcome: DataTypes.STRING(32),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  return { LadderStep, LadderFiring };
}
