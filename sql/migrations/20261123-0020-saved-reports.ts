// Saved reports and dashboards (issue #7, C23): a report builder definition (JSON) owned by a
// person, kept on their own dashboard or shared with a department subtree (NULL: everyone).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('saved_reports', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    owner_id: { type: DataTypes.INTEGER, allowNull: false },
    name: { type: DataTypes.STRING(40), allowNull: false },
    visibility: { type: DataTypes.STRING(12), allowNull: false }, // personal | shared
    shared_department_id: { type: DataTypes.INTEGER, allowNull: true },
    definition: { type: DataTypes.TEXT, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('saved_reports', ['owner_id', 'id'], { name: 'ix_saved_reports_owner' });
  await q.addIndex('saved_reports', ['visibility', 'shared_department_id'], { name: 'ix_saved_reports_shared' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('saved_reports');
}
