// Overdue and collections (issue #6, C19): collection records (催收记录) with promises to pay, and
// the day up to which a loan's penalty interest has been charged, so the nightly job charges
// each day once (a rerun the same day adds nothing, a missed night is caught up).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const day = (allowNull = true) => ({ type: DataTypes.DATEONLY, allowNull });

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('loans', 'penalty_charged_through', day(true));

  await q.createTable('collection_records', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    loan_id: { type: DataTypes.BIGINT, allowNull: false },
    customer_id: { type: DataTypes.BIGINT, allowNull: false },
    action: str(16, false), // contracts/collections.ts COLLECTION_ACTIONS
    result: str(500, false),
    /** The business date the record was made: payments from this day on count toward its promise. */
    recorded_on: day(false),
    days_past_due: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 }, // at the time of the record
    promise_date: day(true),
    promise_amount_fen: { type: DataTypes.BIGINT, allowNull: true },
    promise_status: str(12, true), // PROMISE_STATUSES; null without a promise
    promise_checked_on: day(true),
    next_action_on: day(true),
    client_key: str(64, true),
    created_by: { type: DataTypes.INTEGER, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('collection_records', ['loan_id', 'id'], { name: 'ix_collection_records_loan' });
  // The broken-promise scan: pending promises whose date has passed.
  await q.addIndex('collection_records', ['promise_status', 'promise_date'], { name: 'ix_collection_records_promise' });
  await q.addIndex('collection_records', ['created_by', 'client_key'], { unique: true, name: 'uq_collection_records_client_key' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('collection_records');
  await q.removeColumn('loans', 'penalty_charged_through');
}
