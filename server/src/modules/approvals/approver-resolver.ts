// Who an approver rule names, for one applicant, over a snapshot of the org chart: a role
// (optionally within the applicant's branch or department), the applicant's supervisor chain
// (level 1..N), a department head (walking up the tree), or named people. Only active users;
// never the applicant — a chain falls through to the next level instead.
import type { ApproverRule } from '../../contracts/approval-flow';
import type { Role } from '../../contracts/roles';
import type { Models } from '../../db/models';

export interface OrgUser {
  id: number;
  role: Role;
  departmentId: number;
  supervisorId: number | null;
  status: 'active' | 'disabled';
}

export interface OrgDepartment {
  id: number;
  kind: string;
  parentId: number | null;
  path: string;
  leaderId: number | null;
}

export interface OrgSnapshot {
  users: Map<number, OrgUser>;
  departments: Map<number, OrgDepartment>;
}

const active = (org: OrgSnapshot, id: number | null | undefined): id is number => id != null && org.users.get(id)?.status === 'active';

/** Active supervisors above the applicant, nearest first. A disabled supervisor is a missing level: their own supervisor stands in. */
function supervisorChain(org: OrgSnapshot, applicantId: number): number[] {
  const chain: number[] = [];
  const seen = new Set<number>([applicantId]);
  let cur = org.users.get(applicantId)?.supervisorId ?? null;
  while (cur !== null && !seen.has(cur)) {
    seen.add(cur);
    const u = org.users.get(cur);
    if (!u) break;
    if (u.status === 'active') chain.push(cur);
    cur = u.supervisorId;
  }
  return chain;
}

/** Distinct active department heads from the applicant's department upward, skipping the applicant. */
function headChain(org: OrgSnapshot, applicantId: number): number[] {
  const out: number[] = [];
  let dept = org.departments.get(org.users.get(applicantId)?.departmentId ?? -1);
  const seen = new Set<number>();
  while (dept && !seen.has(dept.id)) {
    seen.add(dept.id);
    const head = dept.leaderId;
    if (active(org, head) && head !== applicantId && !out.includes(head)) out.push(head);
    dept = dept.parentId === null ? undefined : org.departments.get(dept.parentId);
  }
  return out;
}

/** The subtree a role rule searches: the applicant's branch or department (null: everyone). */
function scopeRoot(org: OrgSnapshot, applicantId: number, scope: 'all' | 'branch' | 'department'): OrgDepartment | null {
  if (scope === 'all') return null;
  const own = org.departments.get(org.users.get(applicantId)?.departmentId ?? -1);
  if (!own) return null;
  if (scope === 'department') return own;
  // The nearest branch at or above the applicant's department; head-office staff have none → everyone.
  let d: OrgDepartment | undefined = own;
  while (d && d.kind !== 'branch') d = d.parentId === null ? undefined : org.departments.get(d.parentId);
  return d ?? null;
}

export function resolveApprovers(rule: ApproverRule, applicantId: number, org: OrgSnapshot): number[] {
  let ids: number[];
  switch (rule.type) {
    case 'role': {
      const root = scopeRoot(org, applicantId, rule.scope);
      ids = [...org.users.values()]
        .filter((u) => u.role === rule.role && u.status === 'active')
        .filter((u) => !root || (org.departments.get(u.departmentId)?.path ?? '').startsWith(root.path))
        .map((u) => u.id);
      break;
    }
    case 'supervisor': {
      const chain = supervisorChain(org, applicantId);
      ids = chain.length >= rule.level ? [chain[rule.level - 1]] : [];
      break;
    }
    case 'dept_head': {
      const chain = headChain(org, applicantId);
      ids = chain.length >= rule.level ? [chain[rule.level - 1]] : [];
      break;
    }
    case 'users':
      ids = rule.userIds.filter((id) => active(org, id));
      break;
  }
  return [...new Set(ids)].filter((id) => id !== applicantId).sort((a, b) => a - b);
}

export function activeAdmins(org: OrgSnapshot, applicantId: number): number[] {
  return [...org.users.values()].filter((u) => u.role === 'admin' && u.status === 'active' && u.id !== applicantId).map((u) => u.id).sort((a, b) => a - b);
}

/** Reads the org chart once for a run of the engine (staff lists are small: thousands at most). */
export async function loadOrgSnapshot(models: Pick<Models, 'User' | 'Department'>, transaction?: import('sequelize').Transaction): Promise<OrgSnapshot> {
  const [users, depts] = await Promise.all([
    models.User.findAll({ attributes: ['id', 'role', 'departmentId', 'supervisorId', 'status'], raw: true, transaction }),
    models.Department.findAll({ attributes: ['id', 'kind', 'parentId', 'path', 'leaderId'], raw: true, transaction }),
  ]);
  return {
    users: new Map(users.map((u) => [u.id, u as OrgUser])),
    departments: new Map(depts.map((d) => [d.id, d as OrgDepartment])),
  };
}
