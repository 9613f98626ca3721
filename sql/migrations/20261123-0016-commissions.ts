// Channel commissions (issue #6, C20): rules per channel and/or product, and the append-only
// accrual rows statements are summed from (a reversal or clawback is a negative row, never an edit).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const int = (allowNull = true, defaultValue?: number) => ({ type: DataTypes.INTEGER, allowNull, defaultValue });
const big = (allowNull = true) => ({ type: DataTypes.BIGINT, allowNull });
const day = (allowNull = true) => ({ type: DataTypes.DATEONLY, allowNull });
const ts = () => ({ type: DataTypes.DATE(3), allowNull: false });

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('commission_rules', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    name: str(64, false),
    beneficiary: str(16, false), // channel | officer
    channel: str(32, true), // null: any channel
    product_id: int(true), // null: any product
    kind: str(16, false), // percent | tiered | fixed
    rate_ppm: int(true),
    fixed_fen: big(true),
    tiers: { type: DataTypes.TEXT, allowNull: true }, // JSON CommissionTier[]
    clawback_months: int(true),
    valid_from: day(false),
    valid_to: day(true),
    priority: int(false, 0),
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_by: int(true),
    updated_by: int(true),
    created_at: ts(),
    updated_at: ts(),
  });

  await q.createTable('commission_accruals', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    loan_id: big(false),
    beneficiary: str(16, false),
    beneficiary_key: str(32, false), // channel code, or the officer's user id
    rule_id: int(false),
    kind: str(16, false), // accrual | reversal | clawback
    period: str(7, false), // YYYY-MM: the statement month this row counts in
    occurred_on: day(false),
    base_fen: big(false), // the disbursed principal the amount was computed on
    rate_ppm: int(true), // the rate applied (the tier reached, for tiered rules)
    month_volume_fen: big(true), // tiered: the month's volume the tier was chosen by
    amount_fen: big(false), // signed
    reverses_accrual_id: big(true),
    /** Idempotency: accrual:<loan>:<beneficiary>, reversal:<accrual>, clawback:<accrual>. */
    source_key: str(96, false),
    created_at: ts(),
  });
  await q.addIndex('commission_accruals', ['source_key'], { unique: true, name: 'uq_commission_accruals_source' });
  await q.addIndex('commission_accruals', ['period', 'beneficiary', 'beneficiary_key'], { name: 'ix_commission_accruals_statement' });
  await q.addIndex('commission_accruals', ['loan_id'], { name: 'ix_commission_accruals_loan' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  for (const t of ['commission_accruals', 'commission_rules']) await q.dropTable(t);
}
