// Loan applications and the approval engine (issue #4): flows with immutable versions,
// applications, approval tasks (with the times reports need, C13), cc entries, the trail of
// every action, and uploaded documents.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const bigId = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const int = (allowNull = true, defaultValue?: number) => ({ type: DataTypes.INTEGER, allowNull, defaultValue });
const big = (allowNull = true) => ({ type: DataTypes.BIGINT, allowNull });
const text = (allowNull = true) => ({ type: DataTypes.TEXT, allowNull });
const bool = (defaultValue: boolean) => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue });

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  const longText = sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('medium') : DataTypes.TEXT;

  await q.createTable('approval_flows', {
    id,
    name: str(64, false),
    description: str(200),
    is_default: bool(false),
    enabled: bool(true),
    current_version: int(false),
    created_by: int(),
    created_at: ts(),
    updated_at: ts(),
  });

  // One row per saved version; a pending application points at the version it started with.
  await q.createTable('approval_flow_versions', {
    id,
    flow_id: int(false),
    version: int(false),
    definition: { type: longText, allowNull: false }, // JSON: contracts/approval-flow.ts FlowDefinition
    created_by: int(),
    created_at: ts(),
  });
  await q.addIndex('approval_flow_versions', ['flow_id', 'version'], { unique: true, name: 'uq_flow_versions' });

  await q.createTable('applications', {
    id: bigId,
    customer_id: big(false),
    applicant_id: int(false),
    department_id: int(false), // the applicant's department when created: team scope
    status: str(16, false), // draft | pending | approved | rejected | returned | withdrawn
    product: str(50, false),
    amount_fen: big(false),
    term_months: int(false),
    purpose: str(200, false),
    repayment_method: str(20),
    collateral: str(16),
    remarks: text(),
    customer_snapshot: text(), // JSON: the customer as submitted (no plain phone or ID number)
    flow_id: int(),
    flow_version_id: int(), // pinned at the first submission
    round: int(false, 0), // submissions so far; tasks and trail entries carry it
    current_node_id: str(32),
    current_node_name: str(64),
    returned_node_id: str(32),
    submitted_at: ts(true),
    decided_at: ts(true),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('applications', ['customer_id', 'id'], { name: 'ix_applications_customer' });
  await q.addIndex('applications', ['applicant_id', 'id'], { name: 'ix_applications_applicant' });
  await q.addIndex('applications', ['department_id', 'status', 'id'], { name: 'ix_applications_dept' });
  await q.addIndex('applications', ['status', 'id'], { name: 'ix_applications_status' });

  await q.createTable('approval_tasks', {
    id: bigId,
    application_id: big(false),
    round: int(false),
    node_id: str(32, false),
    node_name: str(64, false),
    branch_id: str(32), // parallel branch
    branch_name: str(64),
    assignee_id: int(false),
    status: str(16, false), // pending | approved | rejected | returned | delegated | cancelled
    action: str(16),
    comment: text(),
    delegated_from_id: big(),
    due_at: ts(true), // SLA in working hours: remind the approver
    escalate_at: ts(true), // a second SLA later: tell their supervisor
    reminded_at: ts(true),
    escalated_at: ts(true),
    decided_at: ts(true),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('approval_tasks', ['assignee_id', 'status', 'id'], { name: 'ix_tasks_assignee' });
  await q.addIndex('approval_tasks', ['application_id', 'round', 'node_id'], { name: 'ix_tasks_application' });
  await q.addIndex('approval_tasks', ['status', 'due_at'], { name: 'ix_tasks_due' });

  await q.createTable('approval_cc', {
    id: bigId,
    application_id: big(false),
    round: int(false),
    node_id: str(32, false),
    user_id: int(false),
    created_at: ts(),
  });
  await q.addIndex('approval_cc', ['application_id', 'round', 'node_id', 'user_id'], { unique: true, name: 'uq_approval_cc' });
  await q.addIndex('approval_cc', ['user_id', 'id'], { name: 'ix_approval_cc_user' });

  // The trail: every action by a person or the engine. idem_key makes a retried decision one decision.
  await q.createTable('application_actions', {
    id: bigId,
    application_id: big(false),
    round: int(false),
    task_id: big(),
    node_id: str(32),
    node_name: str(64),
    actor_id: int(), // null: the engine
    action: str(24, false),
    comment: text(),
    data: text(),
    idem_key: str(128),
    created_at: ts(),
  });
  await q.addIndex('application_actions', ['application_id', 'id'], { name: 'ix_actions_application' });
  await q.addIndex('application_actions', ['idem_key'], { unique: true, name: 'uq_actions_idem' });

  await q.createTable('application_documents', {
    id: bigId,
    application_id: big(false),
    uploader_id: int(false),
    kind: str(20, false),
    file_name: str(200, false),
    mime: str(64, false),
    size_bytes: int(false),
    sha256: { type: DataTypes.CHAR(64), allowNull: false },
    storage_key: str(255, false), // where the storage backend keeps the bytes
    created_at: ts(),
  });
  await q.addIndex('application_documents', ['application_id', 'id'], { name: 'ix_documents_application' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  for (const t of ['application_documents', 'application_actions', 'approval_cc', 'approval_tasks', 'applications', 'approval_flow_versions', 'approval_flows']) {
    await q.dropTable(t);
  }
}
