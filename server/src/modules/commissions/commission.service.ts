// Channel commissions (C20). Owns the rules, the accrual rows and the monthly statements.
// Accrual happens inside the disbursement's transaction (an events.on subscriber), so a loan and
// its commission commit or roll back together. Rows are never edited: a reversed disbursement or a
// default within the rule's clawback window adds a negative row pointing at the accrual, in the
// month it happens. A statement is the plain sum of one month's rows for one beneficiary, so its
// total reconciles exactly with its loan lines.
//
// Tiered rules are progressive per loan: a loan earns the rate of the tier the month's disbursed
// volume has reached with it included (channel volume for channel rules, the officer's for officer
// rules). Earlier loans are not re-rated when a later loan lifts the month into a higher tier, so a
// statement never needs an adjustment line and an accrual once made stays what the statement shows.
import ExcelJS from 'exceljs';
import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound } from '../../http/errors';
import { shanghaiDate } from '../../contracts/dates';
import { formatFen } from '../../contracts/money';
import { ppmToPercent } from '../../contracts/loans';
import { COMMISSION_BENEFICIARIES, COMMISSION_ENTRY_KINDS, COMMISSION_RULE_KINDS, statementNo, type CommissionBeneficiary, type CommissionRuleInputT } from '../../contracts/commissions';
import { EVENT_TYPES, type EventInput } from '../events/events.service';
import type { Loan } from '../loans/loan.model';
import type { CommissionAccrual, CommissionRule } from './commission.model';
import { clawbackUntil, commissionFor, pickRule } from './commission.calc';

const BENEFICIARIES: CommissionBeneficiary[] = ['channel', 'officer'];

function monthRange(period: string): [string, string] {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`${period}-01`, `${next}-01`];
}

function loanIdOf(e: EventInput): number {
  const fromPayload = (e.payload as { loanId?: unknown }).loanId;
  return Number(fromPayload ?? e.aggregateId);
}

function ruleView(r: CommissionRule) {
  return {
    id: Number(r.id), name: r.name, beneficiary: r.beneficiary, channel: r.channel, productId: r.productId === null ? null : Number(r.productId),
    kind: r.kind, ratePpm: r.ratePpm, fixedFen: r.fixedFen === null ? null : Number(r.fixedFen), tiers: r.tiers, clawbackMonths: r.clawbackMonths,
    validFrom: r.validFrom, validTo: r.validTo, priority: r.priority, enabled: !!r.enabled,
  };
}

async function monthVolume(deps: Deps, loan: Loan, beneficiary: CommissionBeneficiary, t: Transaction): Promise<number> {
  const [from, to] = monthRange(loan.disbursedOn.slice(0, 7));
  const who = beneficiary === 'channel' ? { channel: loan.channel } : { ownerId: loan.ownerId };
  const sum = await deps.db.models.Loan.sum('principalFen', { where: { ...who, disbursedOn: { [Op.gte]: from, [Op.lt]: to }, status: { [Op.ne]: 'reversed' } }, transaction: t });
  return Number(sum ?? 0);
}

/** Accrues a loan's commissions (one row per beneficiary, idempotent); the disbursement subscriber and the demo seed's backfill. */
export async function accrueLoan(deps: Deps, loanId: number, t: Transaction) {
  const { Loan, CommissionRule, CommissionAccrual } = deps.db.models;
  const loan = await Loan.findByPk(loanId, { transaction: t });
  if (!loan) return;
  const rules = await CommissionRule.findAll({ where: { enabled: true }, transaction: t });
  for (const beneficiary of BENEFICIARIES) {
    const key = beneficiary === 'channel' ? loan.channel : loan.ownerId ? String(loan.ownerId) : null;
    if (!key) continue;
    const rule = pickRule(rules.map((r) => ({ ...r.get({ plain: true }), id: Number(r.id), productId: r.productId === null ? null : Number(r.productId) })), beneficiary, { channel: loan.channel, productId: loan.productId === null ? null : Number(loan.productId), disbursedOn: loan.disbursedOn });
    if (!rule) continue;
    const sourceKey = `accrual:${loan.id}:${beneficiary}`;
    if (await CommissionAccrual.count({ where: { sourceKey }, transaction: t })) continue; // a replayed event adds nothing
    const volume = rule.kind === 'tiered' ? await monthVolume(deps, loan, beneficiary, t) : null;
    const { amountFen, ratePpm } = commissionFor(rule, Number(loan.principalFen), volume ?? 0);
    await CommissionAccrual.create({
      loanId: Number(loan.id), beneficiary, beneficiaryKey: key, ruleId: rule.id, kind: 'accrual', period: loan.disbursedOn.slice(0, 7), occurredOn: loan.disbursedOn,
      baseFen: Number(loan.principalFen), ratePpm, monthVolumeFen: volume, amountFen, sourceKey,
    }, { transaction: t });
  }
}

/** Subscribes accrual, reversal and clawback to the loan events; safe to call more than once per deps. */
export function registerCommissionSubscribers(deps: Deps) {
  const { db, bot } = deps;
  const { Loan, LoanEntry, CommissionRule, CommissionAccrual } = db.models;
  const today = () => shanghaiDate(new Date(bot.now()));

  /** Accrual rows of a loan not yet cancelled (by a reversal or a clawback). */
  async function openAccruals(loanId: number, t: Transaction) {
    const rows = await CommissionAccrual.findAll({ where: { loanId }, transaction: t, lock: t.LOCK.UPDATE });
    const cancelled = new Set(rows.filter((r) => r.reversesAccrualId !== null).map((r) => Number(r.reversesAccrualId)));
    return rows.filter((r) => r.kind === 'accrual' && !cancelled.has(Number(r.id)));
  }

  async function cancel(a: CommissionAccrual, kind: 'reversal' | 'clawback', on: string, t: Transaction) {
    await CommissionAccrual.create({
      loanId: a.loanId, beneficiary: a.beneficiary, beneficiaryKey: a.beneficiaryKey, ruleId: a.ruleId, kind,
      period: on.slice(0, 7), occurredOn: on, baseFen: Number(a.baseFen), ratePpm: a.ratePpm, monthVolumeFen: a.monthVolumeFen,
      amountFen: -Number(a.amountFen), reversesAccrualId: Number(a.id), sourceKey: `${kind}:${a.id}`,
    }, { transaction: t });
  }

  deps.events.on(EVENT_TYPES.LoanDisbursed, 'commissions.accrue', (e, t) => accrueLoan(deps, loanIdOf(e), t));

  // A reversed disbursement (entered by mistake) takes its commission back in full.
  deps.events.on(EVENT_TYPES.LoanEntryReversed, 'commissions.reverse', async (e, t) => {
    const loanId = loanIdOf(e);
    const loan = await Loan.findByPk(loanId, { transaction: t });
    if (!loan) return;
    const disbursementReversed = loan.status === 'reversed' || (await LoanEntry.count({ where: { loanId, kind: 'disbursement', reversedByEntryId: { [Op.ne]: null } }, transaction: t })) > 0;
    if (!disbursementReversed) return;
    for (const a of await openAccruals(loanId, t)) await cancel(a, 'reversal', today(), t);
  });

  // A default (written off, or M3+) within the rule's window claws the commission back.
  const clawback = async (loanId: number, t: Transaction) => {
    const loan = await Loan.findByPk(loanId, { transaction: t });
    if (!loan) return;
    const on = today();
    const open = await openAccruals(loanId, t);
    if (!open.length) return;
    const rules = new Map((await CommissionRule.findAll({ where: { id: [...new Set(open.map((a) => a.ruleId))] }, transaction: t })).map((r) => [Number(r.id), r]));
    for (const a of open) {
      const months = rules.get(Number(a.ruleId))?.clawbackMonths;
      if (months && on <= clawbackUntil(loan.disbursedOn, months)) await cancel(a, 'clawback', on, t);
    }
  };
  deps.events.on(EVENT_TYPES.LoanWrittenOff, 'commissions.clawback-written-off', (e, t) => clawback(loanIdOf(e), t));
  deps.events.on(EVENT_TYPES.LoanOverdueChanged, 'commissions.clawback-m3plus', async (e, t) => {
    if ((e.payload as { to?: string }).to === 'M3+') await clawback(loanIdOf(e), t);
  });
}

export interface StatementLine {
  loanId: number;
  loanNo: string;
  customerName: string | null;
  productName: string | null;
  disbursedOn: string;
  principalFen: number;
  entries: { id: number; kind: CommissionAccrual['kind']; kindLabel: string; occurredOn: string; ratePpm: number | null; amountFen: number }[];
  amountFen: number;
}

export function createCommissionService(deps: Deps) {
  const { db, audit, channels, org } = deps;
  const { CommissionRule, CommissionAccrual, Loan, Customer, Product } = db.models;
  registerCommissionSubscribers(deps);

  async function checkRefs(input: CommissionRuleInputT) {
    if (input.channel && !(await channels.all()).has(input.channel)) throw new AppError(422, 'COMMISSION_RULE_CHANNEL_UNKNOWN');
    if (input.productId && !(await Product.count({ where: { id: input.productId } }))) throw new AppError(422, 'COMMISSION_RULE_PRODUCT_UNKNOWN');
  }

  const row = (input: CommissionRuleInputT) => ({
    name: input.name, beneficiary: input.beneficiary, channel: input.channel ?? null, productId: input.productId ?? null, kind: input.kind,
    ratePpm: input.kind === 'percent' ? (input.ratePpm ?? null) : null, fixedFen: input.kind === 'fixed' ? (input.fixedFen ?? null) : null,
    tiers: input.kind === 'tiered' ? (input.tiers ?? null) : null, clawbackMonths: input.clawbackMonths ?? null,
    validFrom: input.validFrom, validTo: input.validTo ?? null, priority: input.priority, enabled: input.enabled,
  });

  async function beneficiaryNames(beneficiary: CommissionBeneficiary, keys: string[]) {
    if (beneficiary === 'channel') {
      const all = await channels.all();
      return new Map(keys.map((k) => [k, all.get(k)?.name ?? k]));
    }
    const users = await org.usersByIds(keys.map(Number));
    return new Map(keys.map((k) => [k, users.get(Number(k))?.name ?? `#${k}`]));
  }

  async function statement(period: string, beneficiary: CommissionBeneficiary, key: string) {
    const rows = await CommissionAccrual.findAll({ where: { period, beneficiary, beneficiaryKey: key }, order: [['loanId', 'ASC'], ['id', 'ASC']], raw: true });
    const loanIds = [...new Set(rows.map((r) => Number(r.loanId)))];
    const loans = loanIds.length ? await Loan.findAll({ where: { id: loanIds }, raw: true }) : [];
    const byLoan = new Map(loans.map((l) => [Number(l.id), l]));
    const custIds = [...new Set(loans.map((l) => Number(l.customerId)))];
    const names = new Map((custIds.length ? await Customer.findAll({ attributes: ['id', 'name'], where: { id: custIds }, raw: true }) : []).map((c) => [Number(c.id), c.name]));
    const prodIds = [...new Set(loans.map((l) => l.productId).filter((x): x is number => x !== null).map(Number))];
    const products = new Map((prodIds.length ? await Product.findAll({ attributes: ['id', 'name'], where: { id: prodIds }, raw: true }) : []).map((p) => [Number(p.id), p.name]));
    const lines: StatementLine[] = [];
    for (const r of rows) {
      const loanId = Number(r.loanId);
      let line = lines[lines.length - 1];
      if (!line || line.loanId !== loanId) {
        const l = byLoan.get(loanId);
        line = {
          loanId, loanNo: l?.loanNo ?? `#${loanId}`, customerName: l ? (names.get(Number(l.customerId)) ?? null) : null,
          productName: l?.productId ? (products.get(Number(l.productId)) ?? null) : null, disbursedOn: l?.disbursedOn ?? '', principalFen: Number(r.baseFen), entries: [], amountFen: 0,
        };
        lines.push(line);
      }
      const amountFen = Number(r.amountFen);
      line.entries.push({ id: Number(r.id), kind: r.kind, kindLabel: COMMISSION_ENTRY_KINDS[r.kind], occurredOn: r.occurredOn, ratePpm: r.ratePpm, amountFen });
      line.amountFen += amountFen;
    }
    const sumOf = (kind: CommissionAccrual['kind']) => rows.filter((r) => r.kind === kind).reduce((s, r) => s + Number(r.amountFen), 0);
    const name = (await beneficiaryNames(beneficiary, [key])).get(key)!;
    return {
      statementNo: statementNo(period, beneficiary, key), period, beneficiary, beneficiaryKey: key, beneficiaryName: name,
      lines,
      totals: { loans: lines.length, accrualFen: sumOf('accrual'), reversalFen: sumOf('reversal'), clawbackFen: sumOf('clawback'), totalFen: lines.reduce((s, l) => s + l.amountFen, 0) },
    };
  }

  return {
    async listRules() {
      const rules = await CommissionRule.findAll({ order: [['beneficiary', 'ASC'], ['priority', 'DESC'], ['id', 'ASC']] });
      return { items: rules.map(ruleView) };
    },

    async createRule(rc: RequestContext, input: CommissionRuleInputT) {
      await checkRefs(input);
      return db.transaction(async (t) => {
        const r = await CommissionRule.create({ ...row(input), createdBy: rc.actor.id, updatedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'create', entityType: 'commission_rule', entityId: r.id, after: row(input) }, t);
        return ruleView(r);
      });
    },

    /** Changing a rule affects loans disbursed from now on; accruals already made stay as they are. */
    async updateRule(rc: RequestContext, id: number, input: CommissionRuleInputT) {
      await checkRefs(input);
      return db.transaction(async (t) => {
        const r = await CommissionRule.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!r) throw notFound('返佣规则不存在');
        const before = ruleView(r);
        await r.update({ ...row(input), updatedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'update', entityType: 'commission_rule', entityId: id, before, after: row(input) }, t);
        return ruleView(r);
      });
    },

    /** One month's beneficiaries with their totals. */
    async statements(period: string, beneficiary: CommissionBeneficiary) {
      const sums = await db.sequelize.query<{ k: string; total: string | number; loans: string | number }>(
        'SELECT beneficiary_key AS k, SUM(amount_fen) AS total, COUNT(DISTINCT loan_id) AS loans FROM commission_accruals WHERE period = ? AND beneficiary = ? GROUP BY beneficiary_key ORDER BY beneficiary_key',
        { replacements: [period, beneficiary], type: QueryTypes.SELECT },
      );
      const names = await beneficiaryNames(beneficiary, sums.map((s) => s.k));
      return {
        period, beneficiary,
        items: sums.map((s) => ({ statementNo: statementNo(period, beneficiary, s.k), beneficiaryKey: s.k, beneficiaryName: names.get(s.k)!, loans: Number(s.loans), totalFen: Number(s.total) })),
      };
    },

    statement,

    /** The statement as .xlsx: one row per accrual row, a subtotal per loan, and the total. Audited as an export. */
    async exportStatement(rc: RequestContext, period: string, beneficiary: CommissionBeneficiary, key: string) {
      const s = await statement(period, beneficiary, key);
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('返佣对账单');
      ws.addRow(['对账单号', s.statementNo]);
      ws.addRow(['返佣对象', `${COMMISSION_BENEFICIARIES[beneficiary]}:${s.beneficiaryName}`]);
      ws.addRow(['月份', period]);
      ws.addRow([]);
      const header = ws.addRow(['贷款编号', '客户', '产品', '放款日期', '放款金额(元)', '类型', '发生日期', '比例(%)', '返佣金额(元)', '本笔小计(元)']);
      header.font = { bold: true };
      const yuan = (fen: number) => Number(formatFen(fen).replace(/,/g, ''));
      for (const l of s.lines) {
        l.entries.forEach((e, i) => {
          ws.addRow([l.loanNo, l.customerName ?? '', l.productName ?? '', l.disbursedOn, yuan(l.principalFen), e.kindLabel, e.occurredOn, e.ratePpm === null ? '' : ppmToPercent(e.ratePpm), yuan(e.amountFen), i === l.entries.length - 1 ? yuan(l.amountFen) : '']);
        });
      }
      ws.addRow([]);
      ws.addRow(['合计', `${s.totals.loans} 笔`, '', '', '', '', '', '', '', yuan(s.totals.totalFen)]).font = { bold: true };
      for (const c of [5, 9, 10]) ws.getColumn(c).numFmt = '#,##0.00';
      ws.columns.forEach((c) => (c.width = 14));
      await audit.record(rc, { action: 'export', entityType: 'commission_statement', entityId: s.statementNo, after: { period, beneficiary, key, lines: s.lines.length, totalFen: s.totals.totalFen } });
      return { filename: `${s.statementNo}.xlsx`, buffer: Buffer.from(await wb.xlsx.writeBuffer()) };
    },

    labels: { kinds: COMMISSION_RULE_KINDS },
  };
}

export type CommissionService = ReturnType<typeof createCommissionService>;
