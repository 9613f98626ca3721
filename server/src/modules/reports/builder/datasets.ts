// The report builder's dataset registry as data: for each dataset of contracts/report-builder.ts,
// its base table and joins, the SQL expression behind every dimension, number, distinct field and
// rate, and the customer-id column the viewer's data scope restricts. These strings are the only
// SQL the compiler writes; a request only picks keys. Every dataset reaches a customer (alias c),
// so one scope rule (the customer is in the viewer's book, C27) covers them all.
import type { DatasetKey } from '../../../contracts/report-builder';
import { DATASETS } from '../../../contracts/report-builder';

export type Dialect = 'mysql' | 'sqlite';

/** A date column: a timestamp (UTC instant, bucketed as its Shanghai date) or a business date (DATEONLY). */
export interface DateColumn {
  expr: string;
  type: 'timestamp' | 'date';
}

/** How a ref dimension's ids turn into names after the query. */
export type RefKind = 'department' | 'user' | 'channel' | 'product';

export interface DatasetSql {
  from: string;
  date: DateColumn;
  /** SQL of each non-date dimension (also used by filters). */
  dimensions: Record<string, { expr: string; ref?: RefKind; enumLabels?: Record<string, string> }>;
  numbers: Record<string, string>;
  distinct: Record<string, string>;
  rates: Record<string, string>;
  /** The customer id column the scope applies to. */
  customerId: string;
}

import { STAGES } from '../../../contracts/stages';
import { COLLATERALS, FOLLOWUP_OUTCOMES, FOLLOWUP_TYPES } from '../../../contracts/catalog';
import { APPLICATION_STATUSES, TASK_STATUSES } from '../../../contracts/applications';
import { INSTALLMENT_STATUSES, LOAN_STATUSES, OVERDUE_BUCKETS } from '../../../contracts/loans';
import { COLLECTION_ACTIONS, PROMISE_STATUSES } from '../../../contracts/collections';

type DimSql = DatasetSql['dimensions'][string];
const ref = (expr: string, kind: RefKind): DimSql => ({ expr, ref: kind });
const en = (expr: string, enumLabels: Record<string, string>): DimSql => ({ expr, enumLabels });
const txt = (expr: string): DimSql => ({ expr });

const customerCols = {
  channel: ref('c.channel', 'channel'),
  city: txt('c.city'),
};

export const DATASET_SQL: { [K in DatasetKey]: DatasetSql & { dimensions: Record<Exclude<keyof (typeof DATASETS)[K]['dimensions'], 'date'>, unknown> } } = {
  customers: {
    from: 'customers c',
    date: { expr: 'c.created_at', type: 'timestamp' },
    dimensions: {
      team: ref('c.department_id', 'department'),
      officer: ref('c.owner_id', 'user'),
      ...customerCols,
      stage: en('c.stage', STAGES),
      collateral: en('c.collateral', COLLATERALS),
    },
    numbers: { loanAmount: 'c.loan_amount_fen', monthlyIncome: 'c.monthly_income_fen', loanTerm: 'c.loan_term_months' },
    distinct: { officer: 'c.owner_id', channel: 'c.channel', city: 'c.city' },
    rates: { converted: "c.stage IN ('disbursed', 'repaying', 'settled', 'bad_debt')", lost: "c.stage = 'lost'" },
    customerId: 'c.id',
  },
  followups: {
    from: 'follow_ups f JOIN customers c ON c.id = f.customer_id LEFT JOIN users u ON u.id = f.user_id',
    date: { expr: 'f.created_at', type: 'timestamp' },
    dimensions: {
      team: ref('u.department_id', 'department'),
      officer: ref('f.user_id', 'user'),
      ...customerCols,
      stage: en('c.stage', STAGES),
      type: en('f.type', FOLLOWUP_TYPES),
      outcome: en('f.outcome', FOLLOWUP_OUTCOMES),
    },
    numbers: {},
    distinct: { customer: 'f.customer_id', officer: 'f.user_id' },
    rates: { visit: "f.type = 'visit'", call: "f.type = 'call'" },
    customerId: 'f.customer_id',
  },
  applications: {
    from: 'applications a JOIN customers c ON c.id = a.customer_id',
    // Drafts have no submission time; they count on the day they were started.
    date: { expr: 'COALESCE(a.submitted_at, a.created_at)', type: 'timestamp' },
    dimensions: {
      team: ref('a.department_id', 'department'),
      officer: ref('a.applicant_id', 'user'),
      ...customerCols,
      product: txt('a.product'),
      stage: en('a.status', APPLICATION_STATUSES),
    },
    numbers: { amount: 'a.amount_fen', term: 'a.term_months' },
    distinct: { customer: 'a.customer_id', officer: 'a.applicant_id' },
    rates: { approved: "a.status = 'approved'", rejected: "a.status = 'rejected'" },
    customerId: 'a.customer_id',
  },
  approval_tasks: {
    from: 'approval_tasks t JOIN applications a ON a.id = t.application_id JOIN customers c ON c.id = a.customer_id',
    date: { expr: 't.created_at', type: 'timestamp' },
    dimensions: {
      team: ref('a.department_id', 'department'),
      officer: ref('t.assignee_id', 'user'),
      ...customerCols,
      product: txt('a.product'),
      stage: en('t.status', TASK_STATUSES),
      node: txt('t.node_name'),
    },
    numbers: {},
    distinct: { application: 't.application_id', officer: 't.assignee_id' },
    rates: { approved: "t.status = 'approved'", rejected: "t.status = 'rejected'" },
    customerId: 'a.customer_id',
  },
  loans: {
    // A reversed disbursement never happened as far as reports go.
    from: "loans l JOIN customers c ON c.id = l.customer_id AND l.status <> 'reversed'",
    date: { expr: 'l.disbursed_on', type: 'date' },
    dimensions: {
      team: ref('l.department_id', 'department'),
      officer: ref('l.owner_id', 'user'),
      channel: ref('l.channel', 'channel'),
      city: txt('c.city'),
      product: ref('l.product_id', 'product'),
      stage: en('l.status', LOAN_STATUSES),
      bucket: en('l.overdue_bucket', OVERDUE_BUCKETS),
    },
    numbers: {
      principal: 'l.principal_fen',
      outstanding: 'l.outstanding_principal_fen',
      annualRate: 'l.annual_rate_ppm',
      term: 'l.term_months',
      daysPastDue: 'l.days_past_due',
    },
    distinct: { customer: 'l.customer_id', officer: 'l.owner_id' },
    rates: { overdue: "l.overdue_bucket <> 'current'", settled: "l.status = 'settled'" },
    customerId: 'l.customer_id',
  },
  installments: {
    from: "installments i JOIN loans l ON l.id = i.loan_id AND l.status <> 'reversed' JOIN customers c ON c.id = l.customer_id",
    date: { expr: 'i.due_on', type: 'date' },
    dimensions: {
      team: ref('l.department_id', 'department'),
      officer: ref('l.owner_id', 'user'),
      channel: ref('l.channel', 'channel'),
      city: txt('c.city'),
      product: ref('l.product_id', 'product'),
      stage: en('i.status', INSTALLMENT_STATUSES),
    },
    numbers: {
      due: '(i.principal_fen + i.interest_fen)',
      paid: '(i.paid_principal_fen + i.paid_interest_fen)',
      principal: 'i.principal_fen',
      interest: 'i.interest_fen',
      penalty: 'i.penalty_fen',
    },
    distinct: { loan: 'i.loan_id', customer: 'l.customer_id' },
    rates: { paid: "i.status = 'paid'", overdue: "i.status = 'overdue'" },
    customerId: 'l.customer_id',
  },
  collections: {
    from: 'collection_records r JOIN loans l ON l.id = r.loan_id JOIN customers c ON c.id = r.customer_id',
    date: { expr: 'r.recorded_on', type: 'date' },
    dimensions: {
      team: ref('l.department_id', 'department'),
      officer: ref('r.created_by', 'user'),
      channel: ref('l.channel', 'channel'),
      city: txt('c.city'),
      product: ref('l.product_id', 'product'),
      stage: en('r.action', COLLECTION_ACTIONS),
      promise: en('r.promise_status', PROMISE_STATUSES),
    },
    numbers: { promiseAmount: 'r.promise_amount_fen', daysPastDue: 'r.days_past_due' },
    distinct: { loan: 'r.loan_id', customer: 'r.customer_id', officer: 'r.created_by' },
    // Of the records with a promise, the share kept; records without one count in the base.
    rates: { promised: 'r.promise_date IS NOT NULL', kept: "r.promise_status = 'kept'" },
    customerId: 'r.customer_id',
  },
};

/**
 * The Shanghai business date of a date column, bucketed. Timestamps are stored as UTC instants
 * (MySQL DATETIME with the connection at +00:00; SQLite text 'YYYY-MM-DD HH:MM:SS.SSS +00:00');
 * Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed 8-hour shift is exact.
 * Weeks start on Monday; a bucket is named by its first day (YYYY-MM-DD) on both databases.
 */
export function bucketExpr(dialect: Dialect, col: DateColumn, bucket: 'day' | 'week' | 'month'): string {
  if (dialect === 'mysql') {
    const d = col.type === 'timestamp' ? `DATE(DATE_ADD(${col.expr}, INTERVAL 8 HOUR))` : col.expr;
    if (bucket === 'day') return `DATE_FORMAT(${d}, '%Y-%m-%d')`;
    if (bucket === 'week') return `DATE_FORMAT(DATE_SUB(${d}, INTERVAL WEEKDAY(${d}) DAY), '%Y-%m-%d')`;
    return `DATE_FORMAT(${d}, '%Y-%m-01')`;
  }
  const d = col.type === 'timestamp' ? `date(${col.expr}, '+8 hours')` : `date(${col.expr})`;
  if (bucket === 'day') return d;
  if (bucket === 'week') return `date(${d}, '-' || ((CAST(strftime('%w', ${d}) AS INTEGER) + 6) % 7) || ' days')`;
  return `strftime('%Y-%m-01', ${d})`;
}
