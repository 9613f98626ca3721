// Used sign-in states: a WeCom OAuth `state` is accepted once. The state itself is signed and
// carries its expiry, so only states that passed the signature check are written here (an
// anonymous visitor cannot grow the table), and rows are purged once they have expired.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('sso_states', {
    nonce: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    flow: { type: DataTypes.STRING(16), allowNull: false }, // wecom | wecom_qr
    expires_at: { type: DataTypes.DATE(3), allowNull: false },
    used_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('sso_states', ['expires_at'], { name: 'ix_sso_states_expires' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('sso_states');
}
