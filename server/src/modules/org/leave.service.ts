// Staff leave (C7): who is on leave, set by an admin for anyone or by a team lead / branch manager
// for the people in their own team / branch. Auto-assignment skips a person on leave (see
// assignment.picker); manual assignment still may pick them, and every list of staff shows it.
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { notFound } from '../../http/errors';
import { ROLES } from '../../contracts/roles';
import { shanghaiDate } from '../../contracts/dates';
import { leaveLabel, onLeaveOn, type SetLeaveInput } from '../../contracts/leave';
import type { User } from './org.model';

export function leaveView(u: Pick<User, 'onLeave' | 'leaveFrom' | 'leaveUntil' | 'leaveNote'>, today: string) {
  const fields = { onLeave: !!u.onLeave, leaveFrom: u.leaveFrom ?? null, leaveUntil: u.leaveUntil ?? null };
  return { ...fields, leaveNote: u.leaveNote ?? null, onLeaveToday: onLeaveOn(fields, today), leaveLabel: leaveLabel(fields, today) };
}

export function createLeaveService(deps: Deps) {
  const { db, org, audit } = deps;
  const { User } = db.models;

  /** The people whose leave the actor manages: everyone for an admin, else their department's subtree. */
  async function managedUser(rc: RequestContext, userId: number, t?: Parameters<Parameters<typeof db.transaction>[0]>[0]) {
    const u = await User.findByPk(userId, { transaction: t, lock: t ? t.LOCK.UPDATE : undefined });
    const managed = await org.managedDepartmentIds(rc.actor);
    // Someone outside the actor's team reads as not found (no hint that the id exists).
    if (!u || u.status !== 'active' || (managed !== 'all' && !managed.includes(u.departmentId))) throw notFound('员工不存在');
    return u;
  }

  return {
    /** Active staff in the actor's team/branch (all for an admin) with their leave, by department. */
    async list(rc: RequestContext) {
      const managed = await org.managedDepartmentIds(rc.actor);
      if (managed !== 'all' && managed.length === 0) return [];
      const where: Record<string, unknown> = { status: 'active' };
      if (managed !== 'all') where.departmentId = [...managed];
      const rows = await User.findAll({ where, order: [['departmentId', 'ASC'], ['id', 'ASC']], raw: true });
      const depts = await org.departments();
      const today = shanghaiDate(new Date(deps.bot.now()));
      return rows.map((u) => ({
        id: u.id, name: u.name, role: u.role, roleName: ROLES[u.role], departmentId: u.departmentId,
        departmentName: depts.get(u.departmentId)?.name ?? null, status: u.status, title: u.title,
        ...leaveView(u, today),
      }));
    },

    /** Sets or clears a person's leave (audited); clearing drops the dates and the note too. */
    async set(rc: RequestContext, userId: number, input: SetLeaveInput) {
      return db.transaction(async (t) => {
        const u = await managedUser(rc, userId, t);
        const before = { onLeave: !!u.onLeave, leaveFrom: u.leaveFrom, leaveUntil: u.leaveUntil, leaveNote: u.leaveNote };
        const after = input.onLeave
          ? { onLeave: true, leaveFrom: input.leaveFrom ?? null, leaveUntil: input.leaveUntil ?? null, leaveNote: input.note || null }
          : { onLeave: false, leaveFrom: null, leaveUntil: null, leaveNote: null };
        await u.update(after, { transaction: t });
        await audit.record(rc, { action: 'leave', entityType: 'user', entityId: userId, before, after }, t);
        return { id: userId, name: u.name, ...leaveView(after, shanghaiDate(new Date(deps.bot.now()))) };
      });
    },
  };
}
export type LeaveService = ReturnType<typeof createLeaveService>;
