// The bot's outbox dispatcher: which claim holds a row while it is being sent. A dispatcher claims
// due rows with a conditional UPDATE that stamps its claim token here, then reads back exactly the
// rows it won; marking them sent is conditional on the token too, so an expired lease taken over by
// another dispatcher can never be marked twice.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('bot_messages', 'lease_owner', { type: DataTypes.STRING(64), allowNull: true });
  await q.addIndex('bot_messages', ['lease_owner'], { name: 'ix_bot_messages_lease_owner' });
  await q.addIndex('bot_messages', ['channel', 'status', 'id'], { name: 'ix_bot_messages_channel_status' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeIndex('bot_messages', 'ix_bot_messages_channel_status');
  await q.removeIndex('bot_messages', 'ix_bot_messages_lease_owner');
  await q.removeColumn('bot_messages', 'lease_owner');
}
