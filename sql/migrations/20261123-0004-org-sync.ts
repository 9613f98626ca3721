// Org sync: who disabled a user. The sync re-enables only the people it disabled itself (they
// left the messenger and came back); an account an admin disabled in the CRM stays disabled
// even while the messenger still lists the person.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('users', 'disabled_by', { type: DataTypes.STRING(16), allowNull: true }); // org_sync | admin | null (before this column)
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeColumn('users', 'disabled_by');
}
