// Daily summary in chat (issue #7, C22): the leaderboard chart images rendered for team robots.
// One row per business day and team, so a second run of the day (another instance, a restart,
// "run now") finds the chart it already made. The token is the unguessable name under which the
// PNG is served publicly (DingTalk robot markdown can show an image only by URL) until it expires.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('daily_summary_charts', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    day: { type: DataTypes.DATEONLY, allowNull: false },
    department_id: { type: DataTypes.INTEGER, allowNull: false },
    token: { type: DataTypes.STRING(64), allowNull: false },
    png: { type: DataTypes.BLOB('medium'), allowNull: false },
    md5: { type: DataTypes.CHAR(32), allowNull: false },
    expires_at: { type: DataTypes.DATE(3), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('daily_summary_charts', ['day', 'department_id'], { unique: true, name: 'uq_daily_summary_charts_day_dept' });
  await q.addIndex('daily_summary_charts', ['token'], { unique: true, name: 'uq_daily_summary_charts_token' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('daily_summary_charts');
}
