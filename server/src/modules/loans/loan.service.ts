// Loans (C16, C17): disbursement of an approved, signed application into a loan with its schedule,
// payments (manual or from a lender statement), early settlement and reversals. The ledger
// (loan_entries + loan_allocations) is append-only; installments hold the running paid/waived
// amounts as sums of their allocations, so a reversal adds negated allocations and recomputes.
// Every read goes through the customer's data scope: a loan of a customer out of scope is 404.
import { Op, UniqueConstraintError, type Transaction, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { Actor, RequestContext } from '../../http/context';
import { AppError, conflict, notFound, unprocessable, ValidationError } from '../../http/errors';
import { can } from '../../contracts/roles';
import { canTransition, type Stage } from '../../contracts/stages';
import { shanghaiDate } from '../../contracts/dates';
import { formatFen, formatFenShort } from '../../contracts/money';
import { LOAN_ENTRY_KINDS, REPAYMENT_METHODS, type LoanEntryKind } from '../../contracts/loans';
import type { DisburseLoanInput, EarlySettleInput, ListLoansQuery, RecordPaymentInput } from '../../contracts/loan-ops';
import { EVENT_TYPES } from '../events/events.service';
import type { CustomerService } from '../customers/customer.service';
import { bookScopeSql } from '../customers/customer.scope';
import { applicationScope } from '../applications/application.scope';
import { maskName } from '../approvals/approval.notices';
import { sql } from '../../db/sql';
import type { Application } from '../applications/application.model';
import type { Installment, Loan, LoanEntry } from './loan.model';
import { buildSchedule, maturityDate, monthlyRateFromAnnual } from './schedule';
import { allocate, installmentStatus, maxPayable, settlementQuote, total, owed, type Allocation, type InstallmentMoney } from './loan.ledger';
import { entryView, installmentView, loanSummary } from './loan.view';

type LoanRow = Loan & { save(o?: object): Promise<unknown>; update(v: Partial<Loan>, o?: object): Promise<unknown> };
type InstRow = Installment & { update(v: Partial<Installment>, o?: object): Promise<unknown> };

/** Reversible entries: the money movements this module records. */
const REVERSIBLE: LoanEntryKind[] = ['disbursement', 'payment', 'early_settlement'];

/**
 * The catalogue product an application was matched to (C14). Read loosely: the column arrives with
 * the products/contracts work (migration 0017), and applications from before it have none.
 */
const productIdOf = (a: Application): number | null => {
  const v = (a as Application & { productId?: number | null }).productId;
  return v === null || v === undefined ? null : Number(v);
};

export const money = (i: Installment): InstallmentMoney => ({
  id: Number(i.id), seq: i.seq, dueOn: i.dueOn,
  principalFen: Number(i.principalFen), interestFen: Number(i.interestFen), penaltyFen: Number(i.penaltyFen),
  paidPrincipalFen: Number(i.paidPrincipalFen), paidInterestFen: Number(i.paidInterestFen), paidPenaltyFen: Number(i.paidPenaltyFen), waivedFen: Number(i.waivedFen),
});

export function createLoanService(deps: Deps, customers: CustomerService) {
  const { db, org, audit, events, bot } = deps;
  const { Loan, Installment, LoanEntry, LoanAllocation, Application: Applications, Customer, StageChange, Product, Contract } = db.models;

  const loanNotFound = () => notFound('贷款不存在或无权查看');

  /** The loan, if its customer is in the actor's read scope; locked when inside a transaction. */
  async function loanInScope(actor: Actor, id: number, t?: Transaction): Promise<LoanRow> {
    const loan = (await Loan.findByPk(id, { transaction: t, lock: t ? t.LOCK.UPDATE : undefined })) as LoanRow | null;
    if (!loan) throw loanNotFound();
    try {
      await customers.findInScope(actor, Number(loan.customerId), 'read', t);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw loanNotFound();
      throw err;
    }
    return loan;
  }

  async function installmentsOf(loanId: number, t?: Transaction): Promise<InstRow[]> {
    return (await Installment.findAll({ where: { loanId }, order: [['seq', 'ASC']], transaction: t, lock: t ? t.LOCK.UPDATE : undefined })) as InstRow[];
  }

  function checkDate(field: string, on: string, loan: Pick<Loan, 'disbursedOn'>, label: string) {
    if (on < loan.disbursedOn) throw new ValidationError([{ field, message: `${label}不能早于放款日 ${loan.disbursedOn}` }]);
    if (on > shanghaiDate()) throw new ValidationError([{ field, message: `${label}不能晚于今天` }]);
  }

  /**
   * A stage move that corrects the record rather than advancing the line (a reversed
   * disbursement back to 已签约, a reversed payment reopening a settled loan). The stage table
   * does not allow these moves for people, so they are written here with the same history,
   * audit and event as a normal move.
   */
  async function correctStage(rc: RequestContext, customerId: number, to: Stage, reason: string, t: Transaction) {
    const c = await Customer.findByPk(customerId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!c || c.stage === to) return;
    const from = c.stage;
    await c.update({ stage: to, stageChangedAt: new Date() }, { transaction: t });
    await StageChange.create({ customerId, fromStage: from, toStage: to, actorId: rc.actor.id, reason }, { transaction: t });
    await audit.record(rc, { action: 'stage_change', entityType: 'customer', entityId: customerId, before: { stage: from }, after: { stage: to, reason, correction: true } }, t);
    await events.emit({ type: EVENT_TYPES.StageChanged, aggregateType: 'customer', aggregateId: customerId, actorId: rc.actor.id, payload: { customerId, from, to, ownerId: c.ownerId, correction: true } }, t);
  }

  async function otherLiveLoans(loan: Loan, statuses: Loan['status'][], t: Transaction) {
    return Loan.count({ where: { customerId: loan.customerId, id: { [Op.ne]: loan.id }, status: statuses }, transaction: t });
  }

  /** Writes an entry's allocations and folds them into the installments (paid, waived, status). */
  async function applyAllocations(entryId: number, allocations: Allocation[], insts: InstRow[], on: string, t: Transaction) {
    if (!allocations.length) return;
    await LoanAllocation.bulkCreate(allocations.map((a) => ({ entryId, installmentId: a.installmentId, principalFen: a.principalFen, interestFen: a.interestFen, penaltyFen: a.penaltyFen, waivedFen: a.waivedFen })), { transaction: t });
    const today = shanghaiDate();
    for (const a of allocations) {
      const i = insts.find((x) => Number(x.id) === a.installmentId)!;
      const m = money(i);
      const next = { ...m, paidPrincipalFen: m.paidPrincipalFen + a.principalFen, paidInterestFen: m.paidInterestFen + a.interestFen, paidPenaltyFen: m.paidPenaltyFen + a.penaltyFen, waivedFen: m.waivedFen + a.waivedFen };
      const status = installmentStatus(next, today);
      await i.update({ paidPrincipalFen: next.paidPrincipalFen, paidInterestFen: next.paidInterestFen, paidPenaltyFen: next.paidPenaltyFen, waivedFen: next.waivedFen, status, paidOn: status === 'paid' ? on : null }, { transaction: t });
    }
  }

  /** Recomputes every installment of a loan from the sums of its allocations (after a reversal). */
  async function rebuildInstallments(loanId: number, t: Transaction): Promise<InstRow[]> {
    const insts = await installmentsOf(loanId, t);
    const sums = (await LoanAllocation.findAll({
      attributes: ['installmentId', [db.sequelize.fn('SUM', db.sequelize.col('principal_fen')), 'p'], [db.sequelize.fn('SUM', db.sequelize.col('interest_fen')), 'i'], [db.sequelize.fn('SUM', db.sequelize.col('penalty_fen')), 'n'], [db.sequelize.fn('SUM', db.sequelize.col('waived_fen')), 'w']],
      where: { installmentId: insts.map((i) => i.id) },
      group: ['installmentId'],
      raw: true,
      transaction: t,
    })) as unknown as { installmentId: number; p: string; i: string; n: string; w: string }[];
    const byId = new Map(sums.map((s) => [Number(s.installmentId), s]));
    const today = shanghaiDate();
    for (const i of insts) {
      const s = byId.get(Number(i.id));
      const next = { ...money(i), paidPrincipalFen: Number(s?.p ?? 0), paidInterestFen: Number(s?.i ?? 0), paidPenaltyFen: Number(s?.n ?? 0), waivedFen: Number(s?.w ?? 0) };
      const status = installmentStatus(next, today);
      await i.update({ paidPrincipalFen: next.paidPrincipalFen, paidInterestFen: next.paidInterestFen, paidPenaltyFen: next.paidPenaltyFen, waivedFen: next.waivedFen, status, paidOn: status === 'paid' ? i.paidOn : null }, { transaction: t });
    }
    return insts;
  }

  const outstandingPrincipal = (insts: InstRow[]) => insts.reduce((s, i) => s + owed(money(i)).principalFen, 0);

  /** Everything paid: the loan is settled, and the customer too once none of their loans is open. */
  async function settle(rc: RequestContext, loan: LoanRow, on: string, early: boolean, t: Transaction) {
    await loan.update({ status: 'settled', settledOn: on, outstandingPrincipalFen: 0, daysPastDue: 0, overdueBucket: 'current', overdueSince: null }, { transaction: t });
    const customer = await Customer.findByPk(loan.customerId, { transaction: t });
    if (customer && (await otherLiveLoans(loan, ['active', 'written_off'], t)) === 0 && canTransition(customer.stage, 'settled')) {
      await customers.changeStage(rc, Number(loan.customerId), { to: 'settled', reason: `贷款 ${loan.loanNo} 已${early ? '提前' : ''}结清` }, { transaction: t, system: true });
    }
    await events.emit({ type: EVENT_TYPES.LoanSettled, aggregateType: 'loan', aggregateId: loan.id, actorId: rc.actor.id, payload: { loanId: Number(loan.id), customerId: Number(loan.customerId), settledOn: on, early } }, t);
    if (loan.ownerId) {
      await bot.notifyUsers(t, {
        userIds: [loan.ownerId], kind: 'loan_settled', idemKey: `loan:${loan.id}:settled:${on}`, ref: { type: 'loan', id: Number(loan.id) },
        payload: { title: `贷款已${early ? '提前' : ''}结清 · ${loan.loanNo}`, text: `客户 ${maskName(customer?.name ?? '')} 的贷款 ${loan.loanNo}(${formatFenShort(Number(loan.principalFen))})已于 ${on} ${early ? '提前' : ''}结清。`, url: `/loans/${loan.id}` },
      });
    }
  }

  /** An idempotent retry of an entry already recorded under the same reference: the same figures, or a clash. */
  async function existingByRef(loanId: number, externalRef: string | null, same: (e: LoanEntry) => boolean, t: Transaction) {
    if (!externalRef) return null;
    const e = await LoanEntry.findOne({ where: { loanId, externalRef }, transaction: t });
    if (!e) return null;
    if (!same(e)) throw conflict('IDEMPOTENCY_KEY_REUSED', '该流水号已登记过一笔金额或日期不同的记录', { entryId: Number(e.id) });
    return e;
  }

  /**
   * Records a payment on a loan already locked in `t`: allocation, ledger entry, installments,
   * outstanding principal, event, and settlement when nothing is left. Shared by the manual form
   * and the statement import (one transaction for a whole file).
   */
  async function applyPayment(rc: RequestContext, loan: LoanRow, input: { amountFen: number; paidOn: string; externalRef: string | null; note?: string | null }, source: 'manual' | 'import', t: Transaction) {
    // A retry first: the payment that settled the loan, sent again, is a replay, not LOAN_NOT_ACTIVE.
    const replay = await existingByRef(Number(loan.id), input.externalRef, (e) => e.kind === 'payment' && Number(e.amountFen) === input.amountFen && e.occurredOn === input.paidOn, t);
    if (replay) return { entry: replay, replayed: true };
    if (loan.status !== 'active') throw conflict('LOAN_NOT_ACTIVE');
    checkDate('paidOn', input.paidOn, loan, '还款日期');
    const insts = await installmentsOf(Number(loan.id), t);
    const max = maxPayable(insts.map(money), input.paidOn);
    if (max === 0) throw conflict('NOTHING_DUE');
    if (input.amountFen > max) {
      throw unprocessable('PAYMENT_EXCEEDS_DUE', `本次最多可还 ${formatFen(max)} 元(已到期及当期应还),多出部分请办理提前结清`, { maxFen: max, fields: [{ field: 'amountFen', message: `最多可还 ${formatFen(max)} 元` }] });
    }
    const { allocations } = allocate(insts.map(money), input.amountFen);
    const split = sumSplit(allocations);
    const entry = await LoanEntry.create({
      loanId: loan.id, kind: 'payment', occurredOn: input.paidOn, amountFen: input.amountFen, ...split,
      source, externalRef: input.externalRef, note: input.note ?? null, createdBy: rc.actor.id,
    }, { transaction: t });
    await applyAllocations(Number(entry.id), allocations, insts, input.paidOn, t);
    await loan.update({ outstandingPrincipalFen: outstandingPrincipal(insts) }, { transaction: t });
    await audit.record(rc, { action: 'payment', entityType: 'loan', entityId: loan.id, after: { entryId: Number(entry.id), amountFen: input.amountFen, paidOn: input.paidOn, source, ...split } }, t);
    await events.emit({
      type: EVENT_TYPES.LoanPaymentRecorded, aggregateType: 'loan', aggregateId: loan.id, actorId: rc.actor.id,
      payload: { loanId: Number(loan.id), customerId: Number(loan.customerId), entryId: Number(entry.id), kind: 'payment', amountFen: input.amountFen, ...split, paidOn: input.paidOn, source },
    }, t);
    if (insts.every((i) => total(owed(money(i))) === 0)) await settle(rc, loan, input.paidOn, false, t);
    return { entry, replayed: false };
  }

  async function detail(actor: Actor, loan: Loan) {
    const [insts, entries, customer, product] = await Promise.all([
      Installment.findAll({ where: { loanId: loan.id }, order: [['seq', 'ASC']] }),
      LoanEntry.findAll({ where: { loanId: loan.id }, order: [['id', 'ASC']] }),
      Customer.findByPk(loan.customerId, { attributes: ['id', 'name', 'stage'] }),
      loan.productId ? Product.findByPk(loan.productId, { attributes: ['id', 'name', 'lenderName'] }) : null,
    ]);
    const users = await org.usersByIds([...entries.map((e) => e.createdBy!), loan.ownerId!].filter(Boolean));
    const active = loan.status === 'active';
    const pay = can(actor.role, 'payment.record');
    const today = shanghaiDate();
    const owedNow = insts.filter((i) => i.dueOn <= today).reduce((s, i) => s + total(owed(money(i))), 0);
    const next = insts.find((i) => total(owed(money(i))) > 0 && i.dueOn >= today);
    const paymentsStand = entries.some((e) => (e.kind === 'payment' || e.kind === 'early_settlement') && e.reversedByEntryId === null);
    return {
      ...loanSummary(loan, { customerName: customer?.name ?? null, productName: product?.name ?? null, lenderName: product?.lenderName ?? null, ownerName: loan.ownerId ? (users.get(loan.ownerId)?.name ?? null) : null }),
      dueNowFen: owedNow,
      nextDue: next ? { seq: next.seq, dueOn: next.dueOn, amountFen: total(owed(money(next))) } : null,
      installments: insts.map((i) => installmentView(i)),
      // The disbursement is offered for reversal only once no payment stands (LOAN_HAS_PAYMENTS otherwise).
      entries: entries.map((e) => entryView(e, users, pay && loan.status !== 'reversed' && loan.status !== 'written_off' && (e.kind !== 'disbursement' || !paymentsStand))),
      permissions: { recordPayment: pay && active, earlySettle: pay && active, reverse: pay && (active || loan.status === 'settled') },
    };
  }

  return {
    loanInScope,
    applyPayment,

    /** Approved applications whose customer has signed and that have no loan yet: the 放款 list. */
    async disbursable(rc: RequestContext) {
      const scope = await applicationScope(rc.actor, org);
      const apps = await Applications.findAll({
        where: { [Op.and]: [scope, { status: 'approved' }, db.sequelize.literal('id NOT IN (SELECT live_application_id FROM loans WHERE live_application_id IS NOT NULL)')] } as WhereOptions<Application>,
        order: [['decidedAt', 'DESC']],
        limit: 200,
      });
      const custs = await Customer.findAll({ where: { id: apps.map((a) => a.customerId) }, attributes: ['id', 'name', 'stage'] });
      const byId = new Map(custs.map((c) => [Number(c.id), c]));
      const products = await Product.findAll({ where: { id: apps.map(productIdOf).filter((x): x is number => x !== null) } });
      const pById = new Map(products.map((p) => [Number(p.id), p]));
      // The signed contract (C15) fixes amount, rate, term and method: the form starts from it.
      const contracts = await Contract.findAll({ where: { applicationId: apps.map((a) => a.id), status: 'signed' }, order: [['id', 'DESC']] });
      const cByApp = new Map<number, (typeof contracts)[number]>();
      for (const c of contracts) if (!cByApp.has(Number(c.applicationId))) cByApp.set(Number(c.applicationId), c);
      return apps
        .filter((a) => byId.get(Number(a.customerId))?.stage === 'signed')
        .map((a) => {
          const productId = productIdOf(a);
          const p = productId ? pById.get(productId) : undefined;
          const c = cByApp.get(Number(a.id));
          return {
            applicationId: Number(a.id), customerId: Number(a.customerId), customerName: byId.get(Number(a.customerId))!.name,
            product: a.product, productId, lenderName: p?.lenderName ?? null, contractNo: c?.contractNo ?? null,
            amountFen: Number(c?.amountFen ?? a.amountFen), termMonths: c?.termMonths ?? a.termMonths, repaymentMethod: c?.repaymentMethod ?? a.repaymentMethod,
            // Defaults for the form: the contract's rate, else the product's (its lowest); the product's penalty.
            annualRatePpm: c ? c.annualRatePpm : p ? p.rateMinPpm : null, monthlyRatePpm: c ? null : (p?.monthlyRatePpm ?? null), penaltyDailyRatePpm: p?.penaltyDailyRatePpm ?? null,
            decidedAt: a.decidedAt,
          };
        });
    },

    /**
     * 放款 (C16): creates the loan, its schedule and the disbursement entry, moves the customer
     * 已签约 → 已放款 → 还款中, emits LoanDisbursed (commission accrual subscribes) and tells the
     * owner and the team. One loan per application; a retried request with the same
     * Idempotency-Key returns the loan it created.
     */
    async disburse(rc: RequestContext, input: DisburseLoanInput, idemKey: string | null) {
      const ref = idemKey ? `key:${idemKey}` : null;
      const replayOf = async (t?: Transaction) => {
        const existing = await Loan.findOne({ where: { liveApplicationId: input.applicationId }, transaction: t });
        if (!existing) return null;
        const mine = ref && (await LoanEntry.count({ where: { loanId: existing.id, kind: 'disbursement', externalRef: ref }, transaction: t }));
        if (mine) return existing;
        throw conflict('LOAN_ALREADY_DISBURSED', `该进件已放款(贷款编号 ${existing.loanNo}),请勿重复登记`, { loanId: Number(existing.id), loanNo: existing.loanNo });
      };
      try {
        const loan = await db.transaction(async (t) => {
          const app = await Applications.findOne({ where: { [Op.and]: [{ id: input.applicationId }, await applicationScope(rc.actor, org)] } as WhereOptions<Application>, transaction: t, lock: t.LOCK.UPDATE });
          if (!app) throw notFound('进件不存在或无权查看');
          const replay = await replayOf(t);
          if (replay) return { loan: replay, replayed: true };
          if (app.status !== 'approved') throw conflict('APPLICATION_NOT_DISBURSABLE');
          const customer = await Customer.findByPk(app.customerId, { transaction: t, lock: t.LOCK.UPDATE });
          if (!customer) throw notFound('客户不存在或无权查看');
          if (customer.stage !== 'signed') throw conflict('CUSTOMER_NOT_SIGNED', undefined, { stage: customer.stage });
          if (input.disbursedOn > shanghaiDate()) throw new ValidationError([{ field: 'disbursedOn', message: '放款日期不能晚于今天' }]);
          const productId = productIdOf(app);
          const product = productId ? await Product.findByPk(productId, { transaction: t }) : null;
          // A lender quoting 月息 fixes the monthly rate (annual = 12 × monthly); otherwise monthly = annual / 12.
          const monthly = input.monthlyRatePpm;
          const annualRatePpm = monthly !== undefined ? monthly * 12 : input.annualRatePpm;
          const rate = monthly !== undefined ? { monthlyRatePpm: monthly } : { annualRatePpm };
          const schedule = buildSchedule({ principalFen: input.principalFen, termMonths: input.termMonths, method: input.repaymentMethod, firstDueOn: input.firstDueOn, ...rate });
          const row = (await Loan.create({
            loanNo: `T${idemKey ?? ''}${Date.now()}${Math.random()}`.slice(0, 32), // replaced below once the id is known
            applicationId: app.id, liveApplicationId: app.id, customerId: app.customerId, productId,
            ownerId: customer.ownerId, departmentId: customer.departmentId, channel: customer.channel,
            lenderLoanNo: input.lenderLoanNo, principalFen: input.principalFen, annualRatePpm,
            monthlyRatePpm: monthly ?? monthlyRateFromAnnual(annualRatePpm), termMonths: input.termMonths, repaymentMethod: input.repaymentMethod,
            disbursedOn: input.disbursedOn, firstDueOn: input.firstDueOn, maturityOn: maturityDate(input.firstDueOn, input.termMonths),
            penaltyDailyRatePpm: input.penaltyDailyRatePpm ?? product?.penaltyDailyRatePpm ?? null,
            status: 'active', outstandingPrincipalFen: input.principalFen, createdBy: rc.actor.id,
          }, { transaction: t })) as LoanRow;
          await row.update({ loanNo: `L${input.disbursedOn.replace(/-/g, '')}${String(row.id).padStart(6, '0')}` }, { transaction: t });
          const today = shanghaiDate();
          await Installment.bulkCreate(schedule.map((s) => ({
            loanId: row.id, seq: s.seq, dueOn: s.dueOn, principalFen: s.principalFen, interestFen: s.interestFen,
            status: installmentStatus({ id: 0, ...s, penaltyFen: 0, paidPrincipalFen: 0, paidInterestFen: 0, paidPenaltyFen: 0, waivedFen: 0 }, today),
          })), { transaction: t });
          await LoanEntry.create({ loanId: row.id, kind: 'disbursement', occurredOn: input.disbursedOn, amountFen: input.principalFen, principalFen: input.principalFen, source: 'manual', externalRef: ref, createdBy: rc.actor.id }, { transaction: t });
          const why = `放款 ${row.loanNo}`;
          await customers.changeStage(rc, Number(app.customerId), { to: 'disbursed', reason: why }, { transaction: t, system: true });
          await customers.changeStage(rc, Number(app.customerId), { to: 'repaying', reason: why }, { transaction: t, system: true });
          await audit.record(rc, { action: 'disburse', entityType: 'loan', entityId: row.id, after: { ...input, loanNo: row.loanNo, annualRatePpm } }, t);
          await events.emit({
            type: EVENT_TYPES.LoanDisbursed, aggregateType: 'loan', aggregateId: row.id, actorId: rc.actor.id,
            payload: {
              loanId: Number(row.id), loanNo: row.loanNo, applicationId: Number(app.id), customerId: Number(app.customerId), principalFen: input.principalFen,
              productId, ownerId: customer.ownerId, departmentId: customer.departmentId,
              channel: customer.channel, disbursedOn: input.disbursedOn,
            },
          }, t);
          const payload = {
            title: `已放款 · ${formatFenShort(input.principalFen)}`,
            text: `客户 ${maskName(customer.name)} 的贷款已于 ${input.disbursedOn} 放款 ${formatFen(input.principalFen)} 元(${REPAYMENT_METHODS[input.repaymentMethod]},${input.termMonths} 期,首期 ${input.firstDueOn})。`,
            url: `/loans/${row.id}`,
            fields: [
              { label: '客户', value: maskName(customer.name) }, { label: '金额', value: `${formatFen(input.principalFen)}元` },
              { label: '产品', value: app.product }, { label: '期限', value: `${input.termMonths} 期` }, { label: '贷款编号', value: row.loanNo },
            ],
          };
          if (customer.ownerId) await bot.notifyUsers(t, { userIds: [customer.ownerId], kind: 'loan_disbursed', idemKey: `loan:${row.id}:disbursed`, payload, ref: { type: 'loan', id: Number(row.id) } });
          if (customer.departmentId) await bot.notifyTeam(t, { departmentId: customer.departmentId, kind: 'loan_disbursed', idemKey: `loan:${row.id}:disbursed:team`, payload, ref: { type: 'loan', id: Number(row.id) } });
          return { loan: row, replayed: false };
        });
        return { replayed: loan.replayed, ...(await detail(rc.actor, loan.loan)) };
      } catch (err) {
        // Two simultaneous requests: the loser hits the unique live_application_id.
        if (!(err instanceof UniqueConstraintError)) throw err;
        const replay = await replayOf();
        if (!replay) throw err;
        return { replayed: true, ...(await detail(rc.actor, replay)) };
      }
    },

    async list(rc: RequestContext, q: ListLoansQuery) {
      if (q.customerId) await customers.findInScope(rc.actor, q.customerId, 'read');
      const scope = await bookScopeSql(rc.actor, org, 'read');
      const where = [sql(`l.customer_id IN (SELECT id FROM customers WHERE ${scope.text})`, ...scope.params)];
      if (q.customerId) where.push(sql('l.customer_id = ?', q.customerId));
      if (q.status) where.push(sql('l.status = ?', q.status));
      if (q.q) where.push(sql('(l.loan_no = ? OR l.lender_loan_no = ? OR INSTR(c.name, ?) > 0)', q.q, q.q, q.q));
      const text = `SELECT l.id, l.loan_no, l.lender_loan_no, l.customer_id, c.name AS customer_name, l.principal_fen, l.outstanding_principal_fen, l.term_months,
        l.repayment_method, l.disbursed_on, l.maturity_on, l.status, l.overdue_bucket, l.days_past_due
        FROM loans l JOIN customers c ON c.id = l.customer_id WHERE ${where.map((w) => `(${w.text})`).join(' AND ')} ORDER BY l.id DESC LIMIT ${q.limit}`;
      const rows = await db.select<Record<string, unknown>>({ text, params: where.flatMap((w) => w.params) });
      return {
        items: rows.map((r) => ({
          id: Number(r.id), loanNo: r.loan_no, lenderLoanNo: r.lender_loan_no, customerId: Number(r.customer_id), customerName: r.customer_name,
          principalFen: Number(r.principal_fen), outstandingPrincipalFen: Number(r.outstanding_principal_fen), termMonths: Number(r.term_months),
          repaymentMethod: r.repayment_method, disbursedOn: String(r.disbursed_on).slice(0, 10), maturityOn: String(r.maturity_on).slice(0, 10),
          status: r.status, overdueBucket: r.overdue_bucket, daysPastDue: Number(r.days_past_due),
        })),
      };
    },

    async get(rc: RequestContext, id: number) {
      return detail(rc.actor, await loanInScope(rc.actor, id));
    },

    async recordPayment(rc: RequestContext, id: number, input: RecordPaymentInput, idemKey: string | null) {
      const result = await db.transaction(async (t) => {
        const loan = await loanInScope(rc.actor, id, t);
        return applyPayment(rc, loan, { amountFen: input.amountFen, paidOn: input.paidOn, externalRef: input.externalRef ?? (idemKey ? `key:${idemKey}` : null), note: input.note }, 'manual', t);
      });
      return { replayed: result.replayed, entryId: Number(result.entry.id), loan: await detail(rc.actor, await loanInScope(rc.actor, id)) };
    },

    /** The amount that settles the loan on `on` (today by default), with what is waived. */
    async quote(rc: RequestContext, id: number, on?: string) {
      const loan = await loanInScope(rc.actor, id);
      if (loan.status !== 'active') throw conflict('LOAN_NOT_ACTIVE');
      const date = on ?? shanghaiDate();
      if (date < loan.disbursedOn) throw new ValidationError([{ field: 'on', message: `结清日期不能早于放款日 ${loan.disbursedOn}` }]);
      const q = settlementQuote((await installmentsOf(id)).map(money), loan.disbursedOn, date);
      return { loanId: id, on: q.on, principalFen: q.principalFen, interestFen: q.interestFen, penaltyFen: q.penaltyFen, totalFen: q.totalFen, waivedFen: q.waivedFen };
    },

    /** 提前结清: one early_settlement entry paying the quote; the rest of the interest is waived. */
    async earlySettle(rc: RequestContext, id: number, input: EarlySettleInput, idemKey: string | null) {
      const externalRef = input.externalRef ?? (idemKey ? `key:${idemKey}` : null);
      const result = await db.transaction(async (t) => {
        const loan = await loanInScope(rc.actor, id, t);
        const replay = await existingByRef(id, externalRef, (e) => e.kind === 'early_settlement' && Number(e.amountFen) === input.amountFen && e.occurredOn === input.settledOn, t);
        if (replay) return { entry: replay, replayed: true };
        if (loan.status !== 'active') throw conflict('LOAN_NOT_ACTIVE');
        checkDate('settledOn', input.settledOn, loan, '结清日期');
        const insts = await installmentsOf(id, t);
        const q = settlementQuote(insts.map(money), loan.disbursedOn, input.settledOn);
        if (q.totalFen !== input.amountFen) {
          throw conflict('SETTLEMENT_QUOTE_CHANGED', `结清金额应为 ${formatFen(q.totalFen)} 元,请重新试算后再确认`, { quote: { on: q.on, principalFen: q.principalFen, interestFen: q.interestFen, penaltyFen: q.penaltyFen, totalFen: q.totalFen, waivedFen: q.waivedFen } });
        }
        const entry = await LoanEntry.create({
          loanId: id, kind: 'early_settlement', occurredOn: input.settledOn, amountFen: q.totalFen, principalFen: q.principalFen, interestFen: q.interestFen, penaltyFen: q.penaltyFen,
          source: 'manual', externalRef, note: input.note ?? (q.waivedFen ? `减免未到期利息 ${formatFen(q.waivedFen)} 元` : null), createdBy: rc.actor.id,
        }, { transaction: t });
        await applyAllocations(Number(entry.id), q.allocations, insts, input.settledOn, t);
        await audit.record(rc, { action: 'early_settlement', entityType: 'loan', entityId: id, after: { entryId: Number(entry.id), settledOn: input.settledOn, totalFen: q.totalFen, waivedFen: q.waivedFen } }, t);
        await events.emit({
          type: EVENT_TYPES.LoanPaymentRecorded, aggregateType: 'loan', aggregateId: id, actorId: rc.actor.id,
          payload: { loanId: id, customerId: Number(loan.customerId), entryId: Number(entry.id), kind: 'early_settlement', amountFen: q.totalFen, principalFen: q.principalFen, interestFen: q.interestFen, penaltyFen: q.penaltyFen, waivedFen: q.waivedFen, paidOn: input.settledOn, source: 'manual' },
        }, t);
        await settle(rc, loan, input.settledOn, true, t);
        return { entry, replayed: false };
      });
      return { replayed: result.replayed, entryId: Number(result.entry.id), loan: await detail(rc.actor, await loanInScope(rc.actor, id)) };
    },

    /**
     * 冲正: a `reversal` entry with the negated amounts (and negated allocations), the original
     * marked as reversed, installments recomputed from the ledger. Reversing the disbursement
     * (only once every payment is reversed) marks the loan reversed, frees the application and
     * puts the customer back to 已签约.
     */
    async reverse(rc: RequestContext, id: number, entryId: number, reason: string) {
      await db.transaction(async (t) => {
        const loan = await loanInScope(rc.actor, id, t);
        const entry = await LoanEntry.findOne({ where: { id: entryId, loanId: id }, transaction: t, lock: t.LOCK.UPDATE });
        if (!entry) throw notFound('记录不存在');
        if (!REVERSIBLE.includes(entry.kind)) throw unprocessable('ENTRY_NOT_REVERSIBLE', `「${LOAN_ENTRY_KINDS[entry.kind]}」记录不能冲正`);
        if (entry.reversedByEntryId) throw conflict('ENTRY_ALREADY_REVERSED');
        if (loan.status !== 'active' && loan.status !== 'settled') throw conflict('LOAN_NOT_ACTIVE');
        if (entry.kind === 'disbursement') {
          const standing = await LoanEntry.count({ where: { loanId: id, kind: ['payment', 'early_settlement'], reversedByEntryId: null }, transaction: t });
          if (standing) throw conflict('LOAN_HAS_PAYMENTS', undefined, { payments: standing });
        }
        const today = shanghaiDate();
        const rev = await LoanEntry.create({
          loanId: id, kind: 'reversal', occurredOn: today, amountFen: -Number(entry.amountFen), principalFen: -Number(entry.principalFen), interestFen: -Number(entry.interestFen), penaltyFen: -Number(entry.penaltyFen),
          reversesEntryId: entry.id, source: 'manual', note: reason, createdBy: rc.actor.id,
        }, { transaction: t });
        await entry.update({ reversedByEntryId: rev.id }, { transaction: t });
        if (entry.kind === 'disbursement') {
          // The installments of a loan that never was stop counting anywhere (overdue job, reports).
          await Installment.update({ status: 'waived' }, { where: { loanId: id }, transaction: t });
          await loan.update({ status: 'reversed', liveApplicationId: null, outstandingPrincipalFen: 0, daysPastDue: 0, overdueBucket: 'current', overdueSince: null }, { transaction: t });
          if ((await otherLiveLoans(loan, ['active', 'settled', 'written_off'], t)) === 0) await correctStage(rc, Number(loan.customerId), 'signed', `放款 ${loan.loanNo} 冲正:${reason}`, t);
        } else {
          const allocs = await LoanAllocation.findAll({ where: { entryId: entry.id }, transaction: t, raw: true });
          await LoanAllocation.bulkCreate(allocs.map((a) => ({ entryId: rev.id, installmentId: a.installmentId, principalFen: -Number(a.principalFen), interestFen: -Number(a.interestFen), penaltyFen: -Number(a.penaltyFen), waivedFen: -Number(a.waivedFen) })), { transaction: t });
          const insts = await rebuildInstallments(id, t);
          const outstanding = outstandingPrincipal(insts);
          if (loan.status === 'settled' && insts.some((i) => total(owed(money(i))) > 0)) {
            await loan.update({ status: 'active', settledOn: null, outstandingPrincipalFen: outstanding }, { transaction: t });
            const c = await Customer.findByPk(loan.customerId, { transaction: t });
            if (c?.stage === 'settled') await correctStage(rc, Number(loan.customerId), 'repaying', `还款冲正(${loan.loanNo}):${reason}`, t);
          } else await loan.update({ outstandingPrincipalFen: outstanding }, { transaction: t });
        }
        await audit.record(rc, { action: 'reverse', entityType: 'loan', entityId: id, before: { entryId: Number(entry.id), kind: entry.kind, amountFen: Number(entry.amountFen) }, after: { reversalEntryId: Number(rev.id), reason } }, t);
        await events.emit({
          type: EVENT_TYPES.LoanEntryReversed, aggregateType: 'loan', aggregateId: id, actorId: rc.actor.id,
          payload: { loanId: id, customerId: Number(loan.customerId), entryId: Number(entry.id), reversalEntryId: Number(rev.id), kind: entry.kind, amountFen: Number(entry.amountFen), reason },
        }, t);
      });
      return detail(rc.actor, await loanInScope(rc.actor, id));
    },
  };
}
export type LoanService = ReturnType<typeof createLoanService>;

function sumSplit(allocations: Allocation[]) {
  return {
    principalFen: allocations.reduce((s, a) => s + a.principalFen, 0),
    interestFen: allocations.reduce((s, a) => s + a.interestFen, 0),
    penaltyFen: allocations.reduce((s, a) => s + a.penaltyFen, 0),
  };
}
