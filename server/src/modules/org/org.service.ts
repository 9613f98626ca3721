// The org chart: department subtrees for data scope, staff lookups, assignable people.
import { Op } from 'sequelize';
import type { Models } from '../../db/models';
import type { Actor } from '../../http/context';
import { DEPARTMENT_KINDS, OWNER_ROLES, ROLES } from '../../contracts/roles';
import type { Department, User } from './org.model';
import { shanghaiDate } from '../../contracts/dates';
import { leaveView } from './leave.service';

const ACTOR_TTL_MS = 5_000; // the session's user row is re-read at most this often
const CACHE_MS = 10_000; // departments change rarely; a short cache keeps scope checks off the hot path

export function createOrgService(models: Models, now: () => number = Date.now) {
  // subtrees: department id → its subtree's ids, worked out once per department snapshot.
  let cache: { at: number; byId: Map<number, Department>; subtrees: Map<number, readonly number[]> } | null = null;
  let userCache: { at: number; byId: Map<number, { id: number; name: string }> } | null = null;
  const actors = new Map<number, { at: number; actor: Actor | null }>();

  /** Every user's id and name: staff lists are small and names are on every customer row shown. */
  async function userNames(): Promise<Map<number, { id: number; name: string }>> {
    if (userCache && Date.now() - userCache.at < CACHE_MS) return userCache.byId;
    const rows = await models.User.findAll({ attributes: ['id', 'name'], raw: true });
    userCache = { at: Date.now(), byId: new Map(rows.map((u) => [u.id, { id: u.id, name: u.name }])) };
    return userCache.byId;
  }

  async function snapshot() {
    if (cache && Date.now() - cache.at < CACHE_MS) return cache;
    const rows = await models.Department.findAll({ raw: true });
    cache = { at: Date.now(), byId: new Map(rows.map((d) => [d.id, d as Department])), subtrees: new Map() };
    return cache;
  }

  async function departments(): Promise<Map<number, Department>> {
    return (await snapshot()).byId;
  }

  /** The department and everything under it (a team lead's or branch manager's scope); [] when unknown. */
  async function subtreeIds(departmentId: number): Promise<readonly number[]> {
    const { byId, subtrees } = await snapshot();
    let ids = subtrees.get(departmentId);
    if (!ids) {
      const root = byId.get(departmentId);
      ids = Object.freeze(root ? [...byId.values()].filter((d) => d.path.startsWith(root.path)).map((d) => d.id) : []);
      subtrees.set(departmentId, ids);
    }
    return ids;
  }

  async function departmentName(id: number | null): Promise<string | null> {
    if (id === null) return null;
    return (await departments()).get(id)?.name ?? null;
  }

  /** Department ids whose customers the actor manages (team lead: team; branch manager: branch; admin: all). */
  async function managedDepartmentIds(actor: Actor): Promise<readonly number[] | 'all'> {
    if (actor.role === 'admin') return 'all';
    if (actor.role === 'team_lead' || actor.role === 'branch_manager') return subtreeIds(actor.departmentId);
    return [];
  }

  function describeUser(u: User, depts: Map<number, Department>) {
    return {
      id: u.id,
      name: u.name,
      role: u.role,
      roleName: ROLES[u.role],
      departmentId: u.departmentId,
      departmentName: depts.get(u.departmentId)?.name ?? null,
      status: u.status,
      title: u.title,
      // Shown wherever staff are listed (hand-over, assign pickers); auto-assignment skips them.
      ...leaveView(u, shanghaiDate(new Date(now()))),
    };
  }

  return {
    departments,
    subtreeIds,
    departmentName,
    managedDepartmentIds,
    invalidate() {
      cache = null;
      userCache = null;
      actors.clear();
    },

    /**
     * The signed-in user as an actor, or null when unknown or disabled. Needed on every request, so
     * cached for a few seconds; invalidate() (called when staff are disabled) makes a change take
     * effect at once in this process, and within ACTOR_TTL_MS in any other.
     */
    async activeActor(uid: number): Promise<Actor | null> {
      const hit = actors.get(uid);
      if (hit && Date.now() - hit.at < ACTOR_TTL_MS) return hit.actor;
      const u = await models.User.findByPk(uid, { attributes: ['id', 'name', 'role', 'departmentId', 'status'], raw: true });
      const actor = u && u.status === 'active' ? { id: u.id, name: u.name, role: u.role, departmentId: u.departmentId } : null;
      if (actors.size > 10_000) actors.clear();
      actors.set(uid, { at: Date.now(), actor });
      return actor;
    },

    async me(actor: Actor) {
      const depts = await departments();
      const user = await models.User.findByPk(actor.id, { raw: true });
      const dept = depts.get(actor.departmentId);
      const branch = dept ? [...depts.values()].find((d) => d.kind === 'branch' && dept.path.startsWith(d.path)) : undefined;
      const supervisor = user?.supervisorId ? await models.User.findByPk(user.supervisorId, { raw: true }) : null;
      return {
        ...describeUser(user as User, depts),
        departmentKind: dept?.kind ?? null,
        departmentKindName: dept ? DEPARTMENT_KINDS[dept.kind] : null,
        branchName: branch?.name ?? null,
        supervisorName: supervisor?.name ?? null,
      };
    },

    async usersByIds(ids: number[]): Promise<Map<number, { id: number; name: string }>> {
      const unique = [...new Set(ids.filter((x): x is number => typeof x === 'number'))];
      if (unique.length === 0) return new Map();
      const all = await userNames();
      const found = new Map<number, { id: number; name: string }>();
      const missing: number[] = [];
      for (const id of unique) {
        const u = all.get(id);
        if (u) found.set(id, u);
        else missing.push(id);
      }
      if (missing.length) {
        // Someone added since the cache was filled.
        const rows = await models.User.findAll({ where: { id: missing }, attributes: ['id', 'name'], raw: true });
        for (const u of rows) found.set(u.id, { id: u.id, name: u.name });
      }
      return found;
    },

    /** People the actor may hand a customer to: active owners within the departments they manage. */
    async assignableUsers(actor: Actor) {
      const managed = await managedDepartmentIds(actor);
      if (managed !== 'all' && managed.length === 0) return [];
      const where: Record<string | symbol, unknown> = { status: 'active', role: { [Op.in]: OWNER_ROLES } };
      if (managed !== 'all') where.departmentId = { [Op.in]: managed };
      const rows = await models.User.findAll({ where, order: [['departmentId', 'ASC'], ['id', 'ASC']], raw: true });
      const depts = await departments();
      return rows.map((u) => describeUser(u as User, depts));
    },

    async canAssignTo(actor: Actor, userId: number): Promise<User | null> {
      const user = await models.User.findByPk(userId, { raw: true });
      if (!user || user.status !== 'active' || !OWNER_ROLES.includes(user.role)) return null;
      const managed = await managedDepartmentIds(actor);
      return managed === 'all' || managed.includes(user.departmentId) ? (user as User) : null;
    },

    /** All staff with the number of customers they own (any stage), for the admin's hand-over page. */
    async listStaff() {
      const depts = await departments();
      const users = await models.User.findAll({ order: [['departmentId', 'ASC'], ['id', 'ASC']], raw: true });
      const counts = (await models.Customer.count({ group: ['ownerId'], where: { ownerId: { [Op.ne]: null } } })) as unknown as Array<{ ownerId: number; count: number }>;
      const byOwner = new Map(counts.map((c) => [Number(c.ownerId), Number(c.count)]));
      return users.map((u) => ({ ...describeUser(u as User, depts), customerCount: byOwner.get(u.id) ?? 0 }));
    },

    async devUsers() {
      const depts = await departments();
      const rows = await models.User.findAll({ where: { status: 'active' }, order: [['id', 'ASC']], raw: true });
      return rows.map((u) => describeUser(u as User, depts));
    },
  };
}
export type OrgService = ReturnType<typeof createOrgService>;
