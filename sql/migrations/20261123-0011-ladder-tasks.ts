// The follow-up ladder (C8) and the tasks inbox (C9): ladder steps as data with a scan cursor,
// one firing row per customer + step + occurrence (unique: a step never fires twice), manual and
// ladder tasks, the customer's sub-status (e.g. 待补充资料) with the time it was set, the indexes
// the ladder's windowed keyset scans read, and a job run's duration and outcome on job_leases.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const bigId = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });

const DEFAULT_STEPS = [
  { code: 'idle-3', name: '3 个工作日未跟进:提醒负责人', trigger: 'idle', sub_status: null, wait_value: 3, wait_unit: 'business_days', actions: { remindOwner: true } },
  { code: 'idle-5', name: '5 个工作日未跟进:再次提醒并抄送主管', trigger: 'idle', sub_status: null, wait_value: 5, wait_unit: 'business_days', actions: { remindOwner: true, copySupervisor: true } },
  { code: 'idle-7', name: '7 个工作日未跟进:退回公海并通知原负责人', trigger: 'idle', sub_status: null, wait_value: 7, wait_unit: 'business_days', actions: { releaseToPool: true } },
  { code: 'docs-24h', name: '待补充资料超过 24 小时:短信提醒客户并给信贷员建待办', trigger: 'sub_status', sub_status: 'awaiting_docs', wait_value: 24, wait_unit: 'hours', actions: { smsCustomer: true, createTask: true } },
];

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('ladder_steps', {
    id,
    code: str(32, false),
    name: str(100, false),
    trigger: str(16, false), // idle (no follow-up since) | sub_status (sub-status held since)
    sub_status: str(20),
    wait_value: { type: DataTypes.INTEGER, allowNull: false },
    wait_unit: str(16, false), // business_days | hours
    actions: { type: DataTypes.TEXT, allowNull: false }, // JSON {remindOwner, copySupervisor, releaseToPool, smsCustomer, createTask}
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    scanned_to: ts(true), // the cutoff of the last completed scan: the next scan starts there
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('ladder_steps', ['code'], { unique: true, name: 'uq_ladder_steps_code' });

  await q.createTable('ladder_firings', {
    id: bigId,
    customer_id: { type: DataTypes.BIGINT, allowNull: false },
    step_id: { type: DataTypes.INTEGER, allowNull: false },
    occurrence: ts(), // when the clock of this occurrence started (last follow-up / assignment / sub-status set)
    owner_id: { type: DataTypes.INTEGER, allowNull: true },
    outcome: str(32, false),
    created_at: ts(),
  });
  await q.addIndex('ladder_firings', ['customer_id', 'step_id', 'occurrence'], { unique: true, name: 'uq_ladder_firings_key' });

  await q.createTable('tasks', {
    id: bigId,
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    kind: str(16, false), // manual | ladder
    title: str(100, false),
    note: str(500),
    customer_id: { type: DataTypes.BIGINT, allowNull: true },
    due_at: ts(),
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' }, // open | done
    snoozed_until: ts(true),
    done_at: ts(true),
    created_by: { type: DataTypes.INTEGER, allowNull: true },
    source_key: str(160), // idempotency for tasks the system creates (ladder firing)
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('tasks', ['user_id', 'status', 'due_at'], { name: 'ix_tasks_user_status_due' });
  await q.addIndex('tasks', ['source_key'], { unique: true, name: 'uq_tasks_source_key' });

  await q.addColumn('customers', 'sub_status', str(20));
  await q.addColumn('customers', 'sub_status_at', ts(true));
  // The ladder's windowed keyset scans: by last follow-up, by assignment (ordered by column then id,
  // covering what the scan reads so it never touches the table rows), by sub-status time.
  await q.addIndex('customers', ['last_follow_up_at', 'id', 'owner_id', 'stage', 'assigned_at'], { name: 'ix_customers_last_follow_up' });
  await q.addIndex('customers', ['assigned_at', 'id', 'owner_id', 'stage', 'last_follow_up_at'], { name: 'ix_customers_assigned_at' });
  await q.addIndex('customers', ['sub_status', 'sub_status_at', 'id'], { name: 'ix_customers_sub_status' });

  await q.addColumn('job_leases', 'last_duration_ms', { type: DataTypes.INTEGER, allowNull: true });
  await q.addColumn('job_leases', 'last_outcome', str(16)); // ok | error

  const now = new Date();
  await q.bulkInsert('ladder_steps', DEFAULT_STEPS.map((s, i) => ({ ...s, actions: JSON.stringify(s.actions), enabled: true, sort_order: i + 1, scanned_to: null, created_at: now, updated_at: now })));
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeColumn('job_leases', 'last_outcome');
  await q.removeColumn('job_leases', 'last_duration_ms');
  await q.removeIndex('customers', 'ix_customers_sub_status');
  await q.removeIndex('customers', 'ix_customers_assigned_at');
  await q.removeIndex('customers', 'ix_customers_last_follow_up');
  await q.removeColumn('customers', 'sub_status_at');
  await q.removeColumn('customers', 'sub_status');
  for (const t of ['tasks', 'ladder_firings', 'ladder_steps']) await q.dropTable(t);
}
