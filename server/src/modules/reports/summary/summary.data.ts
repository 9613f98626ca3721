// The facts of one business day (Asia/Shanghai) that the daily summary reports, read once for the
// whole company and grouped by (department, person), so composing 500 managers' messages is
// arithmetic over these rows, not 500 × 6 queries. Every query is bounded to the day through an
// index: customers(created_at), follow_ups(user_id, created_at) per person, loans(disbursed_on);
// applications and overdue loans are small tables filtered on their day columns.
//
// Attribution: a row counts for the department it carries (customers, applications and loans
// keep the owner's team, which is what data scope filters on), follow-ups for the author's
// current department. Pool customers (no department) belong to no manager's scope.
import { col, fn, Op } from 'sequelize';
import type { Models } from '../../../db/models';
import { addDays } from '../../../contracts/dates';

export interface PersonDay {
  departmentId: number;
  /** null: a fact with no person (a lead in a team's book without an owner). */
  userId: number | null;
  newLeads: number;
  followUps: number;
  submitted: number;
  approved: number;
  disbursedCount: number;
  disbursedFen: number;
}

export interface OverdueDay {
  departmentId: number;
  /** Loans whose first overdue day is today (newly overdue) and their outstanding principal. */
  newCount: number;
  newFen: number;
  /** Loans that moved to a worse bucket today (M1→M2 on day 31, M2→M3 on 61, M3→M3+ on 91). */
  worsenedCount: number;
  /** All overdue loans now (the book), for context. */
  openCount: number;
  openFen: number;
}

export interface DayFacts {
  day: string;
  people: PersonDay[];
  overdue: OverdueDay[];
}

/** [start, end) of a Shanghai business day as instants. China has no daylight saving. */
export function dayBounds(day: string): { from: Date; to: Date } {
  const from = new Date(`${day}T00:00:00+08:00`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

const num = (v: unknown) => Number(v ?? 0);

type Staff = { id: number; departmentId: number };

export async function loadDayFacts(models: Models, day: string, staff: readonly Staff[]): Promise<DayFacts> {
  const { from, to } = dayBounds(day);
  const range = { [Op.gte]: from, [Op.lt]: to };
  const deptOf = new Map(staff.map((s) => [s.id, s.departmentId]));
  const people = new Map<string, PersonDay>();
  const person = (departmentId: number, userId: number | null): PersonDay => {
    const key = `${departmentId}|${userId ?? ''}`;
    let p = people.get(key);
    if (!p) people.set(key, (p = { departmentId, userId, newLeads: 0, followUps: 0, submitted: 0, approved: 0, disbursedCount: 0, disbursedFen: 0 }));
    return p;
  };

  const [leads, follows, submitted, approved, disbursed, overdueRows] = await Promise.all([
    models.Customer.findAll({
      attributes: ['departmentId', 'ownerId', [fn('COUNT', col('id')), 'n']],
      where: { createdAt: range, departmentId: { [Op.ne]: null } },
      group: ['departmentId', 'ownerId'],
      raw: true,
    }) as unknown as Promise<{ departmentId: number; ownerId: number | null; n: unknown }[]>,
    // Per person through (user_id, created_at): an IN list of ranges, never a scan of the table.
    staff.length
      ? (models.FollowUp.findAll({
          attributes: ['userId', [fn('COUNT', col('id')), 'n']],
          where: { userId: staff.map((s) => s.id), createdAt: range },
          group: ['userId'],
          raw: true,
        }) as unknown as Promise<{ userId: number; n: unknown }[]>)
      : Promise.resolve([]),
    models.Application.findAll({
      attributes: ['departmentId', 'applicantId', [fn('COUNT', col('id')), 'n']],
      where: { submittedAt: range },
      group: ['departmentId', 'applicantId'],
      raw: true,
    }) as unknown as Promise<{ departmentId: number; applicantId: number; n: unknown }[]>,
    models.Application.findAll({
      attributes: ['departmentId', 'applicantId', [fn('COUNT', col('id')), 'n']],
      where: { status: 'approved', decidedAt: range },
      group: ['departmentId', 'applicantId'],
      raw: true,
    }) as unknown as Promise<{ departmentId: number; applicantId: number; n: unknown }[]>,
    models.Loan.findAll({
      attributes: ['departmentId', 'ownerId', [fn('COUNT', col('id')), 'n'], [fn('SUM', col('principal_fen')), 'fen']],
      where: { disbursedOn: day, status: { [Op.ne]: 'reversed' }, departmentId: { [Op.ne]: null } },
      group: ['departmentId', 'ownerId'],
      raw: true,
    }) as unknown as Promise<{ departmentId: number; ownerId: number | null; n: unknown; fen: unknown }[]>,
    models.Loan.findAll({
      attributes: ['departmentId', 'overdueSince', [fn('COUNT', col('id')), 'n'], [fn('SUM', col('outstanding_principal_fen')), 'fen']],
      where: { status: 'active', overdueBucket: { [Op.ne]: 'current' }, departmentId: { [Op.ne]: null } },
      group: ['departmentId', 'overdueSince'],
      raw: true,
    }) as unknown as Promise<{ departmentId: number; overdueSince: string | null; n: unknown; fen: unknown }[]>,
  ]);

  for (const r of leads) person(r.departmentId, r.ownerId).newLeads += num(r.n);
  for (const r of follows) {
    const d = deptOf.get(r.userId);
    if (d !== undefined) person(d, r.userId).followUps += num(r.n);
  }
  for (const r of submitted) person(r.departmentId, r.applicantId).submitted += num(r.n);
  for (const r of approved) person(r.departmentId, r.applicantId).approved += num(r.n);
  for (const r of disbursed) {
    const p = person(r.departmentId, r.ownerId);
    p.disbursedCount += num(r.n);
    p.disbursedFen += num(r.fen);
  }

  // Bucket boundaries of contracts/loans overdueBucket: day 1 → M1, 31 → M2, 61 → M3, 91 → M3+.
  const worsenedOn = new Set([30, 60, 90].map((d) => addDays(day, -d)));
  const overdue = new Map<number, OverdueDay>();
  for (const r of overdueRows) {
    let o = overdue.get(r.departmentId);
    if (!o) overdue.set(r.departmentId, (o = { departmentId: r.departmentId, newCount: 0, newFen: 0, worsenedCount: 0, openCount: 0, openFen: 0 }));
    const since = r.overdueSince ? String(r.overdueSince).slice(0, 10) : null;
    o.openCount += num(r.n);
    o.openFen += num(r.fen);
    if (since === day) {
      o.newCount += num(r.n);
      o.newFen += num(r.fen);
    } else if (since && worsenedOn.has(since)) {
      o.worsenedCount += num(r.n);
    }
  }
  return { day, people: [...people.values()], overdue: [...overdue.values()] };
}
