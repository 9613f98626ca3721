// Collections (C19): the overdue list, a loan's collection records (催收记录) and write-off (坏账).
// Every read and write goes through the customer's data scope: a loan of a customer outside it
// reads as not found.
import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import type { Actor } from '../../http/context';
import { AppError, notFound } from '../../http/errors';
import { shanghaiDate } from '../../contracts/dates';
import { can } from '../../contracts/roles';
import { canTransition } from '../../contracts/stages';
import { COLLECTION_ACTIONS, PROMISE_STATUSES, type ListOverdueQuery, type RecordCollectionInput, type WriteOffLoanInput } from '../../contracts/collections';
import { LOAN_STATUSES, OVERDUE_BUCKETS, INSTALLMENT_STATUSES } from '../../contracts/loans';
import { sql, and } from '../../db/sql';
import { EVENT_TYPES } from '../events/events.service';
import { bookScopeSql } from '../customers/customer.scope';
import type { CustomerService } from '../customers/customer.service';
import type { CollectionRecord } from './collection.model';
import { owedFen } from './overdue.calc';

function recordView(r: CollectionRecord, names: Map<number, { name: string }>) {
  return {
    id: Number(r.id), loanId: Number(r.loanId), action: r.action, actionLabel: COLLECTION_ACTIONS[r.action], result: r.result, recordedOn: r.recordedOn,
    daysPastDue: r.daysPastDue, promiseDate: r.promiseDate, promiseAmountFen: r.promiseAmountFen === null ? null : Number(r.promiseAmountFen),
    promiseStatus: r.promiseStatus, promiseStatusLabel: r.promiseStatus ? PROMISE_STATUSES[r.promiseStatus] : null, nextActionOn: r.nextActionOn,
    createdBy: r.createdBy, createdByName: names.get(r.createdBy)?.name ?? null, createdAt: new Date(r.createdAt).toISOString(),
  };
}

interface OverdueRow {
  id: number; loanNo: string; customerId: number; customerName: string; ownerId: number | null; departmentId: number | null;
  principalFen: number; outstandingPrincipalFen: number; daysPastDue: number; overdueBucket: keyof typeof OVERDUE_BUCKETS; overdueSince: string | null;
}

export function createCollectionService(deps: Deps, customers: CustomerService) {
  const { db, org, audit, events, bot } = deps;
  const { Loan, Installment, LoanEntry, CollectionRecord } = db.models;
  const today = () => shanghaiDate(new Date(bot.now()));

  /** The loan, if its customer is in the actor's read scope; anything else is not found. */
  async function loanInScope(actor: Actor, id: number, t?: Transaction) {
    const loan = await Loan.findByPk(id, { transaction: t, lock: t ? t.LOCK.UPDATE : undefined });
    if (!loan) throw notFound('贷款不存在或无权查看');
    try {
      await customers.findInScope(actor, Number(loan.customerId), 'read', t);
    } catch {
      throw notFound('贷款不存在或无权查看');
    }
    return loan;
  }

  return {
    /** Overdue loans in the actor's scope, worst first; filters bucket, team (subtree), officer. */
    async listOverdue(rc: RequestContext, q: ListOverdueQuery) {
      const scope = await bookScopeSql(rc.actor, org, 'read');
      const inCustomers = [scope];
      if (q.departmentId) inCustomers.push(sql('department_id IN (?)', await org.subtreeIds(q.departmentId)));
      if (q.ownerId) inCustomers.push(sql('owner_id = ?', q.ownerId));
      const c = and(inCustomers);
      const where = [sql("l.status = 'active'"), sql("l.overdue_bucket <> 'current'"), { text: `l.customer_id IN (SELECT id FROM customers WHERE ${c.text})`, params: c.params }];
      if (q.bucket) where.push(sql('l.overdue_bucket = ?', q.bucket));
      if (q.cursor) {
        const [dpd, id] = q.cursor.split(':').map(Number) as [number, number];
        where.push(sql('(l.days_past_due < ? OR (l.days_past_due = ? AND l.id > ?))', dpd, dpd, id));
      }
      const w = and(where);
      const rows = await db.select<OverdueRow>({
        text: `SELECT l.id, l.loan_no AS loanNo, l.customer_id AS customerId, c.name AS customerName, c.owner_id AS ownerId, c.department_id AS departmentId,
                      l.principal_fen AS principalFen, l.outstanding_principal_fen AS outstandingPrincipalFen, l.days_past_due AS daysPastDue,
                      l.overdue_bucket AS overdueBucket, l.overdue_since AS overdueSince
                 FROM loans l JOIN customers c ON c.id = l.customer_id
                WHERE ${w.text} ORDER BY l.days_past_due DESC, l.id ASC LIMIT ${q.limit + 1}`,
        params: w.params,
      });
      const page = rows.slice(0, q.limit);
      const ids = page.map((r) => Number(r.id));
      // What is late on each loan (principal + interest + penalty not yet paid on past-due installments).
      const late = ids.length ? await Installment.findAll({ where: { loanId: ids, status: 'overdue' }, raw: true }) : [];
      const lateFen = new Map<number, number>();
      for (const i of late) {
        const owed = owedFen({ ...i, id: Number(i.id), principalFen: Number(i.principalFen), interestFen: Number(i.interestFen), paidPrincipalFen: Number(i.paidPrincipalFen), paidInterestFen: Number(i.paidInterestFen), waivedFen: Number(i.waivedFen) })
          + Number(i.penaltyFen) - Number(i.paidPenaltyFen);
        lateFen.set(Number(i.loanId), (lateFen.get(Number(i.loanId)) ?? 0) + owed);
      }
      const owners = await org.usersByIds(page.map((r) => (r.ownerId === null ? null : Number(r.ownerId))).filter((x): x is number => x !== null));
      const lastRecords = ids.length ? await CollectionRecord.findAll({ where: { loanId: ids }, order: [['id', 'DESC']], raw: true }) : [];
      const last = new Map<number, CollectionRecord>();
      for (const r of lastRecords) if (!last.has(Number(r.loanId))) last.set(Number(r.loanId), r);
      const items = page.map((r) => {
        const l = last.get(Number(r.id));
        return {
          id: Number(r.id), loanNo: r.loanNo, customerId: Number(r.customerId), customerName: r.customerName,
          ownerId: r.ownerId === null ? null : Number(r.ownerId), ownerName: r.ownerId === null ? null : (owners.get(Number(r.ownerId))?.name ?? null),
          principalFen: Number(r.principalFen), outstandingPrincipalFen: Number(r.outstandingPrincipalFen), overdueFen: lateFen.get(Number(r.id)) ?? 0,
          daysPastDue: Number(r.daysPastDue), bucket: r.overdueBucket, overdueSince: r.overdueSince ? String(r.overdueSince).slice(0, 10) : null,
          lastAction: l ? { action: l.action, actionLabel: COLLECTION_ACTIONS[l.action], recordedOn: l.recordedOn, nextActionOn: l.nextActionOn, promiseDate: l.promiseDate, promiseStatus: l.promiseStatus } : null,
        };
      });
      const next = rows.length > q.limit ? `${page[page.length - 1]!.daysPastDue}:${page[page.length - 1]!.id}` : null;
      return { items, nextCursor: next };
    },

    /** One loan's collection view: the loan, its late installments and its records, newest first. */
    async loanDetail(rc: RequestContext, id: number) {
      const loan = await loanInScope(rc.actor, id);
      const customer = await db.models.Customer.findByPk(loan.customerId, { attributes: ['id', 'name'], raw: true });
      const installments = await Installment.findAll({ where: { loanId: id, dueOn: { [Op.lte]: today() } }, order: [['seq', 'ASC']], raw: true });
      const records = await CollectionRecord.findAll({ where: { loanId: id }, order: [['id', 'DESC']], limit: 200 });
      const names = await org.usersByIds(records.map((r) => r.createdBy));
      return {
        loan: {
          id: Number(loan.id), loanNo: loan.loanNo, customerId: Number(loan.customerId), customerName: customer?.name ?? null, status: loan.status, statusLabel: LOAN_STATUSES[loan.status],
          principalFen: Number(loan.principalFen), outstandingPrincipalFen: Number(loan.outstandingPrincipalFen), disbursedOn: loan.disbursedOn,
          daysPastDue: loan.daysPastDue, bucket: loan.overdueBucket, overdueSince: loan.overdueSince, penaltyDailyRatePpm: loan.penaltyDailyRatePpm, writtenOffOn: loan.writtenOffOn,
        },
        installments: installments.filter((i) => i.status !== 'paid' && i.status !== 'waived').map((i) => ({
          id: Number(i.id), seq: i.seq, dueOn: i.dueOn, status: i.status, statusLabel: INSTALLMENT_STATUSES[i.status],
          principalFen: Number(i.principalFen), interestFen: Number(i.interestFen), penaltyFen: Number(i.penaltyFen),
          paidFen: Number(i.paidPrincipalFen) + Number(i.paidInterestFen) + Number(i.paidPenaltyFen),
        })),
        records: records.map((r) => recordView(r, names)),
        permissions: {
          record: can(rc.actor.role, 'collection.record') && loan.status === 'active',
          writeOff: can(rc.actor.role, 'loan.write_off') && loan.status === 'active',
        },
      };
    },

    /** Adds a collection record; a retried submission with the same client key returns the first. */
    async record(rc: RequestContext, loanId: number, input: RecordCollectionInput) {
      if (input.promiseDate && input.promiseDate < today()) throw new AppError(422, 'VALIDATION_FAILED', '承诺还款日期不能早于今天', { fields: [{ field: 'promiseDate', message: '承诺还款日期不能早于今天' }] });
      if (input.clientKey) {
        const prior = await CollectionRecord.findOne({ where: { createdBy: rc.actor.id, clientKey: input.clientKey } });
        if (prior && Number(prior.loanId) === loanId) return recordView(prior, await org.usersByIds([prior.createdBy]));
      }
      const rec = await db.transaction(async (t) => {
        const loan = await loanInScope(rc.actor, loanId, t);
        if (loan.status !== 'active') throw new AppError(409, 'LOAN_NOT_ACTIVE');
        const r = await CollectionRecord.create({
          loanId, customerId: Number(loan.customerId), action: input.action, result: input.result, recordedOn: today(), daysPastDue: loan.daysPastDue,
          promiseDate: input.promiseDate ?? null, promiseAmountFen: input.promiseAmountFen ?? null, promiseStatus: input.promiseDate ? 'pending' : null,
          nextActionOn: input.nextActionOn ?? null, clientKey: input.clientKey ?? null, createdBy: rc.actor.id,
        }, { transaction: t });
        await audit.record(rc, { action: 'create', entityType: 'collection_record', entityId: r.id, after: { loanId, action: input.action, promiseDate: input.promiseDate ?? null, promiseAmountFen: input.promiseAmountFen ?? null } }, t);
        await events.emit({
          type: EVENT_TYPES.CollectionRecorded, aggregateType: 'loan', aggregateId: loanId, actorId: rc.actor.id,
          payload: { loanId, customerId: Number(loan.customerId), recordId: Number(r.id), action: input.action, promiseDate: input.promiseDate ?? null, promiseAmountFen: input.promiseAmountFen ?? null },
        }, t);
        return r;
      }).catch(async (err: unknown) => {
        // Two taps racing past the check above: the unique (created_by, client_key) keeps one, and
        // the other answers with it.
        if (err instanceof UniqueConstraintError && input.clientKey) {
          const prior = await CollectionRecord.findOne({ where: { createdBy: rc.actor.id, clientKey: input.clientKey } });
          if (prior) return prior;
        }
        throw err;
      });
      return recordView(rec, await org.usersByIds([rec.createdBy]));
    },

    /**
     * Writes the loan off as bad debt: status written_off, a write_off ledger entry for the principal
     * still outstanding, the customer moved to 坏账 (unless already there), LoanWrittenOff, audit.
     * One transaction; writing off a loan that is not active is a 409 and changes nothing.
     */
    async writeOff(rc: RequestContext, loanId: number, input: WriteOffLoanInput) {
      return db.transaction(async (t) => {
        const loan = await loanInScope(rc.actor, loanId, t);
        if (loan.status !== 'active') throw new AppError(409, 'LOAN_NOT_ACTIVE');
        const on = today();
        const principal = Number(loan.outstandingPrincipalFen);
        const entry = await LoanEntry.create({
          loanId, kind: 'write_off', occurredOn: on, amountFen: principal, principalFen: principal, source: 'manual', externalRef: 'write_off', note: input.reason, createdBy: rc.actor.id,
        }, { transaction: t });
        const before = { status: loan.status, daysPastDue: loan.daysPastDue, bucket: loan.overdueBucket };
        await loan.update({ status: 'written_off', writtenOffOn: on }, { transaction: t });
        const customer = await db.models.Customer.findByPk(loan.customerId, { transaction: t, lock: t.LOCK.UPDATE });
        if (customer && customer.stage !== 'bad_debt' && canTransition(customer.stage, 'bad_debt')) {
          // The writer-off (finance, a director) may hold no write scope over the customer: the
          // stage follows the loan, as a system move on their behalf.
          await customers.changeStage(rc, Number(loan.customerId), { to: 'bad_debt', reason: `贷款 ${loan.loanNo} 核销:${input.reason}` }, { transaction: t, system: true });
        }
        await audit.record(rc, { action: 'write_off', entityType: 'loan', entityId: loanId, before, after: { status: 'written_off', writtenOffOn: on, principalFen: principal, reason: input.reason, entryId: Number(entry.id) } }, t);
        await events.emit({
          type: EVENT_TYPES.LoanWrittenOff, aggregateType: 'loan', aggregateId: loanId, actorId: rc.actor.id,
          payload: { loanId, customerId: Number(loan.customerId), ownerId: loan.ownerId, principalFen: principal, on, reason: input.reason, entryId: Number(entry.id) },
        }, t);
        return { id: loanId, status: 'written_off', statusLabel: LOAN_STATUSES.written_off, writtenOffOn: on, writtenOffPrincipalFen: principal };
      });
    },
  };
}

export type CollectionService = ReturnType<typeof createCollectionService>;
