// Initial schema: org (departments, users), channels, customers with their follow-ups,
// stage and owner history, audit log, domain-event outbox and idempotency keys.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const bigId = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  const longText = sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('medium') : DataTypes.TEXT;
  await q.createTable('departments', {
    id,
    name: str(64, false),
    kind: str(16, false),
    parent_id: { type: DataTypes.INTEGER, allowNull: true },
    path: str(255, false), // "/1/4/9/": ancestors then self, for subtree queries
    leader_id: { type: DataTypes.INTEGER, allowNull: true },
    external_id: str(64), // messenger department id, once synced
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('departments', ['path']);

  await q.createTable('users', {
    id,
    name: str(50, false),
    role: str(20, false),
    department_id: { type: DataTypes.INTEGER, allowNull: false },
    supervisor_id: { type: DataTypes.INTEGER, allowNull: true },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
    title: str(50),
    wecom_userid: str(64),
    dingtalk_userid: str(64),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('users', ['department_id']);
  await q.addIndex('users', ['wecom_userid'], { unique: true });
  await q.addIndex('users', ['dingtalk_userid'], { unique: true });

  await q.createTable('channels', {
    id,
    code: str(32, false),
    name: str(64, false),
    api_key: str(64),
    secret_enc: { type: DataTypes.TEXT, allowNull: true },
    default_owner_id: { type: DataTypes.INTEGER, allowNull: true },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('channels', ['code'], { unique: true });
  await q.addIndex('channels', ['api_key'], { unique: true });

  await q.createTable('customers', {
    id: bigId,
    name: str(50, false),
    phone_enc: str(255, false),
    phone_hash: { type: DataTypes.CHAR(64), allowNull: false },
    phone_last4: { type: DataTypes.CHAR(4), allowNull: false },
    id_number_enc: str(255),
    id_number_hash: { type: DataTypes.CHAR(64), allowNull: true },
    birth_date: { type: DataTypes.DATEONLY, allowNull: true },
    gender: str(8),
    city: str(30),
    channel: str(32, false),
    campaign_tags: { type: DataTypes.TEXT, allowNull: true },
    stage: str(20, false),
    owner_id: { type: DataTypes.INTEGER, allowNull: true },
    department_id: { type: DataTypes.INTEGER, allowNull: true },
    assigned_at: ts(true),
    pooled_at: ts(true),
    pool_reason: str(200),
    loan_amount_fen: { type: DataTypes.BIGINT, allowNull: true },
    loan_term_months: { type: DataTypes.INTEGER, allowNull: true },
    loan_purpose: str(200),
    collateral: str(16),
    monthly_income_fen: { type: DataTypes.BIGINT, allowNull: true },
    remark: str(500),
    next_follow_up_date: { type: DataTypes.DATEONLY, allowNull: true },
    last_follow_up_at: ts(true),
    stage_changed_at: ts(),
    custom_fields: { type: DataTypes.TEXT, allowNull: true },
    external_id: str(64),
    created_by: { type: DataTypes.INTEGER, allowNull: true },
    created_at: ts(),
    updated_at: ts(),
  });
  // De-duplication is enforced here, not by a check-then-insert race (C2).
  await q.addIndex('customers', ['phone_hash'], { unique: true, name: 'uq_customers_phone_hash' });
  await q.addIndex('customers', ['id_number_hash'], { unique: true, name: 'uq_customers_id_number_hash' });
  // Scoped lists: own book, team book, each filtered by stage and ordered by next follow-up or recency.
  await q.addIndex('customers', ['owner_id', 'stage', 'next_follow_up_date', 'id'], { name: 'ix_customers_owner_stage_next' });
  await q.addIndex('customers', ['owner_id', 'next_follow_up_date', 'id'], { name: 'ix_customers_owner_next' });
  await q.addIndex('customers', ['department_id', 'stage', 'next_follow_up_date', 'id'], { name: 'ix_customers_dept_stage_next' });
  await q.addIndex('customers', ['department_id', 'next_follow_up_date', 'id'], { name: 'ix_customers_dept_next' });
  await q.addIndex('customers', ['owner_id', 'phone_last4'], { name: 'ix_customers_owner_last4' });
  await q.addIndex('customers', ['department_id', 'phone_last4'], { name: 'ix_customers_dept_last4' });
  await q.addIndex('customers', ['stage', 'next_follow_up_date', 'id'], { name: 'ix_customers_stage_next' });
  await q.addIndex('customers', ['name'], { name: 'ix_customers_name' });
  await q.addIndex('customers', ['channel', 'id'], { name: 'ix_customers_channel' });

  await q.createTable('follow_ups', {
    id: bigId,
    customer_id: { type: DataTypes.BIGINT, allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    type: str(16, false),
    content: { type: DataTypes.TEXT, allowNull: false },
    outcome: str(20),
    next_follow_up_date: { type: DataTypes.DATEONLY, allowNull: true },
    custom_fields: { type: DataTypes.TEXT, allowNull: true },
    created_at: ts(),
  });
  await q.addIndex('follow_ups', ['customer_id', 'id']);
  await q.addIndex('follow_ups', ['user_id', 'created_at']);

  await q.createTable('customer_stage_changes', {
    id: bigId,
    customer_id: { type: DataTypes.BIGINT, allowNull: false },
    from_stage: str(20),
    to_stage: str(20, false),
    actor_id: { type: DataTypes.INTEGER, allowNull: true },
    reason: str(200),
    created_at: ts(),
  });
  await q.addIndex('customer_stage_changes', ['customer_id', 'id']);

  await q.createTable('customer_owner_changes', {
    id: bigId,
    customer_id: { type: DataTypes.BIGINT, allowNull: false },
    from_user_id: { type: DataTypes.INTEGER, allowNull: true },
    to_user_id: { type: DataTypes.INTEGER, allowNull: true },
    kind: str(16, false),
    actor_id: { type: DataTypes.INTEGER, allowNull: true },
    reason: str(200),
    created_at: ts(),
  });
  await q.addIndex('customer_owner_changes', ['customer_id', 'id']);

  await q.createTable('audit_logs', {
    id: bigId,
    actor_id: { type: DataTypes.INTEGER, allowNull: true },
    action: str(32, false),
    entity_type: str(32, false),
    entity_id: str(64, false),
    before_data: { type: DataTypes.TEXT, allowNull: true },
    after_data: { type: DataTypes.TEXT, allowNull: true },
    ip: str(64),
    created_at: ts(),
  });
  await q.addIndex('audit_logs', ['entity_type', 'entity_id']);
  await q.addIndex('audit_logs', ['actor_id', 'created_at']);

  // Outbox: written in the same transaction as the change; the bot and webhooks consume it.
  await q.createTable('domain_events', {
    id: bigId,
    type: str(64, false),
    aggregate_type: str(32, false),
    aggregate_id: str(64, false),
    payload: { type: DataTypes.TEXT, allowNull: false },
    actor_id: { type: DataTypes.INTEGER, allowNull: true },
    created_at: ts(),
    processed_at: ts(true),
  });
  await q.addIndex('domain_events', ['processed_at', 'id']);

  await q.createTable('idempotency_keys', {
    id: bigId,
    scope: str(64, false),
    idem_key: str(128, false),
    request_hash: { type: DataTypes.CHAR(64), allowNull: false },
    signature: { type: DataTypes.CHAR(64), allowNull: true },
    status_code: { type: DataTypes.INTEGER, allowNull: false },
    response: { type: longText, allowNull: false },
    created_at: ts(),
  });
  await q.addIndex('idempotency_keys', ['scope', 'idem_key'], { unique: true, name: 'uq_idempotency_scope_key' });
  await q.addIndex('idempotency_keys', ['signature'], { unique: true, name: 'uq_idempotency_signature' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  for (const t of ['idempotency_keys', 'domain_events', 'audit_logs', 'customer_owner_changes', 'customer_stage_changes', 'follow_ups', 'customers', 'channels', 'users', 'departments']) {
    await q.dropTable(t);
  }
}
