// Data: the default approval flow (团队主管 → 风控专员 → (amount > 500,000 元: 总监) → cc 财务),
// written into any database that has no flow yet — a fresh trial, a test database, or an
// existing production database upgraded to this release. It names roles and the supervisor
// chain, not people, so it needs no staff to exist.
import { QueryTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';
import { DEFAULT_FLOW, FlowDefinition } from '../../server/src/contracts/approval-flow';

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  const [row] = await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM approval_flows', { type: QueryTypes.SELECT });
  if (Number(row.n) > 0) return;
  const definition = FlowDefinition.parse(DEFAULT_FLOW.definition);
  const now = new Date();
  await sequelize.transaction(async (transaction) => {
    await q.bulkInsert('approval_flows', [{ name: DEFAULT_FLOW.name, description: DEFAULT_FLOW.description, is_default: true, enabled: true, current_version: 1, created_by: null, created_at: now, updated_at: now }], { transaction });
    const [flow] = await sequelize.query<{ id: number }>('SELECT id FROM approval_flows ORDER BY id LIMIT 1', { type: QueryTypes.SELECT, transaction });
    await q.bulkInsert('approval_flow_versions', [{ flow_id: flow.id, version: 1, definition: JSON.stringify(definition), created_by: null, created_at: now }], { transaction });
  });
}

export async function down({ sequelize }: MigrationContext) {
  // Only the untouched default goes: a flow someone edited (version > 1) stays.
  const flows = await sequelize.query<{ id: number }>('SELECT id FROM approval_flows WHERE name = ? AND current_version = 1', { replacements: [DEFAULT_FLOW.name], type: QueryTypes.SELECT });
  for (const f of flows) {
    await sequelize.query('DELETE FROM approval_flow_versions WHERE flow_id = ?', { replacements: [f.id] });
    await sequelize.query('DELETE FROM approval_flows WHERE id = ?', { replacements: [f.id] });
  }
}
