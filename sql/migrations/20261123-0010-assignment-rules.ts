// Auto-assignment (C7): ordered rules (conditions as a rule tree → a team or a named person),
// the per-target round-robin counter locked by each assignment, per-person daily counts for the
// daily cap, and leads queued outside working hours until the next working morning.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const int = (allowNull = true, defaultValue?: number) => ({ type: DataTypes.INTEGER, allowNull, defaultValue });

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('assignment_rules', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    name: str(50, false),
    position: int(false, 0), // evaluated in ascending order; the first match assigns
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    conditions: { type: DataTypes.TEXT, allowNull: false }, // contracts/rules.ts RuleGroup as JSON
    target_type: str(8, false), // team | user
    target_department_id: int(),
    target_user_id: int(),
    strategy: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'round_robin' }, // round_robin | least_loaded
    daily_cap: int(), // leads per person per Shanghai day; null = no cap
    working_hours_only: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    outside_hours: { type: DataTypes.STRING(8), allowNull: false, defaultValue: 'queue' }, // queue | pool
    created_by: int(),
    updated_by: int(),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('assignment_rules', ['position'], { name: 'ix_assignment_rules_position' });

  // One row per target (`team:<departmentId>` / `user:<userId>`): locked FOR UPDATE by every
  // assignment to that target, which serialises them and makes round-robin exact.
  await q.createTable('assignment_counters', {
    target_key: { type: DataTypes.STRING(32), primaryKey: true, allowNull: false },
    last_user_id: int(),
    assigned: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    updated_at: ts(true),
  });

  // Leads given to a person on a Shanghai day, for the daily cap (a row per person, reset by day).
  await q.createTable('assignment_user_days', {
    user_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    day: { type: DataTypes.CHAR(10), allowNull: false },
    assigned: int(false, 0),
  });

  // Leads that matched a working-hours-only rule outside working hours: assigned by the
  // `assignment-queue` job once due_at (the next working morning) has come.
  await q.createTable('assignment_queue', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    customer_id: { type: DataTypes.BIGINT, allowNull: false },
    rule_id: int(false),
    due_at: ts(),
    status: { type: DataTypes.STRING(12), allowNull: false, defaultValue: 'pending' }, // pending | done | skipped
    result: str(200),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('assignment_queue', ['customer_id'], { unique: true, name: 'uq_assignment_queue_customer' });
  await q.addIndex('assignment_queue', ['status', 'due_at'], { name: 'ix_assignment_queue_due' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('assignment_queue');
  await q.dropTable('assignment_user_days');
  await q.dropTable('assignment_counters');
  await q.dropTable('assignment_rules');
}
