// Report rollups (issue #7, C21): pre-aggregates the dashboards read instead of scanning raw rows,
// maintained in the business transaction by the 'reports-rollup' event subscriber
// (server/src/modules/reports/rollup.service.ts) and rebuilt from the raw tables by
// `npm run reports:rebuild`. Dimension columns are NOT NULL with a neutral value (0 / '') so the
// unique key really is unique (NULLs never collide in a unique index) and upserts can add to it.
// Every dated table `report_x_daily` has a twin `report_x_monthly` with the same columns (day = the
// month's 1st), kept with it cell by cell, so a year's dashboard reads twelve rows per cell rather
// than 365; the daily tables hold day rows only (`WHERE day = ?` is one day).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const id = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
const day = { type: DataTypes.DATEONLY, allowNull: false };
const dim = { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 };
const key = (len: number) => ({ type: DataTypes.STRING(len), allowNull: false, defaultValue: '' });
const n = { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 };
const fen = { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 };
const ts = { type: DataTypes.DATE(3), allowNull: false };

// The common dimensions: the owning officer and their department, the customer's channel.
const dims = { department_id: dim, owner_id: dim, channel: key(32) };

/** report_<name>_daily and report_<name>_monthly, unique on (day, keys…), indexed for scope. */
const DATED: { name: string; abbr: string; keys: string[]; columns: Record<string, object> }[] = [
  // Lead cohort by creation day, attributed to the customer's current owner: the funnel steps it ever reached.
  { name: 'customer', abbr: 'rc', keys: [], columns: { new_customers: n, reached_intent: n, reached_due_diligence: n, applied: n, approved: n, disbursed: n } },
  // Follow-ups by the author, the author's department at the time, the customer's channel and the type.
  { name: 'followup', abbr: 'rf', keys: ['type'], columns: { type: key(16), follow_ups: n, customers_touched: n /* distinct customers per author and day */ } },
  // Applications: submissions by submission day, decisions by decision day (owner = applicant).
  { name: 'application', abbr: 'ra', keys: ['product', 'flow_id'], columns: { product: key(50), flow_id: dim, submitted: n, approved: n, rejected: n, withdrawn: n } },
  // Approval tasks decided, by decision day and node: counts and the summed time at the node.
  { name: 'approval_node', abbr: 'ran', keys: ['product', 'flow_id', 'node_name'], columns: { product: key(50), flow_id: dim, node_name: key(64), decided: n, approved: n, rejected: n, returned: n, duration_s: fen } },
  // Loans: each measure dated by its own business date — disbursement, payment, due date.
  {
    name: 'loan', abbr: 'rl', keys: ['product_id'],
    columns: {
      product_id: dim, disbursed_count: n, disbursed_fen: fen, cycle_days: fen /* summed days from creation to disbursement */,
      received_count: n, received_fen: fen, due_fen: fen /* principal + interest due, less waived */, due_paid_fen: fen,
      commission_fen: fen /* signed: reversals and clawbacks subtract */,
    },
  },
];

export async function up({ queryInterface: q }: MigrationContext) {
  // What each entity (customer, application, loan) last added to the rollups, so a change is
  // applied as a difference: recompute the entity from the raw rows, subtract old, add new.
  await q.createTable('report_facts', {
    entity_type: { type: DataTypes.STRING(16), allowNull: false, primaryKey: true },
    entity_id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
    data: { type: DataTypes.TEXT, allowNull: false }, // JSON: rollup cells and their measures
    updated_at: ts,
  });

  for (const t of DATED) {
    for (const grain of ['daily', 'monthly']) {
      const table = `report_${t.name}_${grain}`;
      const g = grain === 'daily' ? 'd' : 'm';
      await q.createTable(table, { id, day, ...dims, ...t.columns });
      await q.addIndex(table, ['day', 'department_id', 'owner_id', 'channel', ...t.keys], { unique: true, name: `uq_${t.abbr}${g}` });
      await q.addIndex(table, ['department_id', 'day'], { name: `ix_${t.abbr}${g}_dept` });
      await q.addIndex(table, ['owner_id', 'day'], { name: `ix_${t.abbr}${g}_owner` });
    }
  }
  // p90 at a node reads the decided tasks of the period directly: bounded by this index.
  await q.addIndex('approval_tasks', ['decided_at'], { name: 'ix_tasks_decided_at' });
  // The follow-up drill-down over a period for a whole-company viewer (no author to start from).
  await q.addIndex('follow_ups', ['created_at'], { name: 'ix_follow_ups_created_at' });

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
  await q.removeIndex('follow_ups', 'ix_follow_ups_created_at');
  await q.removeIndex('approval_tasks', 'ix_tasks_decided_at');
  const tables = ['channel_costs', 'report_loan_state', ...DATED.flatMap((t) => [`report_${t.name}_daily`, `report_${t.name}_monthly`]), 'report_facts'];
  for (const t of tables) await q.dropTable(t);
}
