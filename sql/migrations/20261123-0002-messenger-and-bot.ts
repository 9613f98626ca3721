// Messenger integration (WeCom, DingTalk) and the bot: shared access tokens/tickets, the message
// outbox with its delivery log, team group robots, received callback events, org sync runs,
// admin alerts and job leases.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const bigId = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const text = (allowNull = true) => ({ type: DataTypes.TEXT, allowNull });
const int = (allowNull = true, defaultValue?: number) => ({ type: DataTypes.INTEGER, allowNull, defaultValue });

export async function up({ queryInterface: q }: MigrationContext) {
  // Access tokens and JS-SDK tickets, shared by every instance. A refresh is taken under a lease
  // (lease_owner/lease_until) so one instance fetches while the others wait for the new value.
  await q.createTable('messenger_tokens', {
    token_key: { type: DataTypes.STRING(96), primaryKey: true, allowNull: false },
    value: text(),
    expires_at: ts(true),
    lease_owner: str(64),
    lease_until: ts(true),
    updated_at: ts(),
  });

  // The bot's outbox: one row per message to deliver, written in the business transaction.
  await q.createTable('bot_messages', {
    id: bigId,
    idem_key: str(160, false), // never send the same message twice
    channel: str(32, false), // wecom_app | wecom_robot | dingtalk_notice | dingtalk_robot | dingtalk_card | console
    kind: str(48, false), // what it is about: task_reminder, approval_card, daily_summary, text, …
    recipient_user_id: int(),
    recipient: str(255, false), // messenger userid, robot id, or '-' for console
    department_id: int(),
    payload: text(false), // channel-neutral content (title, text, url, buttons…) as JSON
    ref_type: str(32), // business entity the message is about, e.g. approval
    ref_id: str(64),
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' }, // pending | sending | sent | dead | cancelled
    attempts: int(false, 0),
    next_attempt_at: ts(),
    lease_until: ts(true),
    batch_id: str(64), // messages sent in one API call share it
    external_id: str(128), // msgid / task_id / outTrackId returned by the messenger
    response_code: str(255), // WeCom interactive card response_code (single use, 72 h)
    last_error_code: str(64),
    last_error: text(),
    sent_at: ts(true),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('bot_messages', ['idem_key'], { unique: true, name: 'uq_bot_messages_idem' });
  await q.addIndex('bot_messages', ['status', 'next_attempt_at'], { name: 'ix_bot_messages_due' });
  await q.addIndex('bot_messages', ['ref_type', 'ref_id'], { name: 'ix_bot_messages_ref' });
  await q.addIndex('bot_messages', ['channel', 'recipient', 'sent_at'], { name: 'ix_bot_messages_rate' });

  // Every delivery attempt, its outcome and the provider's answer.
  await q.createTable('bot_message_attempts', {
    id: bigId,
    message_id: { type: DataTypes.BIGINT, allowNull: false },
    attempt_no: int(false),
    outcome: str(16, false), // sent | transient | permanent | deferred
    error_code: str(64),
    error_message: text(),
    duration_ms: int(),
    created_at: ts(),
  });
  await q.addIndex('bot_message_attempts', ['message_id', 'id']);

  // Group robots per team (WeCom webhook key; DingTalk access token + signing secret), encrypted.
  await q.createTable('team_robots', {
    id,
    department_id: int(false),
    provider: str(16, false), // wecom | dingtalk
    name: str(64, false),
    token_enc: text(false), // WeCom webhook key / DingTalk robot access_token
    secret_enc: text(), // DingTalk signing secret (SEC…)
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('team_robots', ['department_id', 'provider'], { unique: true, name: 'uq_team_robots_dept_provider' });

  // Callback events received from WeCom/DingTalk, deduplicated (they are redelivered) and
  // handled asynchronously after the fast acknowledgement.
  await q.createTable('callback_events', {
    id: bigId,
    source: str(16, false), // wecom | dingtalk | stream
    dedupe_key: str(191, false),
    event_type: str(64, false),
    payload: text(false),
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'received' }, // received | handled | failed | ignored
    attempts: int(false, 0),
    lease_until: ts(true),
    error: text(),
    handled_at: ts(true),
    created_at: ts(),
  });
  await q.addIndex('callback_events', ['source', 'dedupe_key'], { unique: true, name: 'uq_callback_events_dedupe' });
  await q.addIndex('callback_events', ['status', 'id'], { name: 'ix_callback_events_status' });

  await q.createTable('org_sync_runs', {
    id,
    provider: str(16, false),
    trigger: str(16, false), // manual | nightly
    status: str(16, false), // running | succeeded | failed
    actor_id: int(),
    stats: text(), // JSON counts: departments/users created, updated, disabled…
    error: text(),
    started_at: ts(),
    finished_at: ts(true),
  });
  await q.addIndex('org_sync_runs', ['provider', 'id']);

  // Things an admin must act on (a permanent delivery failure, an untrusted IP, a dead letter…).
  await q.createTable('admin_alerts', {
    id,
    kind: str(48, false),
    dedupe_key: str(191, false), // one open alert per cause
    message: str(500, false),
    details: text(),
    count: int(false, 1),
    resolved_at: ts(true),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('admin_alerts', ['dedupe_key', 'resolved_at'], { name: 'ix_admin_alerts_dedupe' });

  // A scheduled job takes its lease before running, so it fires once across instances.
  await q.createTable('job_leases', {
    name: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    owner: str(64),
    lease_until: ts(true),
    last_run_at: ts(true),
    last_result: text(),
  });

  // Org sync: the messenger identity of a department, and when a user was last seen there.
  await q.addColumn('departments', 'wecom_dept_id', str(32));
  await q.addColumn('departments', 'dingtalk_dept_id', str(32));
  await q.addColumn('users', 'mobile_hash', str(64));
  await q.addColumn('users', 'synced_at', ts(true));
  await q.addColumn('users', 'disabled_at', ts(true));
  await q.addIndex('departments', ['wecom_dept_id'], { unique: true, name: 'uq_departments_wecom' });
  await q.addIndex('departments', ['dingtalk_dept_id'], { unique: true, name: 'uq_departments_dingtalk' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeIndex('departments', 'uq_departments_wecom');
  await q.removeIndex('departments', 'uq_departments_dingtalk');
  for (const [t, c] of [['departments', 'wecom_dept_id'], ['departments', 'dingtalk_dept_id'], ['users', 'mobile_hash'], ['users', 'synced_at'], ['users', 'disabled_at']]) {
    await q.removeColumn(t, c);
  }
  for (const t of ['job_leases', 'admin_alerts', 'org_sync_runs', 'callback_events', 'team_robots', 'bot_message_attempts', 'bot_messages', 'messenger_tokens']) {
    await q.dropTable(t);
  }
}
