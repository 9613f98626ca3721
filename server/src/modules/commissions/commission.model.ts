// Commission rules (返佣规则) and the append-only accrual rows statements are summed from (C20).
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { CommissionBeneficiary, CommissionEntryKind, CommissionRuleKind, CommissionTier } from '../../contracts/commissions';

export interface CommissionRule {
  id: number;
  name: string;
  beneficiary: CommissionBeneficiary;
  channel: string | null;
  productId: number | null;
  kind: CommissionRuleKind;
  ratePpm: number | null;
  fixedFen: number | null;
  tiers: CommissionTier[] | null;
  clawbackMonths: number | null;
  validFrom: string;
  validTo: string | null;
  priority: number;
  enabled: boolean;
  createdBy: number | null;
  updatedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CommissionAccrual {
  id: number;
  loanId: number;
  beneficiary: CommissionBeneficiary;
  beneficiaryKey: string;
  ruleId: number;
  kind: CommissionEntryKind;
  period: string;
  occurredOn: string;
  baseFen: number;
  ratePpm: number | null;
  monthVolumeFen: number | null;
  amountFen: number;
  reversesAccrualId: number | null;
  sourceKey: string;
  createdAt: Date;
}

export function defineCommissionModels(s: Sequelize) {
  const CommissionRule = defineTable<CommissionRule, 'id' | 'channel' | 'productId' | 'ratePpm' | 'fixedFen' | 'tiers' | 'clawbackMonths' | 'validTo' | 'priority' | 'enabled' | 'createdBy' | 'updatedBy' | 'createdAt' | 'updatedAt'>(s, 'CommissionRule', 'commission_rules', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: DataTypes.STRING(64),
    beneficiary: DataTypes.STRING(16),
    channel: DataTypes.STRING(32),
    productId: DataTypes.INTEGER,
    kind: DataTypes.STRING(16),
    ratePpm: DataTypes.INTEGER,
    fixedFen: DataTypes.BIGINT,
    tiers: jsonColumn('tiers'),
    clawbackMonths: DataTypes.INTEGER,
    validFrom: DataTypes.DATEONLY,
    validTo: DataTypes.DATEONLY,
    priority: DataTypes.INTEGER,
    enabled: DataTypes.BOOLEAN,
    createdBy: DataTypes.INTEGER,
    updatedBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const CommissionAccrual = defineTable<CommissionAccrual, 'id' | 'ratePpm' | 'monthVolumeFen' | 'reversesAccrualId' | 'createdAt'>(s, 'CommissionAccrual', 'commission_accruals', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    loanId: DataTypes.BIGINT,
    beneficiary: DataTypes.STRING(16),
    beneficiaryKey: DataTypes.STRING(32),
    ruleId: DataTypes.INTEGER,
    kind: DataTypes.STRING(16),
    period: DataTypes.STRING(7),
    occurredOn: DataTypes.DATEONLY,
    baseFen: DataTypes.BIGINT,
    ratePpm: DataTypes.INTEGER,
    monthVolumeFen: DataTypes.BIGINT,
    amountFen: DataTypes.BIGINT,
    reversesAccrualId: DataTypes.BIGINT,
    sourceKey: DataTypes.STRING(96),
    createdAt: DataTypes.DATE(3),
  }, { updatedAt: false });
  return { CommissionRule, CommissionAccrual };
}
