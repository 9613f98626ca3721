// Applies a fetched org snapshot to the CRM inside the caller's transaction, so a sync that fails
// half-way changes nothing: departments (linked by messenger id, tree path and kind kept right),
// staff (new ones with the default role, existing ones keep their CRM role; name, title,
// department, supervisor and mobile hash follow the messenger), leavers disabled (their customers
// stay put and are offered for hand-over), movers' customers follow them to the new team. Every
// change leaves an audit row; customers that follow their owner also get an owner-history row.
import type { Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import type { AuditEntry } from '../audit/audit.service';
import { normalizePhone } from '../../contracts/identity';
import type { Role } from '../../contracts/roles';
import type { OrgSyncStats } from '../../contracts/org-sync';
import type { Department, User } from '../org/org.model';
import { kindForDepth, matchUsers, orderDepartments, rebuildPaths, resolveSupervisor } from './org-plan';
import type { OrgSnapshot, SnapshotUser } from './org-snapshot';

const CHUNK = 500;
/** Disabling more than this many people, and more than this share of the synced staff, needs `force`. */
const MASS_DISABLE_MIN = 5;
const MASS_DISABLE_SHARE = 0.2;

/** The sync would disable an unusual share of staff (often a narrowed visible range): nothing applied. */
export class MassDisableRefused extends Error {
  constructor(
    readonly wouldDisable: number,
    readonly activeLinked: number,
  ) {
    super(`would disable ${wouldDisable} of ${activeLinked} synced staff`);
  }
}

export interface ApplyOptions {
  /** The org_sync_runs row, for the admins' message about leavers. */
  runId: number;
  rc: RequestContext | null;
  defaultRole: Role;
  /** Messenger user ids made admins by every sync (ORG_SYNC_ADMINS). */
  admins?: readonly string[];
  now: Date;
  force: boolean;
}

type DeptState = Pick<Department, 'id' | 'name' | 'kind' | 'parentId' | 'path' | 'leaderId' | 'wecomDeptId' | 'dingtalkDeptId'>;
type UserState = Pick<User, 'id' | 'name' | 'role' | 'departmentId' | 'supervisorId' | 'status' | 'title' | 'wecomUserid' | 'dingtalkUserid' | 'mobileHash' | 'disabledAt' | 'disabledBy'>;
type UserChanges = Partial<Omit<UserState, 'id'>>;

const DEPT_ATTRS = ['id', 'name', 'kind', 'parentId', 'path', 'leaderId', 'wecomDeptId', 'dingtalkDeptId'] as const;
const USER_ATTRS = ['id', 'name', 'role', 'departmentId', 'supervisorId', 'status', 'title', 'wecomUserid', 'dingtalkUserid', 'mobileHash', 'disabledAt', 'disabledBy'] as const;

const clip = (s: string | null, max: number) => (s === null ? null : s.trim().slice(0, max));

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The fields of `desired` that differ from `current`, with their old values. */
function diff<T extends object>(current: T, desired: Partial<T>): { changes: Partial<T>; before: Partial<T> } {
  const changes: Partial<T> = {};
  const before: Partial<T> = {};
  for (const key of Object.keys(desired) as (keyof T)[]) {
    if (desired[key] !== undefined && desired[key] !== current[key]) {
      changes[key] = desired[key];
      before[key] = current[key];
    }
  }
  return { changes, before };
}

/** Audit payloads name a mobile change without carrying the hash. */
function auditable(o: Record<string, unknown>) {
  const { mobileHash, ...rest } = o;
  return mobileHash === undefined ? rest : { ...rest, mobile: mobileHash ? '已更新' : '无' };
}

export async function applySnapshot(deps: Deps, snapshot: OrgSnapshot, opts: ApplyOptions, t: Transaction): Promise<OrgSyncStats> {
  const { Department, User, Customer, OwnerChange } = deps.db.models;
  const { rc, now } = opts;
  const deptKey = snapshot.provider === 'wecom' ? 'wecomDeptId' : 'dingtalkDeptId';
  const userKey = snapshot.provider === 'wecom' ? 'wecomUserid' : 'dingtalkUserid';
  const stats: OrgSyncStats = {
    departments: { created: 0, updated: 0, missing: 0 },
    users: { created: 0, updated: 0, disabled: 0, reactivated: 0, moved: 0, linked: 0, skipped: 0 },
    customersMoved: 0,
    offeredForTransfer: [],
    apiCalls: snapshot.apiCalls,
  };
  const audits: AuditEntry[] = [];

  // ---- departments ----
  const deptRows = (await Department.findAll({ attributes: [...DEPT_ATTRS], transaction: t, lock: t.LOCK.UPDATE, raw: true })) as DeptState[];
  const deptById = new Map(deptRows.map((d) => [d.id, d]));
  const createdDepts = new Set<number>();
  const changedDepts = new Set<number>();

  async function createDept(values: Omit<DeptState, 'id' | 'path' | 'leaderId'>): Promise<DeptState> {
    const row = await Department.create({ ...values, path: '/' }, { transaction: t });
    const d: DeptState = { id: row.id, name: row.name, kind: row.kind, parentId: row.parentId, path: '/', leaderId: null, wecomDeptId: row.wecomDeptId, dingtalkDeptId: row.dingtalkDeptId };
    deptById.set(d.id, d);
    createdDepts.add(d.id);
    stats.departments.created++;
    audits.push({ action: 'sync_create', entityType: 'department', entityId: d.id, after: values });
    return d;
  }

  async function updateDept(d: DeptState, desired: Partial<DeptState>) {
    const { changes, before } = diff(d, desired);
    if (Object.keys(changes).length === 0) return;
    await Department.update(changes, { where: { id: d.id }, transaction: t });
    Object.assign(d, changes);
    if (!createdDepts.has(d.id)) changedDepts.add(d.id);
    audits.push({ action: 'sync_update', entityType: 'department', entityId: d.id, before, after: changes });
  }

  const { ordered, roots } = orderDepartments(snapshot.departments);
  const rootSet = new Set(roots);
  // One root is the head office. Several roots (the app sees only parts of the company) hang
  // under the CRM's head office as branches.
  let topParent: number | null = null;
  let depthOffset = 0;
  if (roots.length > 1) {
    const head = [...deptById.values()].filter((d) => d.parentId === null && d.kind === 'head_office').sort((a, b) => a.id - b.id)[0];
    topParent = (head ?? (await createDept({ name: '总部', kind: 'head_office', parentId: null, wecomDeptId: null, dingtalkDeptId: null }))).id;
    depthOffset = 1;
  }
  const byExt = new Map(deptRows.filter((d) => d[deptKey]).map((d) => [d[deptKey]!, d]));
  const claimed = new Set([...byExt.values()].map((d) => d.id));
  const crmByExt = new Map<string, number>();
  for (const { dept: sd, depth } of ordered) {
    const isRoot = rootSet.has(sd.id);
    const parentId = isRoot ? topParent : crmByExt.get(sd.parentId!)!;
    const name = clip(sd.name, 64) || sd.id;
    const kind = kindForDepth(depth + depthOffset);
    // Not linked yet: the head office for the single root, else a same-named department under the same parent.
    let d =
      byExt.get(sd.id) ??
      [...deptById.values()]
        .filter((x) => !x[deptKey] && !claimed.has(x.id) && (isRoot && topParent === null ? x.parentId === null && x.kind === 'head_office' : x.parentId === parentId && x.name === name))
        .sort((a, b) => a.id - b.id)[0];
    if (d) {
      claimed.add(d.id);
      await updateDept(d, { name, kind, parentId, [deptKey]: sd.id });
    } else {
      d = await createDept({ name, kind, parentId, wecomDeptId: deptKey === 'wecomDeptId' ? sd.id : null, dingtalkDeptId: deptKey === 'dingtalkDeptId' ? sd.id : null });
    }
    crmByExt.set(sd.id, d.id);
  }
  const inSnapshot = new Set(snapshot.departments.map((d) => d.id));
  stats.departments.missing = [...byExt.keys()].filter((ext) => !inSnapshot.has(ext)).length;
  const rootCrm = topParent ?? crmByExt.get(roots[0])!;

  // ---- staff ----
  const userRows = (await User.findAll({ attributes: [...USER_ATTRS], transaction: t, lock: t.LOCK.UPDATE, raw: true })) as UserState[];
  const userById = new Map(userRows.map((u) => [u.id, u]));
  const hashOf = (mobile: string) => {
    const n = normalizePhone(mobile);
    return n ? deps.crypto.blindIndex('phone', n) : null;
  };
  const match = matchUsers(
    snapshot.users,
    userRows.map((u) => ({ id: u.id, name: u.name, status: u.status, mobileHash: u.mobileHash, externalId: u[userKey] })),
    hashOf,
  );
  const deptOf = (m: SnapshotUser) =>
    (m.mainDepartmentId !== null ? crmByExt.get(m.mainDepartmentId) : undefined) ?? m.departmentIds.map((id) => crmByExt.get(id)).find((x) => x !== undefined) ?? rootCrm;

  const pending = new Map<number, { changes: UserChanges; before: UserChanges; action: 'sync_update' | 'sync_disable' | 'sync_enable' }>();
  const record = (u: UserState, desired: UserChanges, action: 'sync_update' | 'sync_disable' | 'sync_enable') => {
    const { changes, before } = diff<UserState>(u, desired);
    if (Object.keys(changes).length === 0) return;
    const prev = pending.get(u.id);
    pending.set(u.id, prev ? { changes: { ...prev.changes, ...changes }, before: { ...before, ...prev.before }, action: prev.action } : { changes, before, action });
    Object.assign(u, changes);
  };
  const crmIdByUserid = new Map<string, number>();
  const moved = new Map<number, { from: number; to: number }>();
  const disabledIds: number[] = [];
  const disable = (u: UserState) => {
    record(u, { status: 'disabled', disabledAt: now, disabledBy: 'org_sync' }, 'sync_disable');
    disabledIds.push(u.id);
  };
  const toCreate: SnapshotUser[] = [];

  for (const m of snapshot.users) {
    const found = match.byUserid.get(m.userid);
    // Never link an account to a member who is not active: nothing to gain, a wrong guess to risk.
    if (!found || (!m.active && match.linked.has(m.userid))) {
      if (m.active) toCreate.push(m);
      else stats.users.skipped++;
      continue;
    }
    const u = userById.get(found.id)!;
    crmIdByUserid.set(m.userid, u.id);
    if (match.linked.has(m.userid)) stats.users.linked++;
    const wasActive = u.status === 'active';
    if (wasActive && !m.active) {
      disable(u);
      continue;
    }
    if (!wasActive && !(m.active && u.disabledBy === 'org_sync')) continue; // disabled in the CRM by an admin: stays so
    const fromDept = u.departmentId;
    const mobileHash = m.mobile ? hashOf(m.mobile) : undefined; // not returned: keep what we have
    const fields: UserChanges = { [userKey]: m.userid, name: clip(m.name, 50) || m.userid, title: clip(m.title, 50) || null, departmentId: deptOf(m), mobileHash };
    if (opts.admins?.includes(m.userid)) fields.role = 'admin';
    if (wasActive) record(u, fields, 'sync_update');
    else record(u, { ...fields, status: 'active', disabledAt: null, disabledBy: null }, 'sync_enable');
    if (u.departmentId !== fromDept) moved.set(u.id, { from: fromDept, to: u.departmentId });
  }
  const members = new Set(snapshot.users.map((m) => m.userid));
  for (const u of userRows) if (u[userKey] && !members.has(u[userKey]!) && u.status === 'active') disable(u);

  const activeLinked = userRows.filter((u) => u[userKey] && (u.status === 'active' || pending.get(u.id)?.action === 'sync_disable')).length;
  if (!opts.force && disabledIds.length > MASS_DISABLE_MIN && disabledIds.length > activeLinked * MASS_DISABLE_SHARE) {
    throw new MassDisableRefused(disabledIds.length, activeLinked);
  }

  // New staff: inserted in bulk, then read back for their ids.
  for (const part of chunks(toCreate)) {
    await User.bulkCreate(
      part.map((m) => ({
        name: clip(m.name, 50) || m.userid,
        role: opts.admins?.includes(m.userid) ? ('admin' as const) : opts.defaultRole,
        departmentId: deptOf(m),
        supervisorId: null,
        status: 'active' as const,
        title: clip(m.title, 50) || null,
        [userKey]: m.userid,
        mobileHash: m.mobile ? hashOf(m.mobile) : null,
        syncedAt: now,
      })),
      { transaction: t },
    );
    const rows = (await User.findAll({ attributes: [...USER_ATTRS], where: { [userKey]: part.map((m) => m.userid) }, transaction: t, raw: true })) as UserState[];
    for (const u of rows) {
      userById.set(u.id, u);
      crmIdByUserid.set(u[userKey]!, u.id);
      audits.push({ action: 'sync_create', entityType: 'user', entityId: u.id, after: { name: u.name, role: u.role, departmentId: u.departmentId, title: u.title, [userKey]: u[userKey] } });
    }
  }
  const createdIds = new Set(toCreate.map((m) => crmIdByUserid.get(m.userid)!));
  stats.users.created = createdIds.size;

  // ---- leaders and supervisors (on the final state of everyone) ----
  const isActive = (id: number | null | undefined): id is number => id != null && userById.get(id)?.status === 'active';
  const activeId = (userid: string) => {
    const id = crmIdByUserid.get(userid);
    return isActive(id) ? id : null;
  };
  for (const { dept: sd } of ordered) {
    const d = deptById.get(crmByExt.get(sd.id)!)!;
    let leader = sd.leaders.map(activeId).find((id) => id !== null) ?? null;
    // The messenger names nobody: keep a leader who is still active and still in that department.
    if (leader === null && isActive(d.leaderId) && userById.get(d.leaderId)!.departmentId === d.id) leader = d.leaderId;
    await updateDept(d, { leaderId: leader });
  }
  const leaderOf = (id: number) => {
    const l = deptById.get(id)?.leaderId;
    return isActive(l) ? l : null;
  };
  const parentOf = (id: number) => deptById.get(id)?.parentId ?? null;
  const supervisorOfNew = new Map<number, number | null>();
  for (const m of snapshot.users) {
    const id = crmIdByUserid.get(m.userid);
    if (!isActive(id)) continue;
    const u = userById.get(id)!;
    const directLeaderIds = m.directLeaders.map(activeId).filter((x): x is number => x !== null);
    const supervisorId = resolveSupervisor({ selfId: id, directLeaderIds, departmentId: u.departmentId, leaderOf, parentOf });
    if (createdIds.has(id)) supervisorOfNew.set(id, supervisorId);
    else record(u, { supervisorId }, 'sync_update');
  }

  // ---- write the staff changes: one UPDATE per distinct change set ----
  const groups = new Map<string, { changes: UserChanges; ids: number[] }>();
  const addToGroup = (id: number, changes: UserChanges) => {
    const key = JSON.stringify(changes);
    const g = groups.get(key) ?? { changes, ids: [] };
    g.ids.push(id);
    groups.set(key, g);
  };
  for (const [id, p] of pending) {
    addToGroup(id, p.changes);
    if (p.action === 'sync_update') stats.users.updated++;
    else if (p.action === 'sync_disable') stats.users.disabled++;
    else stats.users.reactivated++;
    audits.push({ action: p.action, entityType: 'user', entityId: id, before: auditable(p.before), after: auditable(p.changes) });
  }
  for (const [id, supervisorId] of supervisorOfNew) if (supervisorId !== null) addToGroup(id, { supervisorId });
  for (const g of groups.values()) {
    for (const ids of chunks(g.ids)) await User.update(g.changes, { where: { id: ids }, transaction: t });
  }
  stats.users.moved = moved.size;

  // ---- departments' tree paths (a moved department carries its subtree) ----
  const paths = rebuildPaths([...deptById.values()]);
  for (const d of deptById.values()) {
    const path = paths.get(d.id);
    if (path && path !== d.path) {
      await Department.update({ path }, { where: { id: d.id }, transaction: t });
      d.path = path;
    }
  }
  stats.departments.updated = changedDepts.size;

  // ---- customers follow an owner who changed team ----
  const actorId = rc?.actor.id ?? null;
  for (const [ownerId, { to }] of moved) {
    const owner = userById.get(ownerId)!;
    const rows = await Customer.findAll({ where: { ownerId }, attributes: ['id', 'departmentId'], transaction: t, lock: t.LOCK.UPDATE, raw: true });
    const reason = `组织架构同步:${owner.name} 调至 ${deptById.get(to)?.name ?? ''}`.slice(0, 200);
    for (const part of chunks(rows)) {
      const ids = part.map((c) => Number(c.id));
      await Customer.update({ departmentId: to }, { where: { id: ids }, transaction: t });
      await OwnerChange.bulkCreate(ids.map((customerId) => ({ customerId, fromUserId: ownerId, toUserId: ownerId, kind: 'org_move' as const, actorId, reason })), { transaction: t });
      await deps.audit.recordMany(
        rc,
        part.map((c) => ({ action: 'department_follow', entityType: 'customer', entityId: Number(c.id), before: { departmentId: c.departmentId }, after: { departmentId: to, ownerId } })),
        t,
      );
    }
    stats.customersMoved += rows.length;
  }

  // ---- bookkeeping: when each present member was last seen (not a change: updated_at untouched) ----
  const seen = [...crmIdByUserid.values()].filter((id) => !createdIds.has(id));
  for (const ids of chunks(seen, 1000)) await User.update({ syncedAt: now }, { where: { id: ids }, transaction: t, silent: true });

  for (const part of chunks(audits)) await deps.audit.recordMany(rc, part, t);

  if (disabledIds.length) {
    const counts = (await Customer.count({ where: { ownerId: disabledIds }, group: ['ownerId'], transaction: t })) as unknown as { ownerId: number; count: number }[];
    const byOwner = new Map(counts.map((c) => [Number(c.ownerId), Number(c.count)]));
    stats.offeredForTransfer = disabledIds
      .filter((id) => (byOwner.get(id) ?? 0) > 0)
      .map((id) => ({ userId: id, name: userById.get(id)!.name, customers: byOwner.get(id)! }));
  }
  if (stats.offeredForTransfer.length) await tellAdmins(deps, [...userById.values()], stats.offeredForTransfer, opts.runId, t);
  return stats;
}

/** Leavers' books wait for an admin: tell every active admin, through the bot outbox, in this transaction. */
async function tellAdmins(deps: Deps, users: UserState[], leavers: OrgSyncStats['offeredForTransfer'], runId: number, t: Transaction) {
  const admins = users.filter((u) => u.role === 'admin' && u.status === 'active').map((u) => u.id);
  if (!admins.length) return;
  const names = leavers.slice(0, 20).map((l) => `${l.name}(${l.customers} 位客户)`).join('、') + (leavers.length > 20 ? ` 等 ${leavers.length} 人` : '');
  await deps.bot.notifyUsers(t, {
    kind: 'org_sync_leavers',
    idemKey: `org-sync:${runId}:leavers`,
    userIds: admins,
    ref: { type: 'org_sync_run', id: runId },
    payload: {
      title: '离职人员待移交客户',
      text: `组织架构同步已停用离职人员,其名下仍有客户需要移交:${names}。请在「组织架构同步」页面为他们办理离职交接。`,
      url: '/admin/org-sync',
      fields: leavers.slice(0, 6).map((l) => ({ label: l.name, value: `${l.customers} 位客户` })),
    },
  });
}
