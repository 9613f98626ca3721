// Report rollups (issue #7, C21): daily pre-aggregates the dashboards read instead of scanning raw
// rows, maintained in the business transaction by the 'reports-rollup' event subscriber
// (server/src/modules/reports/rollup.service.ts) and rebuilt from the raw tables by
// `npm run reports:rebuild`. Dimension columns are NOT NULL with a neutral value (0 / '') so the
// unique key really is unique (NULLs never collide in a unique index) and upserts can add to it.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const id = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
const day = { type: DataTypes.DATEONLY, allowNull: false };
const dim = { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 };
const key = (len: number) => ({ type: DataTypes.STRING(len), allowNull: false, defaultValue: '' });
const n = { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 };
const fen = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };
const ts = { type: DataTypes.DATE(3), allowNull: false };
// Every dated cell is kept twice: per day (grain 'd') and per month (grain 'm', day = the 1st), so
// a year's dashboard reads twelve month rows per cell instead of 365 day rows.
const grain = { type: DataTypes.CHAR(1), allowNull: false, defaultValue: 'd' };

// The common dimensions: the owning officer and their department, the customer's channel.
const dims = { department_id: dim, owner_id: dim, channel: key(32) };

export async function up({ queryInterface: q }: MigrationContext) {
  // What each entity (customer, application, loan) last added to the rollups, so a change is
  // applied as a difference: recompute the entity from the raw rows, subtract old, add new.
  await q.createTable('report_facts', {
    entity_type: { type: DataTypes.STRING(16), allowNull: false, primaryKey: true },
    entity_id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
    data: { type: DataTypes.TEXT, allowNull: false }, // JSON: rollup cells and their measures
    updated_at: ts,
  });

  // Lead cohort by creation day, attributed to the customer's current owner: the funnel steps it
  // ever reached.
  await q.createTable('report_customer_daily', {
    id,
    grain,
    day,
    ...dims,
    new_customers: n,
    reached_intent: n,
    reached_due_diligence: n,
    applied: n,
    approved: n,
    disbursed: n,
  });
  await q.addIndex('report_customer_daily', ['grain', 'day', 'department_id', 'owner_id', 'channel'], { unique: true, name: 'uq_rcd' });
  await q.addIndex('report_customer_daily', ['department_id', 'grain', 'day'], { name: 'ix_rcd_dept' });
  await q.addIndex('report_customer_daily', ['owner_id', 'grain', 'day'], { name: 'ix_rcd_owner' });

  // Follow-ups by the author, the author's department at the time, the customer's channel and the type.
  await q.createTable('report_followup_daily', {
    id,
    grain,
    day,
    ...dims,
    type: key(16),
    follow_ups: n,
    customers_touched: n, // distinct customers per author and day
  });
  await q.addIndex('report_followup_daily', ['grain', 'day', 'department_id', 'owner_id', 'channel', 'type'], { unique: true, name: 'uq_rfd' });
  await q.addIndex('report_followup_daily', ['department_id', 'grain', 'day'], { name: 'ix_rfd_dept' });
  await q.addIndex('report_followup_daily', ['owner_id', 'grain', 'day'], { name: 'ix_rfd_owner' });

  // Applications: submissions by submission day, decisions by decision day (owner = applicant).
  await q.createTable('report_application_daily', {
    id,
    grain,
    day,
    ...dims,
    product: key(50),
    flow_id: dim,
    submitted: n,
    approved: n,
    rejected: n,
    withdrawn: n,
  });
  await q.addIndex('report_application_daily', ['grain', 'day', 'department_id', 'owner_id', 'channel', 'product', 'flow_id'], { unique: true, name: 'uq_rad' });
  await q.addIndex('report_application_daily', ['department_id', 'grain', 'day'], { name: 'ix_rad_dept' });
  await q.addIndex('report_application_daily', ['owner_id', 'grain', 'day'], { name: 'ix_rad_owner' });

  // Approval tasks decided, by decision day and node: counts and the summed time at the node.
  await q.createTable('report_approval_node_daily', {
    id,
    grain,
    day,
    ...dims,
    product: key(50),
    flow_id: dim,
    node_name: key(64),
    decided: n,
    approved: n,
    rejected: n,
    returned: n,
    duration_s: fen,
  });
  await q.addIndex('report_approval_node_daily', ['grain', 'day', 'department_id', 'owner_id', 'channel', 'product', 'flow_id', 'node_name'], { unique: true, name: 'uq_rand' });
  await q.addIndex('report_approval_node_daily', ['department_id', 'grain', 'day'], { name: 'ix_rand_dept' });
  await q.addIndex('report_approval_node_daily', ['owner_id', 'grain', 'day'], { name: 'ix_rand_owner' });
  // p90 at a node reads the decided tasks of the period directly: bounded by this index.
  await q.addIndex('approval_tasks', ['decided_at'], { name: 'ix_tasks_decided_at' });

  // Loans: each measure dated by its own business date — disbursements by disbursement day,
  // payments by payment day, installments by due day.
  await q.createTable('report_loan_daily', {
    id,
    grain,
    day,
    ...dims,
    product_id: dim,
    disbursed_count: n,
    disbursed_fen: fen,
    cycle_days: fen, // summed days from the customer's creation to disbursement
    received_count: n,
    received_fen: fen,
    due_fen: fen, // principal + interest falling due (less waived)
    due_paid_fen: fen, // of which paid so far
    commission_fen: fen, // commission accrued (signed: reversals and clawbacks subtract), by its date
  });
  await q.addIndex('report_loan_daily', ['grain', 'day', 'department_id', 'owner_id', 'channel', 'product_id'], { unique: true, name: 'uq_rld' });
  await q.addIndex('report_loan_daily', ['department_id', 'grain', 'day'], { name: 'ix_rld_dept' });
  await q.addIndex('report_loan_daily', ['owner_id', 'grain', 'day'], { name: 'ix_rld_owner' });

  // Live loans now (not dated): outstanding principal by overdue bucket.
  await q.createTable('report_loan_state', {
    id,
    ...dims,
    product_id: dim,
    bucket: key(8),
    loans: n,
    outstanding_fen: fen,
  });
  await q.addIndex('report_loan_state', ['department_id', 'owner_id', 'channel', 'product_id', 'bucket'], { unique: true, name: 'uq_rls' });

  // Channel cost per month (ROI); entered by finance or a director.
  await q.createTable('channel_costs', {
    id,
    channel: { type: DataTypes.STRING(32), allowNull: false },
    month: { type: DataTypes.CHAR(7), allowNull: false }, // YYYY-MM
    cost_fen: fen,
    note: { type: DataTypes.STRING(200), allowNull: true },
    updated_by: { type: DataTypes.INTEGER, allowNull: true },
    created_at: ts,
    updated_at: ts,
  });
  await q.addIndex('channel_costs', ['channel', 'month'], { unique: true, name: 'uq_channel_costs' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeIndex('approval_tasks', 'ix_tasks_decided_at');
  for (const t of ['channel_costs', 'report_loan_state', 'report_loan_daily', 'report_approval_node_daily', 'report_application_daily', 'report_followup_daily', 'report_customer_daily', 'report_facts']) await q.dropTable(t);
}
