// Demo loans (C16, C17) so `npm start` shows 贷款台账, the loan page and the customer's loans: for
// demo customers already 还款中 / 已放款 / 已结清 (the demo book puts them there directly), an
// approved application and a loan with its schedule, then payments through the real service:
// most loans paid up to date, some a month or two behind (the overdue job makes them M1/M2), the
// settled ones paid off. Deterministic (customers in id order). Runs before 催收/返佣/短信 seeds,
// which work over these loans.
import type { Deps } from '../../server/src/deps';
import type { Actor } from '../../server/src/http/context';
import type { RepaymentMethod } from '../../server/src/contracts/loans';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createCustomerService } from '../../server/src/modules/customers/customer.service';
import { createLoanService } from '../../server/src/modules/loans/loan.service';
import { addMonthsClamped, buildSchedule, maturityDate, monthlyRateFromAnnual } from '../../server/src/modules/loans/schedule';
import { installmentStatus } from '../../server/src/modules/loans/loan.ledger';

const METHODS: RepaymentMethod[] = ['equal_installment', 'equal_principal', 'equal_installment', 'interest_first', 'equal_installment', 'bullet'];
const PRODUCT_OF: Record<string, string> = { house: '房抵贷', vehicle: '车抵贷', policy: '保单贷', credit: '信用贷' };

export async function seedDemoLoans(deps: Deps, opts: { now?: Date; max?: number } = {}) {
  const m = deps.db.models;
  if (await m.Loan.count()) return;
  const today = shanghaiDate(opts.now ?? new Date());
  const loans = createLoanService(deps, createCustomerService(deps));
  const finance = await m.User.findOne({ where: { role: 'finance' }, raw: true });
  if (!finance) return;
  const rc = { actor: { id: finance.id, name: finance.name, role: finance.role, departmentId: finance.departmentId } as Actor, ip: null };
  const pick = async (stage: string, n: number) => (await m.Customer.findAll({ where: { stage }, order: [['id', 'ASC']], limit: n })).filter((c) => c.ownerId !== null);
  const plan = [
    ...(await pick('repaying', opts.max ?? 14)).map((c) => ({ c, kind: 'repaying' as const })),
    ...(await pick('disbursed', 2)).map((c) => ({ c, kind: 'fresh' as const })),
    ...(await pick('settled', 3)).map((c) => ({ c, kind: 'settled' as const })),
  ];

  for (const [k, { c, kind }] of plan.entries()) {
    const method = kind === 'settled' ? 'equal_installment' : METHODS[k % METHODS.length]!;
    const term = method === 'bullet' ? 6 : [12, 24, 36][k % 3]!;
    const monthsAgo = kind === 'fresh' ? 0 : kind === 'settled' ? 14 : 2 + (k % 9);
    const disbursedOn = kind === 'fresh' ? addDays(today, -3) : addMonthsClamped(today, -monthsAgo);
    const firstDueOn = addMonthsClamped(disbursedOn, 1);
    const termMonths = kind === 'settled' ? 12 : term;
    const principalFen = Math.round(Number(c.loanAmountFen ?? 20_000_000) / 100_000) * 100_000 || 20_000_000;
    const annualRatePpm = [72_000, 86_000, 108_000, 144_000][k % 4]!;
    const product = PRODUCT_OF[c.collateral ?? ''] ?? '经营贷';
    const decidedAt = new Date(`${addDays(disbursedOn, -5)}T10:00:00+08:00`);

    await deps.db.transaction(async (t) => {
      const app = await m.Application.create({
        customerId: c.id, applicantId: c.ownerId!, departmentId: c.departmentId!, status: 'approved', product, amountFen: principalFen, termMonths,
        purpose: c.loanPurpose ?? '资金周转', repaymentMethod: method, round: 1, submittedAt: new Date(decidedAt.getTime() - 3 * 86400_000), decidedAt,
      }, { transaction: t });
      const schedule = buildSchedule({ principalFen, annualRatePpm, termMonths, method, firstDueOn });
      const loan = await m.Loan.create({
        loanNo: `D${c.id}`, applicationId: app.id, liveApplicationId: app.id, customerId: c.id, productId: null, ownerId: c.ownerId, departmentId: c.departmentId, channel: c.channel,
        lenderLoanNo: `JJ${disbursedOn.replace(/-/g, '')}${String(c.id).padStart(5, '0')}`, principalFen, annualRatePpm, monthlyRatePpm: monthlyRateFromAnnual(annualRatePpm),
        termMonths, repaymentMethod: method, disbursedOn, firstDueOn, maturityOn: maturityDate(firstDueOn, termMonths), penaltyDailyRatePpm: 500,
        status: 'active', outstandingPrincipalFen: principalFen, createdBy: finance.id,
      }, { transaction: t });
      await loan.update({ loanNo: `L${disbursedOn.replace(/-/g, '')}${String(loan.id).padStart(6, '0')}` }, { transaction: t });
      await m.Installment.bulkCreate(schedule.map((s) => ({
        loanId: loan.id, seq: s.seq, dueOn: s.dueOn, principalFen: s.principalFen, interestFen: s.interestFen,
        status: installmentStatus({ id: 0, ...s, penaltyFen: 0, paidPrincipalFen: 0, paidInterestFen: 0, paidPenaltyFen: 0, waivedFen: 0 }, today),
      })), { transaction: t });
      await m.LoanEntry.create({ loanId: loan.id, kind: 'disbursement', occurredOn: disbursedOn, amountFen: principalFen, principalFen, source: 'manual', createdBy: finance.id }, { transaction: t });

      // Payments on each due date, through the real allocation; every fourth repaying loan stops
      // paying one or two months ago, so the overdue job has M1/M2 cases to show.
      const behind = kind === 'repaying' && k % 4 === 1 ? 1 + (k % 2) : 0;
      const due = schedule.filter((s) => s.dueOn <= today);
      const paid = kind === 'settled' ? schedule : due.slice(0, Math.max(0, due.length - behind));
      for (const s of paid) {
        const row = await m.Loan.findByPk(loan.id, { transaction: t, lock: t.LOCK.UPDATE });
        const on = s.dueOn <= today ? s.dueOn : today;
        await loans.applyPayment(rc, row as Parameters<typeof loans.applyPayment>[1], { amountFen: s.principalFen + s.interestFen, paidOn: on, externalRef: `demo:${loan.id}:${s.seq}`, note: null }, 'import', t);
      }
    });
  }
}
