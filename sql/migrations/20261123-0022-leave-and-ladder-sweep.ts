// Staff on leave (C7: auto-assignment skips them) and the follow-up ladder's resumable sweep (C8).
// users: an on-leave flag with an optional inclusive range of Asia/Shanghai business dates (no
// range = on leave until the flag is cleared) and a short note. ladder_steps: a sweep in progress
// — its range of clock values (from, to], the index it is walking and the keyset position reached —
// so one pass does a bounded slice of a large backlog and the next pass resumes where it stopped.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const ts = () => ({ type: DataTypes.DATE(3), allowNull: true });

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('users', 'on_leave', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await q.addColumn('users', 'leave_from', { type: DataTypes.DATEONLY, allowNull: true });
  await q.addColumn('users', 'leave_until', { type: DataTypes.DATEONLY, allowNull: true });
  await q.addColumn('users', 'leave_note', { type: DataTypes.STRING(50), allowNull: true });

  await q.addColumn('ladder_steps', 'sweep_from', ts()); // exclusive lower bound; null = from the start
  await q.addColumn('ladder_steps', 'sweep_to', ts()); // inclusive upper bound; null = no sweep in progress
  await q.addColumn('ladder_steps', 'sweep_column', { type: DataTypes.STRING(20), allowNull: true });
  await q.addColumn('ladder_steps', 'sweep_after_at', ts());
  await q.addColumn('ladder_steps', 'sweep_after_id', { type: DataTypes.BIGINT, allowNull: true });
}

export async function down({ queryInterface: q }: MigrationContext) {
  for (const c of ['sweep_after_id', 'sweep_after_at', 'sweep_column', 'sweep_to', 'sweep_from']) await q.removeColumn('ladder_steps', c);
  for (const c of ['leave_note', 'leave_until', 'leave_from', 'on_leave']) await q.removeColumn('users', c);
}
