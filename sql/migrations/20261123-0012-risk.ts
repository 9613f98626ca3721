// Risk pre-checks (issue #5, C10): the editable rule set (written with the shipped defaults when
// empty), the internal blacklist as an HMAC blind index (no number is ever stored), and one
// check row per submission attempt with its result and any override (放行).
import { DataTypes, QueryTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';
import { DEFAULT_RISK_RULES } from '../../server/src/contracts/risk';

const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  await q.createTable('risk_rules', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    kind: str(32, false),
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    level: str(8, false), // pass | warn | reject: the outcome when the rule hits
    params: { type: DataTypes.TEXT, allowNull: false }, // JSON, contracts/risk.ts RISK_PARAM_SCHEMAS[kind]
    sort_order: { type: DataTypes.INTEGER, allowNull: false },
    updated_by: { type: DataTypes.INTEGER, allowNull: true },
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('risk_rules', ['kind'], { unique: true, name: 'uq_risk_rules_kind' });

  await q.createTable('risk_blacklist', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    kind: str(16, false), // phone | id_number
    value_hash: { type: DataTypes.CHAR(64), allowNull: false },
    hint: str(8, false), // last 4 characters only
    reason: str(200, false),
    created_by: { type: DataTypes.INTEGER, allowNull: true },
    created_at: ts(),
  });
  await q.addIndex('risk_blacklist', ['kind', 'value_hash'], { unique: true, name: 'uq_risk_blacklist' });

  await q.createTable('risk_checks', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    application_id: { type: DataTypes.BIGINT, allowNull: false },
    round: { type: DataTypes.INTEGER, allowNull: false },
    outcome: str(12, false), // submitted | blocked
    level: str(8, false),
    result: { type: DataTypes.TEXT, allowNull: false }, // JSON RiskCheckResult
    checked_by: { type: DataTypes.INTEGER, allowNull: true },
    overridden_by: { type: DataTypes.INTEGER, allowNull: true },
    override_reason: str(500),
    overridden_at: ts(true),
    used_by_check_id: { type: DataTypes.BIGINT, allowNull: true },
    created_at: ts(),
  });
  await q.addIndex('risk_checks', ['application_id', 'id'], { name: 'ix_risk_checks_application' });
  await q.addIndex('risk_checks', ['outcome', 'overridden_at', 'id'], { name: 'ix_risk_checks_blocked' });

  const [row] = await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM risk_rules', { type: QueryTypes.SELECT });
  if (Number(row.n) === 0) {
    const now = new Date();
    await q.bulkInsert('risk_rules', DEFAULT_RISK_RULES.map((r, i) => ({ kind: r.kind, enabled: r.enabled, level: r.level, params: JSON.stringify(r.params), sort_order: (i + 1) * 10, updated_by: null, created_at: now, updated_at: now })));
  }
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('risk_checks');
  await q.dropTable('risk_blacklist');
  await q.dropTable('risk_rules');
}
