// Risk pre-check data: the editable rule set, the internal blacklist (blind index only, never the
// number) and the checks attached to applications, with their overrides.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { BlacklistKind, RiskCheckResult, RiskLevel, RiskRuleKind } from '../../contracts/risk';

export interface RiskRuleRow {
  id: number;
  kind: RiskRuleKind;
  enabled: boolean;
  level: RiskLevel;
  params: Record<string, unknown>;
  sortOrder: number;
  updatedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RiskBlacklistRow {
  id: number;
  kind: BlacklistKind;
  /** HMAC blind index of the normalised value (deps.crypto.blindIndex('blacklist', …)). */
  valueHash: string;
  /** The last 4 characters, so an admin can tell entries apart. */
  hint: string;
  reason: string;
  createdBy: number | null;
  createdAt: Date;
}

/** blocked: a submission stopped by a reject-level result (kept so risk staff can override it). */
export type RiskCheckOutcome = 'submitted' | 'blocked';

export interface RiskCheckRow {
  id: number;
  applicationId: number;
  round: number;
  outcome: RiskCheckOutcome;
  level: RiskLevel;
  result: RiskCheckResult;
  checkedBy: number | null;
  overriddenBy: number | null;
  overrideReason: string | null;
  overriddenAt: Date | null;
  /** For an overridden blocked check: the check of the submission that used the override. */
  usedByCheckId: number | null;
  createdAt: Date;
}

export function defineRiskModels(s: Sequelize) {
  const RiskRule = defineTable<RiskRuleRow, 'id' | 'updatedBy' | 'createdAt' | 'updatedAt'>(s, 'RiskRule', 'risk_rules', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    kind: DataTypes.STRING(32),
    enabled: DataTypes.BOOLEAN,
    level: DataTypes.STRING(8),
    params: jsonColumn('params', false),
    sortOrder: DataTypes.INTEGER,
    updatedBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const RiskBlacklist = defineTable<RiskBlacklistRow, 'id' | 'createdBy' | 'createdAt'>(
    s, 'RiskBlacklist', 'risk_blacklist',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      kind: DataTypes.STRING(16),
      valueHash: DataTypes.CHAR(64),
      hint: DataTypes.STRING(8),
      reason: DataTypes.STRING(200),
      createdBy: DataTypes.INTEGER,
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  const RiskCheck = defineTable<RiskCheckRow, 'id' | 'checkedBy' | 'overriddenBy' | 'overrideReason' | 'overriddenAt' | 'usedByCheckId' | 'createdAt'>(
    s, 'RiskCheck', 'risk_checks',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      applicationId: DataTypes.BIGINT,
      round: DataTypes.INTEGER,
      outcome: DataTypes.STRING(12),
      level: DataTypes.STRING(8),
      result: jsonColumn('result', false),
      checkedBy: DataTypes.INTEGER,
      overriddenBy: DataTypes.INTEGER,
      overrideReason: DataTypes.STRING(500),
      overriddenAt: DataTypes.DATE(3),
      usedByCheckId: DataTypes.BIGINT,
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  return { RiskRule, RiskBlacklist, RiskCheck };
}
