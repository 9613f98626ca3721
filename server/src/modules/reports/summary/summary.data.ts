// The facts of one business day (Asia/Shanghai) that the daily summary reports, read once for the
// whole company and grouped by (department, person), so composing 500 managers' messages is
// arithmetic over these rows, not 500 × 6 queries.
//
// The counts come from the reports rollups (rollup.service.ts: report_*_daily, kept in the business
// transaction and rebuilt by `npm run reports:rebuild`), so a manager who taps through to the 数据
// page sees the same numbers as in the message: new customers by creation day and current owner,
// follow-ups by author and the author's team at the time, submissions (each submit/resubmit) and
// approvals by their day, disbursements by disbursement day. Overdue *changes* are not in the
// rollups (report_loan_state is the book now), so they are read from loans: the first overdue day
// and the bucket boundaries are dates on the loan row. Rows without a department (the public
// pool, department 0 in the rollups) belong to no manager's scope.
import { Op, col, fn } from 'sequelize';
import type { Models } from '../../../db/models';
import type { Db } from '../../../db/connection';
import { sql } from '../../../db/sql';
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

type Cell = { department_id: number; owner_id: number; a: unknown; b: unknown };

export async function loadDayFacts(db: Db & { models: Models }, day: string): Promise<DayFacts> {
  const people = new Map<string, PersonDay>();
  const person = (departmentId: number, ownerId: number): PersonDay => {
    const userId = ownerId > 0 ? ownerId : null;
    const key = `${departmentId}|${userId ?? ''}`;
    let p = people.get(key);
    if (!p) people.set(key, (p = { departmentId, userId, newLeads: 0, followUps: 0, submitted: 0, approved: 0, disbursedCount: 0, disbursedFen: 0 }));
    return p;
  };
  // Each rollup's cells of the day, by department and person: the unique keys lead with day.
  const cells = (table: string, a: string, b: string) =>
    db.select<Cell>(sql(`SELECT department_id, owner_id, SUM(${a}) AS a, SUM(${b}) AS b FROM ${table} WHERE day = ? AND department_id <> 0 GROUP BY department_id, owner_id`, day));
  const [leads, follows, apps, disbursed, overdueRows] = await Promise.all([
    cells('report_customer_daily', 'new_customers', '0'),
    cells('report_followup_daily', 'follow_ups', '0'),
    cells('report_application_daily', 'submitted', 'approved'),
    cells('report_loan_daily', 'disbursed_count', 'disbursed_fen'),
    db.models.Loan.findAll({
      attributes: ['departmentId', 'overdueSince', [fn('COUNT', col('id')), 'n'], [fn('SUM', col('outstanding_principal_fen')), 'fen']],
      where: { status: 'active', overdueBucket: { [Op.ne]: 'current' }, departmentId: { [Op.ne]: null } },
      group: ['departmentId', 'overdueSince'],
      raw: true,
    }) as unknown as Promise<{ departmentId: number; overdueSince: string | null; n: unknown; fen: unknown }[]>,
  ]);

  for (const r of leads) person(num(r.department_id), num(r.owner_id)).newLeads += num(r.a);
  for (const r of follows) person(num(r.department_id), num(r.owner_id)).followUps += num(r.a);
  for (const r of apps) {
    const p = person(num(r.department_id), num(r.owner_id));
    p.submitted += num(r.a);
    p.approved += num(r.b);
  }
  for (const r of disbursed) {
    const p = person(num(r.department_id), num(r.owner_id));
    p.disbursedCount += num(r.a);
    p.disbursedFen += num(r.b);
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
