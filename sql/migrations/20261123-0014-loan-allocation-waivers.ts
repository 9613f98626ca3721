// Loans (issue #6, C17): an early settlement forgives the unearned interest of the installments it
// closes. The waiver is recorded on the allocation rows of that settlement entry (and negated on
// its reversal), so an installment's paid and waived amounts are always the sums of its
// allocations: rebuilding them from the ledger needs nothing else.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('loan_allocations', 'waived_fen', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
  await q.addIndex('loans', ['lender_loan_no'], { name: 'ix_loans_lender_loan_no' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeIndex('loans', 'ix_loans_lender_loan_no');
  await q.removeColumn('loan_allocations', 'waived_fen');
}
