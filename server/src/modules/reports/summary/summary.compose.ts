// Composing the daily summary (C22) from one day's facts: pure functions, no I/O, so the numbers
// of each manager's message are tested on their own and composing 500 of them is arithmetic.
//
// Scope follows data scope (C27, customers/customer.scope.ts): a team lead or branch manager sees
// their department's subtree (a branch manager of two teams gets one message covering both), a
// director the whole company. People ranked and listed are the customer-owning roles in scope,
// never the recipient themself.
import type { Role } from '../../../contracts/roles';
import type { DayFacts, OverdueDay, PersonDay } from './summary.data';

export const SUMMARY_MANAGER_ROLES: readonly Role[] = ['team_lead', 'branch_manager', 'director'];
/** Who is ranked on leaderboards and listed when they logged nothing. */
export const SUMMARY_STAFF_ROLES: readonly Role[] = ['officer', 'team_lead', 'branch_manager'];

export interface OrgDept {
  id: number;
  name: string;
  kind: string;
  path: string;
}
export interface OrgUser {
  id: number;
  name: string;
  role: Role;
  departmentId: number;
}

export interface Totals {
  newLeads: number;
  followUps: number;
  submitted: number;
  approved: number;
  disbursedCount: number;
  disbursedFen: number;
}

export interface PersonLine extends Totals {
  userId: number;
  name: string;
  departmentId: number;
}

export interface ScopeSummary {
  day: string;
  totals: Totals;
  overdue: Omit<OverdueDay, 'departmentId'>;
  /** Teams in scope with their own totals, best first (when the scope has more than one). */
  teams: { departmentId: number; name: string; totals: Totals }[];
  /** Best first: disbursed amount, then approved, submitted, follow-ups, new leads. Nobody with all zeros. */
  ranking: PersonLine[];
  /** Staff in scope with no follow-up logged today. */
  idle: { userId: number; name: string }[];
}

export interface ManagerSummary extends ScopeSummary {
  userId: number;
  name: string;
  role: Role;
  scopeName: string;
}

const zero = (): Totals => ({ newLeads: 0, followUps: 0, submitted: 0, approved: 0, disbursedCount: 0, disbursedFen: 0 });

function add(t: Totals, p: Totals) {
  t.newLeads += p.newLeads;
  t.followUps += p.followUps;
  t.submitted += p.submitted;
  t.approved += p.approved;
  t.disbursedCount += p.disbursedCount;
  t.disbursedFen += p.disbursedFen;
}

/** Leaderboard order: money first (what a broker is paid for), then the pipeline, then activity. */
export function compareRank(a: PersonLine, b: PersonLine): number {
  return (
    b.disbursedFen - a.disbursedFen ||
    b.approved - a.approved ||
    b.submitted - a.submitted ||
    b.followUps - a.followUps ||
    b.newLeads - a.newLeads ||
    a.name.localeCompare(b.name, 'zh-CN') ||
    a.userId - b.userId
  );
}

const active = (t: Totals) => t.newLeads + t.followUps + t.submitted + t.approved + t.disbursedCount > 0;

/** The day's facts indexed once, then summarised for any set of departments. */
export function createSummaryIndex(facts: DayFacts, depts: readonly OrgDept[], users: readonly OrgUser[]) {
  const byDept = new Map<number, PersonDay[]>();
  for (const p of facts.people) {
    const l = byDept.get(p.departmentId);
    if (l) l.push(p);
    else byDept.set(p.departmentId, [p]);
  }
  const overdueByDept = new Map(facts.overdue.map((o) => [o.departmentId, o]));
  const staffByDept = new Map<number, OrgUser[]>();
  for (const u of users) {
    if (!SUMMARY_STAFF_ROLES.includes(u.role)) continue;
    const l = staffByDept.get(u.departmentId);
    if (l) l.push(u);
    else staffByDept.set(u.departmentId, [u]);
  }
  const deptById = new Map(depts.map((d) => [d.id, d]));
  const subtreeCache = new Map<number, number[]>();
  const userName = new Map(users.map((u) => [u.id, u.name]));

  function subtree(id: number): number[] {
    let ids = subtreeCache.get(id);
    if (!ids) {
      const root = deptById.get(id);
      ids = root ? depts.filter((d) => d.path.startsWith(root.path)).map((d) => d.id) : [];
      subtreeCache.set(id, ids);
    }
    return ids;
  }

  function summarise(deptIds: readonly number[], excludeUserId: number | null): ScopeSummary {
    const inScope = new Set(deptIds);
    const totals = zero();
    const perPerson = new Map<number, PersonLine>();
    const overdue = { newCount: 0, newFen: 0, worsenedCount: 0, openCount: 0, openFen: 0 };
    for (const d of deptIds) {
      for (const p of byDept.get(d) ?? []) {
        add(totals, p);
        if (p.userId === null) continue;
        let line = perPerson.get(p.userId);
        // A person counted under a department in scope; their name even if they left since.
        if (!line) perPerson.set(p.userId, (line = { ...zero(), userId: p.userId, name: userName.get(p.userId) ?? `#${p.userId}`, departmentId: p.departmentId }));
        add(line, p);
      }
      const o = overdueByDept.get(d);
      if (o) {
        overdue.newCount += o.newCount;
        overdue.newFen += o.newFen;
        overdue.worsenedCount += o.worsenedCount;
        overdue.openCount += o.openCount;
        overdue.openFen += o.openFen;
      }
    }
    const staff = deptIds.flatMap((d) => staffByDept.get(d) ?? []).filter((u) => u.id !== excludeUserId);
    const ranking = [...perPerson.values()].filter((l) => l.userId !== excludeUserId && active(l)).sort(compareRank);
    const idle = staff
      .filter((u) => (perPerson.get(u.id)?.followUps ?? 0) === 0)
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id - b.id)
      .map((u) => ({ userId: u.id, name: u.name }));
    const teams = deptIds
      .map((id) => deptById.get(id)!)
      .filter((d) => d && d.kind === 'team' && inScope.has(d.id))
      .map((d) => {
        const t = zero();
        for (const sub of subtree(d.id)) for (const p of byDept.get(sub) ?? []) add(t, p);
        return { departmentId: d.id, name: d.name, path: d.path, totals: t };
      })
      // Best teams first (a long list is cut in the message), by the leaderboard's order.
      .sort((a, b) => b.totals.disbursedFen - a.totals.disbursedFen || b.totals.approved - a.totals.approved || b.totals.submitted - a.totals.submitted || b.totals.followUps - a.totals.followUps || a.path.localeCompare(b.path))
      .map(({ path: _path, ...x }) => x);
    return { day: facts.day, totals, overdue, teams: teams.length > 1 ? teams : [], ranking, idle };
  }

  /** The scope of a manager: their department's subtree, or everything for a director. */
  function scopeOf(u: OrgUser): { deptIds: number[]; name: string } | null {
    if (u.role === 'director') return { deptIds: depts.map((d) => d.id), name: '全公司' };
    if (u.role === 'team_lead' || u.role === 'branch_manager') {
      const d = deptById.get(u.departmentId);
      return d ? { deptIds: subtree(d.id), name: d.name } : null;
    }
    return null;
  }

  function forManager(u: OrgUser): ManagerSummary | null {
    const scope = scopeOf(u);
    if (!scope) return null;
    return { ...summarise(scope.deptIds, u.id), userId: u.id, name: u.name, role: u.role, scopeName: scope.name };
  }

  /** A team's own day, for its group robot: everyone in the team is ranked (the lead too). */
  function forTeam(departmentId: number): (ScopeSummary & { name: string }) | null {
    const d = deptById.get(departmentId);
    if (!d) return null;
    return { ...summarise(subtree(d.id), null), name: d.name };
  }

  return { forManager, forTeam, scopeOf };
}
