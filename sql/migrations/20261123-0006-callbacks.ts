// Callbacks: what a handler decided for a received event (the card update, the chat reply), kept
// with the event so a retry applies it again without running the handler twice.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('callback_events', 'result', { type: DataTypes.TEXT, allowNull: true });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeColumn('callback_events', 'result');
}
