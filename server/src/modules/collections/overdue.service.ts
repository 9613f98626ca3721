// The nightly overdue pass (C19): days past due, buckets and penalty interest per active loan, then
// promises to pay whose date has passed. Loans are read in id-ordered batches with only their late
// installments, and a loan is written (in its own short transaction, its row locked against a
// payment being recorded at the same moment) only when something about it changes. Penalty is
// charged once per loan per business day: `loans.penalty_charged_through` records the last day
// charged and the ledger entry's external_ref `penalty:<day>` is unique per loan, so a rerun the same
// day (or a second instance) adds nothing, and a missed night is caught up on the next run.
import { Op, QueryTypes, Sequelize, type Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import { shanghaiDate } from '../../contracts/dates';
import { formatFen } from '../../contracts/money';
import type { OverdueBucket } from '../../contracts/loans';
import { EVENT_TYPES } from '../events/events.service';
import { registerCommissionSubscribers } from '../commissions/commission.service';
import { overdueState, penaltyAccruals, type InstallmentState } from './overdue.calc';

const BATCH = 500;
const GROUP = 50;

interface LoanScan {
  id: number;
  customerId: number;
  daysPastDue: number;
  overdueBucket: OverdueBucket;
  overdueSince: string | null;
  penaltyDailyRatePpm: number | null;
  penaltyChargedThrough: string | null;
}

export interface OverdueRunResult {
  today: string;
  scanned: number;
  updated: number;
  bucketChanges: number;
  penaltyFen: number;
  promisesKept: number;
  promisesBroken: number;
  /** Loans that could not be written this run (logged; the next run catches up). */
  failed: number;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const dateStr = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v.slice(0, 10) : (v as Date).toISOString().slice(0, 10));

export function createOverdueService(deps: Deps) {
  const { db, bot, events } = deps;
  const { Loan, Installment, LoanEntry, LoanAllocation, CollectionRecord, Customer, Task } = db.models;

  function toState(i: { id: unknown; dueOn: string; principalFen: unknown; interestFen: unknown; paidPrincipalFen: unknown; paidInterestFen: unknown; waivedFen: unknown; status: InstallmentState['status'] }): InstallmentState {
    return {
      id: Number(i.id), dueOn: i.dueOn, principalFen: Number(i.principalFen), interestFen: Number(i.interestFen),
      paidPrincipalFen: Number(i.paidPrincipalFen), paidInterestFen: Number(i.paidInterestFen), waivedFen: Number(i.waivedFen), status: i.status,
    };
  }

  const lateWhere = (today: string) => ({ dueOn: { [Op.lt]: today }, status: { [Op.notIn]: ['paid', 'waived'] } });

  function needsWork(l: LoanScan, late: InstallmentState[], today: string): boolean {
    const s = overdueState(late, today);
    if (s.daysPastDue !== l.daysPastDue || s.bucket !== l.overdueBucket || s.overdueSince !== l.overdueSince) return true;
    if (late.some((i) => i.status !== 'overdue' && s.overdueInstallmentIds.includes(i.id))) return true;
    return penaltyAccruals(late, today, l.penaltyDailyRatePpm, l.penaltyChargedThrough).length > 0;
  }

  /**
   * Re-reads the loan under a row lock and applies today's state; returns what changed. Kept to a
   * handful of statements per loan (one locked read of the loan, one of its late installments, one
   * update per installment touched, the entry and its allocations, one update of the loan).
   */
  async function applyLoan(loanId: number, today: string, t: Transaction) {
    const loan = await Loan.findByPk(loanId, {
      attributes: { include: [[Sequelize.col('penalty_charged_through'), 'penaltyChargedThrough']] },
      transaction: t, lock: t.LOCK.UPDATE,
    });
    if (!loan || loan.status !== 'active') return null;
    const chargedThrough = dateStr(loan.get('penaltyChargedThrough'));
    const late = (await Installment.findAll({ where: { loanId, ...lateWhere(today) }, transaction: t, raw: true })).map(toState);
    const s = overdueState(late, today);

    const accruals = penaltyAccruals(late, today, loan.penaltyDailyRatePpm, chargedThrough);
    const penaltyOf = new Map(accruals.map((a) => [a.installmentId, a.fen]));
    for (const i of late) {
      const mark = s.overdueInstallmentIds.includes(i.id) && i.status !== 'overdue';
      const fen = penaltyOf.get(i.id) ?? 0;
      if (!mark && !fen) continue;
      await Installment.update(
        { ...(mark ? { status: 'overdue' as const } : {}), ...(fen ? { penaltyFen: Sequelize.literal(`penalty_fen + ${fen}`) as unknown as number } : {}) },
        { where: { id: i.id }, transaction: t },
      );
    }

    const penalty = accruals.reduce((a, x) => a + x.fen, 0);
    if (penalty) {
      const days = Math.max(...accruals.map((x) => x.days));
      const entry = await LoanEntry.create({
        loanId, kind: 'penalty_accrual', occurredOn: today, amountFen: penalty, penaltyFen: penalty, source: 'system',
        externalRef: `penalty:${today}`, note: `逾期罚息 ${days} 天(日利率 ${loan.penaltyDailyRatePpm} ppm)`,
      }, { transaction: t });
      await LoanAllocation.bulkCreate(accruals.map((a) => ({ entryId: Number(entry.id), installmentId: a.installmentId, principalFen: 0, interestFen: 0, penaltyFen: a.fen })), { transaction: t });
    }

    const from = loan.overdueBucket;
    const stateChanged = s.daysPastDue !== loan.daysPastDue || s.bucket !== from || s.overdueSince !== loan.overdueSince;
    if (stateChanged || penalty) {
      await db.sequelize.query(
        'UPDATE loans SET days_past_due = ?, overdue_bucket = ?, overdue_since = ?, penalty_charged_through = ?, updated_at = ? WHERE id = ?',
        { replacements: [s.daysPastDue, s.bucket, s.overdueSince, penalty ? today : chargedThrough, new Date(), loanId], transaction: t },
      );
    }
    const bucketChanged = s.bucket !== from;
    if (bucketChanged) {
      await events.emit({
        type: EVENT_TYPES.LoanOverdueChanged, aggregateType: 'loan', aggregateId: loanId, actorId: null,
        payload: { loanId, customerId: Number(loan.customerId), ownerId: loan.ownerId, from, to: s.bucket, daysPastDue: s.daysPastDue, on: today },
      }, t);
    }
    return { penalty, bucketChanged };
  }

  /** Payments (not reversed) on a loan from a day on. */
  async function paidSince(loanId: number, from: string, t: Transaction): Promise<number> {
    const sum = await LoanEntry.sum('amountFen', { where: { loanId, kind: ['payment', 'early_settlement'], reversedByEntryId: null, occurredOn: { [Op.gte]: from } }, transaction: t });
    return Number(sum ?? 0);
  }

  /**
   * A promise whose date has passed is kept when at least the promised amount was paid from the day
   * it was made; otherwise it is broken and the customer's owner gets one task (the task's source
   * key is unique, and the record's status moves under a row lock, so reruns add nothing).
   */
  async function checkPromises(today: string) {
    let kept = 0, broken = 0, after = 0;
    for (;;) {
      const batch = await CollectionRecord.findAll({ attributes: ['id'], where: { promiseStatus: 'pending', promiseDate: { [Op.lt]: today }, id: { [Op.gt]: after } }, order: [['id', 'ASC']], limit: BATCH, raw: true });
      if (!batch.length) break;
      after = Number(batch[batch.length - 1]!.id);
      for (const { id } of batch) {
        const outcome = await db.transaction(async (t) => {
          const r = await CollectionRecord.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
          if (!r || r.promiseStatus !== 'pending') return null;
          const paid = await paidSince(Number(r.loanId), r.recordedOn, t);
          if (paid >= Number(r.promiseAmountFen)) {
            await r.update({ promiseStatus: 'kept', promiseCheckedOn: today }, { transaction: t });
            return 'kept' as const;
          }
          await r.update({ promiseStatus: 'broken', promiseCheckedOn: today }, { transaction: t });
          const [customer, loan] = await Promise.all([Customer.findByPk(r.customerId, { attributes: ['id', 'name', 'ownerId'], transaction: t }), Loan.findByPk(r.loanId, { attributes: ['id', 'loanNo', 'ownerId'], transaction: t })]);
          const userId = customer?.ownerId ?? loan?.ownerId ?? r.createdBy;
          const title = `催收:${customer?.name ?? ''} 承诺 ${r.promiseDate} 还款 ${formatFen(Number(r.promiseAmountFen))} 元未兑现`.slice(0, 100);
          await Task.findOrCreate({
            where: { sourceKey: `collection:promise:${r.id}` },
            defaults: {
              userId, kind: 'collection', title, customerId: r.customerId, dueAt: new Date(bot.now()), sourceKey: `collection:promise:${r.id}`,
              note: `贷款 ${loan?.loanNo ?? r.loanId}:承诺后已还 ${formatFen(paid)} 元,请跟进并记录催收`,
            },
            transaction: t,
          });
          return 'broken' as const;
        });
        if (outcome === 'kept') kept++;
        if (outcome === 'broken') broken++;
      }
    }
    return { kept, broken };
  }

  return {
    async run(opts: { today?: string } = {}): Promise<OverdueRunResult> {
      const today = opts.today ?? shanghaiDate(new Date(bot.now()));
      const r: OverdueRunResult = { today, scanned: 0, updated: 0, bucketChanges: 0, penaltyFen: 0, promisesKept: 0, promisesBroken: 0, failed: 0 };
      let after = 0;
      for (;;) {
        const loans = await db.sequelize.query<Record<string, unknown>>(
          `SELECT id, customer_id AS customerId, days_past_due AS daysPastDue, overdue_bucket AS overdueBucket, overdue_since AS overdueSince,
                  penalty_daily_rate_ppm AS penaltyDailyRatePpm, penalty_charged_through AS penaltyChargedThrough
             FROM loans WHERE status = 'active' AND id > ? ORDER BY id LIMIT ${BATCH}`,
          { replacements: [after], type: QueryTypes.SELECT },
        );
        if (!loans.length) break;
        const scan: LoanScan[] = loans.map((l) => ({
          id: Number(l.id), customerId: Number(l.customerId), daysPastDue: Number(l.daysPastDue), overdueBucket: l.overdueBucket as OverdueBucket,
          overdueSince: dateStr(l.overdueSince), penaltyDailyRatePpm: num(l.penaltyDailyRatePpm), penaltyChargedThrough: dateStr(l.penaltyChargedThrough),
        }));
        after = scan[scan.length - 1]!.id;
        r.scanned += scan.length;
        const late = await Installment.findAll({ where: { loanId: scan.map((l) => l.id), ...lateWhere(today) }, raw: true });
        const byLoan = new Map<number, InstallmentState[]>();
        for (const i of late) byLoan.set(Number(i.loanId), [...(byLoan.get(Number(i.loanId)) ?? []), toState(i)]);
        const todo = scan.filter((l) => needsWork(l, byLoan.get(l.id) ?? [], today)).map((l) => l.id);
        // Up to GROUP loans per transaction (one commit instead of one per loan); if a group fails
        // (a deadlock with a payment, bad data), its loans are retried one by one so one loan cannot
        // stop the night for the others; a loan that still fails is logged and caught up next run.
        for (let i = 0; i < todo.length; i += GROUP) {
          const group = todo.slice(i, i + GROUP);
          let results: (Awaited<ReturnType<typeof applyLoan>>)[];
          try {
            results = await db.transaction(async (t) => {
              const out = [];
              for (const id of group) out.push(await applyLoan(id, today, t));
              return out;
            });
          } catch {
            results = [];
            for (const id of group) {
              try {
                results.push(await db.transaction((t) => applyLoan(id, today, t)));
              } catch (err) {
                deps.log.warn({ err, loanId: id }, 'overdue pass: loan skipped');
                r.failed++;
              }
            }
          }
          for (const done of results) {
            if (!done) continue;
            r.updated++;
            r.penaltyFen += done.penalty;
            if (done.bucketChanged) r.bucketChanges++;
          }
        }
      }
      const p = await checkPromises(today);
      r.promisesKept = p.kept;
      r.promisesBroken = p.broken;
      return r;
    },
  };
}

export type OverdueService = ReturnType<typeof createOverdueService>;

/** For the bot job: commission clawback on M3+ subscribes to the events this pass emits. */
export function overdueFromDeps(deps: Deps): OverdueService {
  registerCommissionSubscribers(deps);
  return createOverdueService(deps);
}

export function summarize(r: OverdueRunResult): string {
  return `逾期计算(${r.today}):扫描 ${r.scanned} 笔在贷,更新 ${r.updated} 笔,分组变化 ${r.bucketChanges} 笔,计提罚息 ${formatFen(r.penaltyFen)} 元;承诺还款 兑现 ${r.promisesKept}、违约 ${r.promisesBroken}(已生成待办)${r.failed ? `;${r.failed} 笔未能处理,下次运行补上` : ''}`;
}
