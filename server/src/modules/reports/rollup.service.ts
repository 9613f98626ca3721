// Report rollups (issue #7, C21): the daily pre-aggregates behind the dashboards.
//
// Each customer, application and loan *contributes* measures to rollup cells (a cell = one row of
// a report_* table: day + dimensions). The contribution is computed from the raw rows alone
// (`compute*`), so the same code serves both paths:
//  - incrementally, in the business transaction: the 'reports-rollup' subscriber recomputes the
//    entity an event touched, subtracts what it contributed last time (report_facts) and adds the
//    new contribution with additive upserts (x = x + ?) — no read-modify-write on shared cells;
//  - in bulk, `npm run reports:rebuild`: every entity in id batches, summed in memory, written once.
// Follow-ups never change once written, so they are only ever added (no facts row).
import type { Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import { EVENT_TYPES, type EventInput } from '../events/events.service';
import { STAGE_FLOW, type Stage } from '../../contracts/stages';
import { addDays, shanghaiDate } from '../../contracts/dates';
import { additiveUpsert, asDate, dateOnly, dayOf, exec, num, query, stamp } from './report.sql';
import { sql } from '../../db/sql';

/** The rollup tables: key columns, then additive measures (in this order in every cell). */
const BASE_ROLLUPS = {
  customer: { table: 'report_customer_daily', keys: ['day', 'department_id', 'owner_id', 'channel'], measures: ['new_customers', 'reached_intent', 'reached_due_diligence', 'applied', 'approved', 'disbursed'] },
  followup: { table: 'report_followup_daily', keys: ['day', 'department_id', 'owner_id', 'channel', 'type'], measures: ['follow_ups', 'customers_touched'] },
  application: { table: 'report_application_daily', keys: ['day', 'department_id', 'owner_id', 'channel', 'product', 'flow_id'], measures: ['submitted', 'approved', 'rejected', 'withdrawn'] },
  node: { table: 'report_approval_node_daily', keys: ['day', 'department_id', 'owner_id', 'channel', 'product', 'flow_id', 'node_name'], measures: ['decided', 'approved', 'rejected', 'returned', 'duration_s'] },
  loan: { table: 'report_loan_daily', keys: ['day', 'department_id', 'owner_id', 'channel', 'product_id'], measures: ['disbursed_count', 'disbursed_fen', 'cycle_days', 'received_count', 'received_fen', 'due_fen', 'due_paid_fen', 'commission_fen'] },
  loanState: { table: 'report_loan_state', keys: ['department_id', 'owner_id', 'channel', 'product_id', 'bucket'], measures: ['loans', 'outstanding_fen'] },
} as const;
/** The dated rollups and their monthly twins (same columns, day = the month's 1st). */
const DATED_ROLLUPS = ['customer', 'followup', 'application', 'node', 'loan'] as const;
type DatedRollup = (typeof DATED_ROLLUPS)[number];
const monthlyOf = (r: DatedRollup) => `${r}M` as const;
export const ALL_ROLLUPS = {
  ...BASE_ROLLUPS,
  ...(Object.fromEntries(DATED_ROLLUPS.map((r) => [monthlyOf(r), { ...BASE_ROLLUPS[r], table: BASE_ROLLUPS[r].table.replace('_daily', '_monthly') }])) as {
    [K in DatedRollup as `${K}M`]: { table: string; keys: (typeof BASE_ROLLUPS)[K]['keys']; measures: (typeof BASE_ROLLUPS)[K]['measures'] };
  }),
};
export const ROLLUPS = ALL_ROLLUPS;
export type RollupName = keyof typeof ALL_ROLLUPS;
type BaseRollup = keyof typeof BASE_ROLLUPS;
type Key = (string | number)[];

/** Cells an entity contributes to: "rollup\u0001[keys…]" → measures. */
export class Contribution {
  readonly cells = new Map<string, number[]>();
  /** A dated cell goes to the daily table and, under the month's 1st, to its monthly twin. */
  add(r: BaseRollup, key: Key, measures: number[]) {
    if (r === 'loanState') return this.put(r, key, measures);
    this.put(r, key, measures);
    this.put(monthlyOf(r), [`${String(key[0]).slice(0, 7)}-01`, ...key.slice(1)], measures);
  }
  private put(r: RollupName, key: Key, measures: number[]) {
    const k = `${r}\u0001${JSON.stringify(key)}`;
    const cur = this.cells.get(k);
    if (cur) for (let i = 0; i < measures.length; i++) cur[i] += measures[i];
    else this.cells.set(k, [...measures]);
  }
  merge(other: Contribution, sign = 1) {
    for (const [k, m] of other.cells) {
      const cur = this.cells.get(k);
      if (cur) for (let i = 0; i < m.length; i++) cur[i] += sign * m[i];
      else this.cells.set(k, m.map((x) => sign * x));
    }
  }
  toJSON() {
    return [...this.cells];
  }
  static parse(json: string | null | undefined): Contribution {
    const c = new Contribution();
    if (json) for (const [k, m] of JSON.parse(json) as [string, number[]][]) c.cells.set(k, m);
    return c;
  }
}

type EntityType = 'customer' | 'application' | 'loan';

const STAGE_RANK: Partial<Record<Stage, number>> = Object.fromEntries(STAGE_FLOW.map((s, i) => [s, i]));
// Bad debt only follows a disbursement.
STAGE_RANK.bad_debt = STAGE_FLOW.indexOf('disbursed');
const FUNNEL_LEVELS = 5; // intent, due_diligence, applied, approved, disbursed

const inList = (ids: number[]) => ids.map(() => '?').join(', ');

/** Cycle days between two YYYY-MM-DD dates. */
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);

export function createRollupService(deps: Pick<Deps, 'db' | 'log'>) {
  const { db } = deps;
  // Reads inside the business transaction are plain (consistent) reads: locking reads over child
  // tables (stage changes, applications by customer …) would take gap locks at the end of their
  // indexes and serialise every concurrent insert — all new leads queued behind one another. The
  // facts row lock below orders two refreshes of one entity; what a transaction changed itself it
  // always reads back. See README 数据报表 for the one race left (and why the rebuild settles it).
  const lock = (_t?: Transaction | null) => '';
  /** Inside a transaction through Sequelize; outside (the rebuild) through Db.select's fast path. */
  const read = <T>(text: string, params: unknown[], t?: Transaction | null): Promise<T[]> => (t ? query<T>(db, text, params, t) : db.select<T>({ text, params }));
  const upserts = Object.fromEntries(
    (Object.keys(ROLLUPS) as RollupName[]).map((r) => [r, additiveUpsert(db, ROLLUPS[r].table, [...ROLLUPS[r].keys], [...ROLLUPS[r].measures])]),
  ) as Record<RollupName, ReturnType<typeof additiveUpsert>>;
  let commissionTable: Promise<boolean> | null = null;
  const hasCommissions = () =>
    (commissionTable ??= db.sequelize
      .getQueryInterface()
      .describeTable('commission_accruals')
      .then(() => true)
      .catch(() => false));

  // ---------- contributions from the raw rows ----------

  /** The lead cohort cell: creation day, current owner; the furthest funnel step ever reached. */
  async function computeCustomers(ids: number[], t?: Transaction | null): Promise<Map<number, Contribution>> {
    const out = new Map<number, Contribution>();
    if (!ids.length) return out;
    // One statement: the row, the furthest stage in its history, and whether an application was
    // submitted / approved and a loan made (this runs in every customer-changing transaction).
    const rankCase = (col: string) => `CASE ${col} ${Object.entries(STAGE_RANK).map(([st, r]) => `WHEN '${st}' THEN ${r}`).join(' ')} ELSE 0 END`;
    const rows = await read<{ id: number; created_at: unknown; channel: string; owner_id: number | null; department_id: number | null; stage: Stage; hist: number | null; sub: number; appr: number; loan: number }>(
      `SELECT c.id, c.created_at, c.channel, c.owner_id, c.department_id, c.stage,
         (SELECT MAX(${rankCase('h.to_stage')}) FROM customer_stage_changes h WHERE h.customer_id = c.id) AS hist,
         EXISTS (SELECT 1 FROM applications a WHERE a.customer_id = c.id AND a.submitted_at IS NOT NULL) AS sub,
         EXISTS (SELECT 1 FROM applications a WHERE a.customer_id = c.id AND a.status = 'approved') AS appr,
         EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id AND l.status <> 'reversed') AS loan
       FROM customers c WHERE c.id IN (${inList(ids)})`, ids, t);
    const level = new Map<number, number>();
    for (const r of rows) {
      let lv = Math.max(STAGE_RANK[r.stage] ?? 0, num(r.hist));
      if (num(r.sub)) lv = Math.max(lv, 3);
      if (num(r.appr)) lv = Math.max(lv, 4);
      if (num(r.loan)) lv = Math.max(lv, 5);
      level.set(Number(r.id), lv);
    }
    for (const r of rows) {
      const c = new Contribution();
      const lv = level.get(Number(r.id)) ?? 0;
      const steps = Array.from({ length: FUNNEL_LEVELS }, (_, i) => (lv >= i + 1 ? 1 : 0));
      c.add('customer', [dayOf(r.created_at)!, r.department_id ?? 0, r.owner_id ?? 0, r.channel], [1, ...steps]);
      out.set(Number(r.id), c);
    }
    return out;
  }

  /** Submissions by day, the final decision by its day, and each decided approval task at its node. */
  async function computeApplications(ids: number[], t?: Transaction | null): Promise<Map<number, Contribution>> {
    const out = new Map<number, Contribution>();
    if (!ids.length) return out;
    const l = lock(t);
    const apps = await read<{ id: number; applicant_id: number; department_id: number; status: string; product: string; flow_id: number | null; decided_at: unknown; channel: string }>(
      `SELECT a.id, a.applicant_id, a.department_id, a.status, a.product, a.flow_id, a.decided_at, c.channel FROM applications a JOIN customers c ON c.id = a.customer_id WHERE a.id IN (${inList(ids)})${l}`, ids, t);
    const dims = new Map(apps.map((a) => [Number(a.id), [a.department_id ?? 0, a.applicant_id ?? 0, a.channel, a.product, a.flow_id ?? 0] as Key]));
    for (const a of apps) out.set(Number(a.id), new Contribution());
    const actions = await read<{ application_id: number; action: string; created_at: unknown }>(
      `SELECT application_id, action, created_at FROM application_actions WHERE application_id IN (${inList(ids)}) AND action IN ('submit', 'resubmit', 'withdraw')${l}`, ids, t);
    const withdrawnOn = new Map<number, string>();
    for (const x of actions) {
      const id = Number(x.application_id);
      const c = out.get(id);
      if (!c) continue;
      const d = dayOf(x.created_at)!;
      if (x.action === 'withdraw') withdrawnOn.set(id, withdrawnOn.has(id) && withdrawnOn.get(id)! > d ? withdrawnOn.get(id)! : d);
      else c.add('application', [d, ...dims.get(id)!], [1, 0, 0, 0]);
    }
    for (const a of apps) {
      const id = Number(a.id);
      const c = out.get(id)!;
      if ((a.status === 'approved' || a.status === 'rejected') && a.decided_at) c.add('application', [dayOf(a.decided_at)!, ...dims.get(id)!], [0, a.status === 'approved' ? 1 : 0, a.status === 'rejected' ? 1 : 0, 0]);
      if (a.status === 'withdrawn' && withdrawnOn.has(id)) c.add('application', [withdrawnOn.get(id)!, ...dims.get(id)!], [0, 0, 0, 1]);
    }
    const tasks = await read<{ application_id: number; node_name: string; status: string; created_at: unknown; decided_at: unknown }>(
      `SELECT application_id, node_name, status, created_at, decided_at FROM approval_tasks WHERE application_id IN (${inList(ids)}) AND status IN ('approved', 'rejected', 'returned') AND decided_at IS NOT NULL${l}`, ids, t);
    for (const k of tasks) {
      const id = Number(k.application_id);
      const c = out.get(id);
      if (!c) continue;
      const secs = Math.max(0, Math.round((asDate(k.decided_at)!.getTime() - asDate(k.created_at)!.getTime()) / 1000));
      c.add('node', [dayOf(k.decided_at)!, ...dims.get(id)!, k.node_name], [1, k.status === 'approved' ? 1 : 0, k.status === 'rejected' ? 1 : 0, k.status === 'returned' ? 1 : 0, secs]);
    }
    return out;
  }

  /**
   * A loan: its disbursement, each payment not reversed, each installment by due day (due and paid
   * principal + interest), commission accrued, and — while live — its outstanding principal by
   * overdue bucket. A reversed disbursement contributes nothing.
   */
  async function computeLoans(ids: number[], t?: Transaction | null): Promise<Map<number, Contribution>> {
    const out = new Map<number, Contribution>();
    if (!ids.length) return out;
    const l = lock(t);
    const loans = await read<{ id: number; department_id: number | null; owner_id: number | null; channel: string; product_id: number | null; principal_fen: number; disbursed_on: unknown; status: string; outstanding_principal_fen: number; overdue_bucket: string; customer_created_at: unknown }>(
      `SELECT l.id, l.department_id, l.owner_id, l.channel, l.product_id, l.principal_fen, l.disbursed_on, l.status, l.outstanding_principal_fen, l.overdue_bucket, c.created_at AS customer_created_at FROM loans l JOIN customers c ON c.id = l.customer_id WHERE l.id IN (${inList(ids)})${l}`, ids, t);
    const dims = new Map<number, Key>();
    for (const x of loans) {
      const id = Number(x.id);
      const c = new Contribution();
      out.set(id, c);
      if (x.status === 'reversed') continue;
      const d: Key = [x.department_id ?? 0, x.owner_id ?? 0, x.channel, x.product_id ?? 0];
      dims.set(id, d);
      const on = dateOnly(x.disbursed_on)!;
      c.add('loan', [on, ...d], [1, num(x.principal_fen), daysBetween(dayOf(x.customer_created_at)!, on), 0, 0, 0, 0, 0]);
      if (x.status === 'active') c.add('loanState', [...d, x.overdue_bucket], [1, num(x.outstanding_principal_fen)]);
    }
    const live = [...dims.keys()];
    if (!live.length) return out;
    for (const e of await read<{ loan_id: number; occurred_on: unknown; amount_fen: number }>(
      `SELECT loan_id, occurred_on, amount_fen FROM loan_entries WHERE loan_id IN (${inList(live)}) AND kind IN ('payment', 'early_settlement') AND reversed_by_entry_id IS NULL${l}`, live, t)) {
      out.get(Number(e.loan_id))!.add('loan', [dateOnly(e.occurred_on)!, ...dims.get(Number(e.loan_id))!], [0, 0, 0, 1, num(e.amount_fen), 0, 0, 0]);
    }
    for (const i of await read<{ loan_id: number; due_on: unknown; due: number; paid: number; waived_fen: number }>(
      `SELECT loan_id, due_on, principal_fen + interest_fen AS due, paid_principal_fen + paid_interest_fen AS paid, waived_fen FROM installments WHERE loan_id IN (${inList(live)})${l}`, live, t)) {
      const paid = num(i.paid);
      // Interest forgiven by an early settlement is no longer receivable.
      const due = Math.max(paid, num(i.due) - num(i.waived_fen));
      out.get(Number(i.loan_id))!.add('loan', [dateOnly(i.due_on)!, ...dims.get(Number(i.loan_id))!], [0, 0, 0, 0, 0, due, Math.min(paid, due), 0]);
    }
    if (await hasCommissions()) {
      for (const a of await read<{ loan_id: number; occurred_on: unknown; amount_fen: number }>(
        `SELECT loan_id, occurred_on, SUM(amount_fen) AS amount_fen FROM commission_accruals WHERE loan_id IN (${inList(live)}) GROUP BY loan_id, occurred_on${l}`, live, t)) {
        out.get(Number(a.loan_id))!.add('loan', [dateOnly(a.occurred_on)!, ...dims.get(Number(a.loan_id))!], [0, 0, 0, 0, 0, 0, 0, num(a.amount_fen)]);
      }
    }
    return out;
  }

  const COMPUTE: Record<EntityType, typeof computeCustomers> = { customer: computeCustomers, application: computeApplications, loan: computeLoans };

  // ---------- writing ----------

  /** Adds a (signed) contribution to the rollup tables, cells in key order so concurrent writers lock alike. */
  async function apply(delta: Contribution, t?: Transaction | null) {
    const byRollup = new Map<RollupName, unknown[][]>();
    for (const k of [...delta.cells.keys()].sort()) {
      const m = delta.cells.get(k)!;
      if (m.every((x) => x === 0)) continue;
      const sep = k.indexOf('\u0001');
      const r = k.slice(0, sep) as RollupName;
      const list = byRollup.get(r) ?? [];
      list.push([...(JSON.parse(k.slice(sep + 1)) as Key), ...m]);
      byRollup.set(r, list);
    }
    for (const [r, rows] of byRollup) await upserts[r](rows, t);
  }

  /** Recomputes entities inside the business transaction and applies the difference to the rollups. */
  async function refresh(type: EntityType, ids: number[], t: Transaction) {
    ids = [...new Set(ids)].sort((a, b) => a - b);
    if (!ids.length) return;
    const now = stamp(new Date());
    // Lock the facts rows first (creating them if new), so two transactions refreshing one entity
    // take turns, and the second computes from what the first committed.
    const ignore = db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await exec(db, `${ignore} INTO report_facts (entity_type, entity_id, data, updated_at) VALUES ${ids.map(() => "(?, ?, '[]', ?)").join(', ')}`, ids.flatMap((id) => [type, id, now]), t);
    const facts = await query<{ entity_id: number; data: string }>(
      db, `SELECT entity_id, data FROM report_facts WHERE entity_type = ? AND entity_id IN (${inList(ids)})${db.dialect === 'mysql' ? ' FOR UPDATE' : ''}`, [type, ...ids], t);
    const old = new Map(facts.map((f) => [Number(f.entity_id), f.data]));
    const fresh = await COMPUTE[type](ids, t);
    const delta = new Contribution();
    for (const id of ids) {
      const before = old.get(id) ?? '[]';
      const now_ = fresh.get(id) ?? new Contribution();
      const json = JSON.stringify(now_);
      if (json === before) continue;
      delta.merge(now_);
      delta.merge(Contribution.parse(before), -1);
      await exec(db, 'UPDATE report_facts SET data = ?, updated_at = ? WHERE entity_type = ? AND entity_id = ?', [json, now, type, id], t);
    }
    await apply(delta, t);
  }

  /** A new follow-up: one more of its type, and a customer touched if it is the author's first with them that day. */
  async function addFollowUp(id: number, t: Transaction) {
    const [f] = await query<{ customer_id: number; user_id: number; type: string; created_at: unknown; department_id: number | null; channel: string }>(
      db, 'SELECT f.customer_id, f.user_id, f.type, f.created_at, u.department_id, c.channel FROM follow_ups f JOIN users u ON u.id = f.user_id JOIN customers c ON c.id = f.customer_id WHERE f.id = ?', [id], t);
    if (!f) return;
    const day = dayOf(f.created_at)!;
    const [from, to] = [stamp(new Date(`${day}T00:00:00+08:00`)), stamp(new Date(`${addDays(day, 1)}T00:00:00+08:00`))];
    const [earlier] = await query<{ n: number }>(
      db, `SELECT COUNT(*) AS n FROM follow_ups WHERE customer_id = ? AND user_id = ? AND created_at >= ? AND created_at < ? AND id < ?${lock(t)}`, [f.customer_id, f.user_id, from, to, id], t);
    const c = new Contribution();
    c.add('followup', [day, f.department_id ?? 0, f.user_id, f.channel, f.type], [1, num(earlier?.n) === 0 ? 1 : 0]);
    await apply(c, t);
  }

  const customerOf = (e: EventInput) => Number(e.payload.customerId ?? (e.aggregateType === 'customer' ? e.aggregateId : NaN));
  const applicationOf = (e: EventInput) => Number(e.payload.applicationId ?? (e.aggregateType === 'application' ? e.aggregateId : NaN));
  const loanOf = (e: EventInput) => Number(e.payload.loanId ?? (e.aggregateType === 'loan' ? e.aggregateId : NaN));
  const ok = (n: number) => Number.isFinite(n) && n > 0;

  /**
   * What each event changes. Events not listed (approval.task_created, contract.signed,
   * collection.recorded) move no number the dashboards show; org moves (a person changing team)
   * do not rewrite history — past follow-ups stay with the team they were logged in — and a
   * customer keeps its department until its next owner change (then `reports:rebuild` or any
   * event on it re-files it).
   */
  /**
   * What a transaction's events touched, refreshed once just before it commits (the commit of the
   * emitting transaction is wrapped on its first event). Coalescing matters: a partner lead is
   * created, assigned and announced in one transaction, and refreshing at each event would hold
   * the new-lead cell's row lock through all of the assignment work — every concurrent intake
   * would queue behind it. At commit the cells are locked for a few statements only.
   */
  interface Pending {
    customers: Set<number>;
    applications: Set<number>;
    loans: Set<number>;
    followUps: number[];
    transfers: [number, number][];
  }
  const pending = new WeakMap<Transaction, Pending>();
  function queue(t: Transaction): Pending {
    let p = pending.get(t);
    if (!p) {
      const mine: Pending = { customers: new Set(), applications: new Set(), loans: new Set(), followUps: [], transfers: [] };
      pending.set(t, mine);
      const commit = t.commit.bind(t);
      // A throw here rolls the transaction back and fails the commit (Sequelize's managed
      // transaction does not roll back a failed commit itself): never a business change without
      // its numbers.
      t.commit = async () => {
        pending.delete(t);
        try {
          await flush(mine, t);
        } catch (err) {
          await t.rollback().catch(() => undefined);
          throw err;
        }
        return commit();
      };
      p = mine;
    }
    return p;
  }

  async function flush(p: Pending, t: Transaction) {
    for (const id of p.followUps.sort((a, b) => a - b)) await addFollowUp(id, t);
    for (const [from, to] of p.transfers) {
      // 离职继承 moves a whole book at once: every customer it moved.
      const moved = await query<{ customer_id: number }>(db, "SELECT DISTINCT customer_id FROM customer_owner_changes WHERE kind = 'transfer' AND from_user_id = ? AND to_user_id = ?", [from, to], t);
      for (const r of moved) p.customers.add(Number(r.customer_id));
    }
    if (p.loans.size) {
      const ids = [...p.loans];
      for (const r of await query<{ customer_id: number }>(db, `SELECT DISTINCT customer_id FROM loans WHERE id IN (${inList(ids)})`, ids, t)) p.customers.add(Number(r.customer_id));
      await refresh('loan', ids, t);
    }
    if (p.applications.size) await refresh('application', [...p.applications], t);
    const customers = [...p.customers];
    for (let i = 0; i < customers.length; i += 500) await refresh('customer', customers.slice(i, i + 500), t);
  }

  /** Notes what an event changes; the rollups are refreshed once, at the transaction's commit. */
  async function onEvent(e: EventInput, t: Transaction) {
    const p = () => queue(t);
    switch (e.type) {
      case EVENT_TYPES.CustomerCreated:
      case EVENT_TYPES.CustomerUpdated:
      case EVENT_TYPES.StageChanged:
      case EVENT_TYPES.OwnerChanged:
        if (ok(customerOf(e))) p().customers.add(customerOf(e));
        return;
      case EVENT_TYPES.FollowUpRecorded:
        if (ok(Number(e.payload.followUpId))) p().followUps.push(Number(e.payload.followUpId));
        return;
      case EVENT_TYPES.StaffBookTransferred:
        p().transfers.push([Number(e.payload.fromUserId), Number(e.payload.toUserId)]);
        return;
      case EVENT_TYPES.ApplicationSubmitted:
      case EVENT_TYPES.ApplicationDecided:
      case EVENT_TYPES.ApplicationWithdrawn:
        if (ok(applicationOf(e))) p().applications.add(applicationOf(e));
        if (ok(customerOf(e))) p().customers.add(customerOf(e));
        return;
      case EVENT_TYPES.LoanDisbursed:
      case EVENT_TYPES.LoanPaymentRecorded:
      case EVENT_TYPES.LoanEntryReversed:
      case EVENT_TYPES.LoanSettled:
      case EVENT_TYPES.LoanOverdueChanged:
      case EVENT_TYPES.LoanWrittenOff:
        if (ok(loanOf(e))) p().loans.add(loanOf(e));
        return;
      default:
        return;
    }
  }

  // ---------- rebuild ----------

  /**
   * Recomputes every rollup from the raw tables: entities in id batches (their facts rewritten),
   * follow-ups streamed by author and time. Run while writes are quiet (a deploy, the night):
   * events committed during the rebuild may be counted twice or not at all.
   */
  async function rebuild(opts: { batch?: number; onProgress?: (what: string, done: number) => void } = {}) {
    const batch = opts.batch ?? 2000;
    const progress = opts.onProgress ?? (() => undefined);
    for (const r of Object.values(ROLLUPS)) await exec(db, `DELETE FROM ${r.table}`);
    await exec(db, 'DELETE FROM report_facts');
    const totals = new Contribution();
    const tables: Record<EntityType, string> = { customer: 'customers', application: 'applications', loan: 'loans' };
    const counts: Record<string, number> = {};
    for (const type of ['customer', 'application', 'loan'] as EntityType[]) {
      let after = 0;
      let done = 0;
      for (;;) {
        const ids = (await query<{ id: number }>(db, `SELECT id FROM ${tables[type]} WHERE id > ? ORDER BY id LIMIT ?`, [after, batch])).map((r) => Number(r.id));
        if (!ids.length) break;
        after = ids[ids.length - 1];
        const computed = await COMPUTE[type](ids);
        const now = stamp(new Date());
        const rows = [...computed].map(([id, c]) => [type, id, JSON.stringify(c), now]);
        for (let i = 0; i < rows.length; i += 1000) {
          const chunk = rows.slice(i, i + 1000);
          await exec(db, `INSERT INTO report_facts (entity_type, entity_id, data, updated_at) VALUES ${chunk.map((r) => `(${r.map((v) => db.sequelize.escape(v as string | number)).join(', ')})`).join(', ')}`);
        }
        for (const c of computed.values()) totals.merge(c);
        done += ids.length;
        progress(type, done);
      }
      counts[type] = done;
    }
    await db.transaction((t) => apply(totals, t));
    counts.follow_up = await rebuildFollowUps(batch * 10, progress);
    return counts;
  }

  /**
   * Follow-ups in primary-key order (a sequential scan, no join): channels and departments from
   * in-memory maps, "customers touched" from the set of (customer, author, day) already seen — the
   * first follow-up by id of each, as the incremental path counts it. The set is sharded because a
   * JS Set holds at most 2^24 entries.
   */
  async function rebuildFollowUps(batch: number, progress: (what: string, done: number) => void) {
    const deptOf = new Map((await query<{ id: number; department_id: number }>(db, 'SELECT id, department_id FROM users')).map((u) => [Number(u.id), Number(u.department_id) || 0]));
    const channelOf = new Map<number, string>();
    for (let after = 0; ; ) {
      const rows = await db.select<{ id: number; channel: string }>(sql('SELECT id, channel FROM customers WHERE id > ? ORDER BY id LIMIT ?', after, batch));
      if (!rows.length) break;
      for (const r of rows) channelOf.set(Number(r.id), r.channel);
      after = Number(rows[rows.length - 1].id);
    }
    const SHARDS = 16;
    const seen = Array.from({ length: SHARDS }, () => new Set<number>());
    const dayNo = new Map<string, number>();
    let done = 0;
    let cells = new Contribution();
    for (let after = 0; ; ) {
      const rows = await db.select<{ id: number; customer_id: number; user_id: number; type: string; created_at: unknown }>(
        sql('SELECT id, customer_id, user_id, type, created_at FROM follow_ups WHERE id > ? ORDER BY id LIMIT ?', after, batch));
      if (!rows.length) break;
      for (const f of rows) {
        const day = dayOf(f.created_at)!;
        const cid = Number(f.customer_id);
        const uid = Number(f.user_id);
        let dn = dayNo.get(day);
        if (dn === undefined) dayNo.set(day, (dn = Math.round(Date.parse(day) / 86_400_000)));
        // (customer, author, day) as one exact number: < 2^53 for ids below 10^8 and 10^4 staff.
        const key = (cid * 10_000 + (uid % 10_000)) * 100_000 + (dn % 100_000);
        const set = seen[cid % SHARDS];
        const first = !set.has(key);
        if (first) set.add(key);
        cells.add('followup', [day, deptOf.get(uid) ?? 0, uid, channelOf.get(cid) ?? '', f.type], [1, first ? 1 : 0]);
      }
      after = Number(rows[rows.length - 1].id);
      done += rows.length;
      progress('follow_up', done);
      if (cells.cells.size > 200_000) {
        await db.transaction((t) => apply(cells, t));
        cells = new Contribution();
      }
    }
    await db.transaction((t) => apply(cells, t));
    return done;
  }

  return {
    /** Subscribes the rollups to every domain event (in the emitting transaction). */
    subscribe(events: Deps['events']) {
      events.on('*', 'reports-rollup', onEvent);
    },
    onEvent,
    refresh,
    rebuild,
    compute: COMPUTE,
    /** Every rollup row, for comparisons (tests, a consistency check). */
    async dump(): Promise<Record<RollupName, Record<string, number>[]>> {
      const out = {} as Record<RollupName, Record<string, number>[]>;
      for (const r of Object.keys(ROLLUPS) as RollupName[]) {
        const def = ROLLUPS[r];
        const rows = await query<Record<string, unknown>>(db, `SELECT ${[...def.keys, ...def.measures].join(', ')} FROM ${def.table}`);
        out[r] = rows
          .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'day' ? dateOnly(v) : (def.keys as readonly string[]).includes(k) && typeof v === 'string' ? v : num(v)])) as Record<string, number>)
          .filter((row) => def.measures.some((m) => row[m] !== 0))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      }
      return out;
    },
  };
}
export type RollupService = ReturnType<typeof createRollupService>;

/** Today's business date, for "overdue as of now". */
export const today = () => shanghaiDate();
