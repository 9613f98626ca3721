// SMS reminders (C18): the sms_messages outbox/log and two customer columns (opt-out, and the
// blind index of a phone number the provider refused, so it is not retried until it changes).
// One row per business key (an installment + purpose, or a ladder firing): the unique key is what
// makes a reminder exactly-once across job reruns, restarts and instances.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('customers', 'sms_opt_out', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await q.addColumn('customers', 'sms_invalid_phone_hash', { type: DataTypes.CHAR(64), allowNull: true });

  await q.createTable('sms_messages', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    business_key: str(120, false), // inst:<installment>:<purpose> | ladder:<customer>:<step>:<occurrence>
    customer_id: { type: DataTypes.BIGINT, allowNull: false },
    loan_id: { type: DataTypes.BIGINT, allowNull: true },
    installment_id: { type: DataTypes.BIGINT, allowNull: true },
    owner_id: { type: DataTypes.INTEGER, allowNull: true }, // the customer's officer when queued
    purpose: str(24, false), // contracts/sms.ts SMS_PURPOSES
    phone_enc: str(255, false), // encrypted like customers.phone_enc (field-crypto)
    phone_hash: { type: DataTypes.CHAR(64), allowNull: false },
    phone_last4: { type: DataTypes.CHAR(4), allowNull: false },
    template_code: str(64, true),
    params: { type: DataTypes.TEXT, allowNull: false }, // JSON of the variables
    text: str(500, false), // the rendered text, for the log and the console provider
    status: str(12, false), // SMS_STATUSES
    provider: str(12, true),
    provider_message_id: str(96, true), // Aliyun BizId / Tencent SerialNo
    provider_code: str(96, true),
    provider_message: str(500, true),
    delivery_code: str(64, true),
    delivered_at: { type: DataTypes.DATE(3), allowNull: true },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: { type: DataTypes.DATE(3), allowNull: false },
    claimed_by: str(64, true),
    claim_until: { type: DataTypes.DATE(3), allowNull: true },
    sent_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('sms_messages', ['business_key'], { unique: true, name: 'uq_sms_business_key' });
  await q.addIndex('sms_messages', ['installment_id', 'purpose'], { unique: true, name: 'uq_sms_installment_purpose' });
  await q.addIndex('sms_messages', ['status', 'next_attempt_at'], { name: 'ix_sms_due' });
  await q.addIndex('sms_messages', ['customer_id', 'id'], { name: 'ix_sms_customer' });
  await q.addIndex('sms_messages', ['purpose', 'status', 'id'], { name: 'ix_sms_purpose_status' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('sms_messages');
  await q.removeColumn('customers', 'sms_invalid_phone_hash');
  await q.removeColumn('customers', 'sms_opt_out');
}
