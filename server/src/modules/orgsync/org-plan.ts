// Pure rules of an org sync, kept apart from the database work so each is tested on its own:
// the department tree order and kinds, tree paths, which CRM account a messenger member is, and
// who a person's supervisor is.
import type { DepartmentKind } from '../../contracts/roles';
import type { SnapshotDepartment, SnapshotUser } from './org-snapshot';

/** Head office at the top, branches below it, teams (and anything deeper) below those. */
export function kindForDepth(depth: number): DepartmentKind {
  return depth <= 0 ? 'head_office' : depth === 1 ? 'branch' : 'team';
}

/**
 * The messenger's departments parents-first (breadth-first) with their depth. Roots are the
 * departments whose parent is not in the snapshot (the company root, or the tops of the app's
 * visible range). Departments caught in a parent cycle are left out.
 */
export function orderDepartments(depts: SnapshotDepartment[]): { ordered: { dept: SnapshotDepartment; depth: number }[]; roots: string[] } {
  const byId = new Map(depts.map((d) => [d.id, d]));
  const children = new Map<string, SnapshotDepartment[]>();
  const roots: SnapshotDepartment[] = [];
  for (const d of depts) {
    if (d.parentId === null || d.parentId === d.id || !byId.has(d.parentId)) roots.push(d);
    else {
      const siblings = children.get(d.parentId);
      if (siblings) siblings.push(d);
      else children.set(d.parentId, [d]);
    }
  }
  const ordered: { dept: SnapshotDepartment; depth: number }[] = [];
  let level = roots.map((dept) => ({ dept, depth: 0 }));
  while (level.length) {
    ordered.push(...level);
    level = level.flatMap(({ dept, depth }) => (children.get(dept.id) ?? []).map((c) => ({ dept: c, depth: depth + 1 })));
  }
  return { ordered, roots: roots.map((r) => r.id) };
}

/** "/1/4/9/" for every department from its parent chain; a department in a broken chain keeps no entry. */
export function rebuildPaths(depts: { id: number; parentId: number | null }[]): Map<number, string> {
  const parent = new Map(depts.map((d) => [d.id, d.parentId]));
  const paths = new Map<number, string>();
  const pathOf = (id: number, seen: Set<number>): string | null => {
    const known = paths.get(id);
    if (known) return known;
    if (seen.has(id) || !parent.has(id)) return null;
    seen.add(id);
    const p = parent.get(id) ?? null;
    const base = p === null ? '/' : pathOf(p, seen);
    if (base === null) return null;
    const path = `${base}${id}/`;
    paths.set(id, path);
    return path;
  };
  for (const d of depts) pathOf(d.id, new Set());
  return paths;
}

export interface CrmUserForMatch {
  id: number;
  name: string;
  status: 'active' | 'disabled';
  mobileHash: string | null;
  /** The account's id in this messenger (wecom_userid / dingtalk_userid). */
  externalId: string | null;
}

/**
 * Which CRM account each messenger member is. By messenger userid first; an account not yet
 * linked to this messenger (created in the CRM before the first sync) is linked when exactly one
 * active unlinked account has the member's mobile, or else when the name is unique on both
 * sides. Anything ambiguous stays unlinked and the member gets a new account.
 */
export function matchUsers(
  members: SnapshotUser[],
  accounts: CrmUserForMatch[],
  mobileHashOf: (mobile: string) => string | null,
): { byUserid: Map<string, CrmUserForMatch>; linked: Set<string> } {
  const byUserid = new Map<string, CrmUserForMatch>();
  const linked = new Set<string>();
  const byExternal = new Map(accounts.filter((a) => a.externalId).map((a) => [a.externalId!, a]));
  const unmatched: SnapshotUser[] = [];
  for (const m of members) {
    const a = byExternal.get(m.userid);
    if (a) byUserid.set(m.userid, a);
    else unmatched.push(m);
  }
  const free = new Map(accounts.filter((a) => !a.externalId && a.status === 'active').map((a) => [a.id, a]));
  const link = (m: SnapshotUser, a: CrmUserForMatch) => {
    byUserid.set(m.userid, a);
    linked.add(m.userid);
    free.delete(a.id);
  };

  const groupBy = <T>(items: T[], key: (x: T) => string | null) => {
    const out = new Map<string, T[]>();
    for (const x of items) {
      const k = key(x);
      if (k === null) continue;
      const group = out.get(k);
      if (group) group.push(x);
      else out.set(k, [x]);
    }
    return out;
  };

  const memberHash = new Map(unmatched.map((m) => [m.userid, m.mobile ? mobileHashOf(m.mobile) : null]));
  const accountsByHash = groupBy([...free.values()], (a) => a.mobileHash);
  const membersByHash = groupBy(unmatched, (m) => memberHash.get(m.userid) ?? null);
  for (const [hash, ms] of membersByHash) {
    const as = accountsByHash.get(hash);
    if (ms.length === 1 && as?.length === 1) link(ms[0], as[0]);
  }

  const rest = unmatched.filter((m) => !byUserid.has(m.userid));
  const accountsByName = groupBy([...free.values()], (a) => a.name);
  const membersByName = groupBy(rest, (m) => m.name);
  for (const [name, ms] of membersByName) {
    const as = accountsByName.get(name);
    if (ms.length === 1 && as?.length === 1 && free.has(as[0].id)) link(ms[0], as[0]);
  }
  return { byUserid, linked };
}

/**
 * A person's supervisor: their explicit supervisor (WeCom direct_leader, DingTalk manager_userid)
 * when that is an active colleague; otherwise the leader of their department, or — for the
 * leader themself — of the nearest department above that has one.
 */
export function resolveSupervisor(input: {
  selfId: number;
  directLeaderIds: number[];
  departmentId: number;
  leaderOf: (departmentId: number) => number | null;
  parentOf: (departmentId: number) => number | null;
}): number | null {
  const direct = input.directLeaderIds.find((id) => id !== input.selfId);
  if (direct !== undefined) return direct;
  let dept: number | null = input.departmentId;
  for (let hops = 0; dept !== null && hops < 64; hops++) {
    const leader = input.leaderOf(dept);
    if (leader !== null && leader !== input.selfId) return leader;
    dept = input.parentOf(dept);
  }
  return null;
}
