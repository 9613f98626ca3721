// Chooses the person a matched rule gives a lead to, inside the lead's transaction, fairly under
// concurrency. Every assignment first takes an exclusive lock on its team's counter row (an
// upsert, so the row need not exist and no S→X upgrade can deadlock); assignments to one team
// therefore run one at a time and round-robin continues exactly from the last person. The
// candidates' day counters are locked the same way for the daily cap. A named person's rule
// locks their own team's counter, so every assignment touching a person is serialised by it.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../db/connection';
import { OPEN_STAGES } from '../../contracts/stages';
import { shanghaiDate } from '../../contracts/dates';
import type { AssignmentRule } from './assignment.model';

/** Roles that take leads when a rule targets a team. */
export const LEAD_ROLES = ['officer', 'team_lead'] as const;

/** On leave on the business date given twice as parameters (the range is inclusive; no range = until cleared). */
const ON_LEAVE_SQL = 'on_leave = 1 AND (leave_from IS NULL OR leave_from <= ?) AND (leave_until IS NULL OR leave_until >= ?)';

export interface Pick {
  userId: number;
  departmentId: number;
}
/** Why nobody was picked, for the log and the queue row. */
export type NoPick = { reason: string };

export function createPicker(db: Db) {
  const mysql = db.dialect === 'mysql';
  const q = <T extends object>(sql: string, replacements: unknown[], t: Transaction) =>
    db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: t });
  const exec = (sql: string, replacements: unknown[], t: Transaction) => db.sequelize.query(sql, { replacements, transaction: t });
  const forUpdate = mysql ? ' FOR UPDATE' : '';

  /** Exclusive lock on a counter row, created on first use; returns the last person it gave a lead to. */
  async function lockCounter(key: string, t: Transaction): Promise<number | null> {
    const now = new Date();
    await exec(
      mysql
        ? 'INSERT INTO assignment_counters (target_key, assigned, updated_at) VALUES (?, 0, ?) ON DUPLICATE KEY UPDATE updated_at = VALUES(updated_at)'
        : 'INSERT INTO assignment_counters (target_key, assigned, updated_at) VALUES (?, 0, ?) ON CONFLICT(target_key) DO UPDATE SET updated_at = excluded.updated_at',
      [key, now],
      t,
    );
    // A locking (current) read: a plain read could return this transaction's older snapshot on MySQL.
    const [row] = await q<{ last_user_id: number | null }>(`SELECT last_user_id FROM assignment_counters WHERE target_key = ?${forUpdate}`, [key], t);
    return row?.last_user_id ?? null;
  }

  /** Locks the day counters of the candidates (in id order) and returns today's counts. */
  async function lockDayCounts(userIds: number[], day: string, t: Transaction): Promise<Map<number, number>> {
    for (const id of [...userIds].sort((a, b) => a - b)) {
      await exec(
        mysql
          ? 'INSERT INTO assignment_user_days (user_id, day, assigned) VALUES (?, ?, 0) ON DUPLICATE KEY UPDATE user_id = user_id'
          : 'INSERT INTO assignment_user_days (user_id, day, assigned) VALUES (?, ?, 0) ON CONFLICT(user_id) DO UPDATE SET user_id = user_id',
        [id, day],
        t,
      );
    }
    const rows = userIds.length ? await q<{ user_id: number; day: string; assigned: number }>(`SELECT user_id, day, assigned FROM assignment_user_days WHERE user_id IN (?)${forUpdate}`, [userIds], t) : [];
    return new Map(rows.map((r) => [Number(r.user_id), r.day === day ? Number(r.assigned) : 0]));
  }

  /** Open customers per person, read with a locking read so it sees every committed assignment. */
  async function openLoads(userIds: number[], t: Transaction): Promise<Map<number, number>> {
    const rows = await q<{ owner_id: number; n: number }>(
      `SELECT owner_id, COUNT(*) AS n FROM customers WHERE owner_id IN (?) AND stage IN (?) GROUP BY owner_id${mysql ? ' LOCK IN SHARE MODE' : ''}`,
      [userIds, OPEN_STAGES],
      t,
    );
    return new Map(rows.map((r) => [Number(r.owner_id), Number(r.n)]));
  }

  async function activeMembers(departmentId: number, day: string, t: Transaction): Promise<number[]> {
    const rows = await q<{ id: number }>(
      `SELECT id FROM users WHERE department_id = ? AND status = 'active' AND disabled_at IS NULL AND role IN (?) AND NOT (${ON_LEAVE_SQL}) ORDER BY id`,
      [departmentId, LEAD_ROLES, day, day],
      t,
    );
    return rows.map((r) => Number(r.id));
  }

  return {
    /**
     * The person `rule` gives a lead to now, or why nobody: disabled people, people on leave today
     * (Shanghai date) and people past the rule's daily cap are skipped. Records the pick in the counters (same transaction).
     */
    async pick(rule: AssignmentRule, t: Transaction, at: Date): Promise<Pick | NoPick> {
      const day = shanghaiDate(at);
      let departmentId: number;
      let candidates: number[];
      if (rule.targetType === 'user') {
        const [u] = await q<{ id: number; department_id: number; away: number }>(
          `SELECT id, department_id, CASE WHEN ${ON_LEAVE_SQL} THEN 1 ELSE 0 END AS away FROM users WHERE id = ? AND status = 'active' AND disabled_at IS NULL`,
          [day, day, rule.targetUserId],
          t,
        );
        if (!u) return { reason: '指定员工不存在或已停用' };
        if (Number(u.away)) return { reason: '指定员工休假中' };
        departmentId = Number(u.department_id);
        candidates = [Number(u.id)];
      } else {
        departmentId = rule.targetDepartmentId!;
        candidates = []; // read after the lock, so a member disabled meanwhile is seen
      }
      const key = `team:${departmentId}`;
      const last = await lockCounter(key, t);
      if (rule.targetType === 'team') candidates = await activeMembers(departmentId, day, t);
      if (!candidates.length) return { reason: '团队中没有可分配的在职员工(停用或休假)' };

      const counts = await lockDayCounts(candidates, day, t);
      const eligible = rule.dailyCap ? candidates.filter((id) => (counts.get(id) ?? 0) < rule.dailyCap!) : candidates;
      if (!eligible.length) return { reason: '团队成员今日分配已达上限' };

      // Round-robin order: the people after the last one picked, then from the start.
      const after = last === null ? eligible : [...eligible.filter((id) => id > last), ...eligible.filter((id) => id <= last)];
      let userId = after[0];
      if (rule.strategy === 'least_loaded' && after.length > 1) {
        const loads = await openLoads(after, t);
        userId = after.reduce((best, id) => ((loads.get(id) ?? 0) < (loads.get(best) ?? 0) ? id : best), after[0]);
      }
      // Only a team rule moves the team's round-robin pointer; a named person's rule just counts.
      if (rule.targetType === 'team') await exec('UPDATE assignment_counters SET last_user_id = ?, assigned = assigned + 1 WHERE target_key = ?', [userId, key], t);
      else await exec('UPDATE assignment_counters SET assigned = assigned + 1 WHERE target_key = ?', [key], t);
      await exec(
        'UPDATE assignment_user_days SET assigned = CASE WHEN day = ? THEN assigned + 1 ELSE 1 END, day = ? WHERE user_id = ?',
        [day, day, userId],
        t,
      );
      return { userId, departmentId };
    },
  };
}
export type Picker = ReturnType<typeof createPicker>;
