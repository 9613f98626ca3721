// Repayment reminders (C18): which installments get an SMS today, and the officer's digest.
// - repayment_due: unpaid installments of active loans due within the next SMS_DAYS_BEFORE days.
//   Normally an installment enters that window exactly N days ahead; reading the whole window (not
//   only "today + N") means a day the job did not run is caught up on the next run.
// - overdue: unpaid installments whose due date was 1–3 days ago (the first overdue day, with the
//   same catch-up).
// Each is queued under the key inst:<installment>:<purpose>, so running the scan again (every hour,
// after a restart, on a second instance) queues nothing new. The officer gets one bot message a
// day listing their customers due in exactly N days (bot outbox key per officer and day).
import { Op } from 'sequelize';
import type { Deps } from '../../deps';
import { addDays, shanghaiDate } from '../../contracts/dates';
import { formatFen } from '../../contracts/money';
import type { Installment, Loan } from '../loans/loan.model';
import type { QueueResult, QueueSmsInput, SmsService } from './sms.service';

const UNPAID = ['pending', 'due', 'partial', 'overdue'];
const OVERDUE_CATCH_UP_DAYS = 3;
const DIGEST_LINES = 20;
const SLICE = 1000;

export interface ReminderScanResult {
  date: string;
  due: QueueResult;
  overdue: QueueResult;
  officersNotified: number;
}

function remainingFen(i: Installment): number {
  return Number(i.principalFen) + Number(i.interestFen) + Number(i.penaltyFen) - Number(i.paidPrincipalFen) - Number(i.paidInterestFen) - Number(i.paidPenaltyFen) - Number(i.waivedFen);
}

export function createSmsReminders(deps: Deps, sms: SmsService) {
  const { db, bot, config } = deps;
  const { Installment, Loan, Customer } = db.models;

  /** Unpaid installments of active loans due in [from, to], read once; loans looked up in slices. */
  async function unpaidOfActiveLoans(from: string, to: string) {
    const insts = await Installment.findAll({ where: { dueOn: { [Op.between]: [from, to] }, status: UNPAID }, order: [['dueOn', 'ASC'], ['id', 'ASC']], raw: true });
    const byId = new Map<number, Loan>();
    const loanIds = [...new Set(insts.map((i) => Number(i.loanId)))];
    for (let i = 0; i < loanIds.length; i += SLICE) {
      for (const l of await Loan.findAll({ where: { id: loanIds.slice(i, i + SLICE), status: 'active' }, raw: true })) byId.set(Number(l.id), l);
    }
    return insts.filter((i) => byId.has(Number(i.loanId)) && remainingFen(i) > 0).map((i) => ({ inst: i, loan: byId.get(Number(i.loanId))! }));
  }

  /** Queues in slices, so each statement's IN lists stay short whatever the book's size. */
  async function queueAll(inputs: QueueSmsInput[]): Promise<QueueResult> {
    const total: QueueResult = { queued: 0, optedOut: 0, invalid: 0 };
    for (let i = 0; i < inputs.length; i += SLICE) {
      const r = await sms.queue(null, inputs.slice(i, i + SLICE));
      total.queued += r.queued;
      total.optedOut += r.optedOut;
      total.invalid += r.invalid;
    }
    return total;
  }

  function input(purpose: 'repayment_due' | 'overdue', x: { inst: Installment; loan: Loan }, today: string): QueueSmsInput {
    const overdueDays = Math.round((Date.parse(today) - Date.parse(x.inst.dueOn)) / 86_400_000);
    return {
      businessKey: `inst:${x.inst.id}:${purpose}`,
      customerId: Number(x.loan.customerId),
      loanId: Number(x.loan.id),
      installmentId: Number(x.inst.id),
      purpose,
      vars: { dueDate: x.inst.dueOn, amount: formatFen(remainingFen(x.inst)), seq: String(x.inst.seq), loanNo: x.loan.loanNo, days: String(Math.max(0, overdueDays)) },
    };
  }

  async function officerDigest(today: string, rows: { inst: Installment; loan: Loan }[]): Promise<number> {
    if (!rows.length) return 0;
    const ids = [...new Set(rows.map((r) => Number(r.loan.customerId)))];
    const cById = new Map<number, { id: number; name: string; ownerId: number | null }>();
    for (let i = 0; i < ids.length; i += SLICE) {
      for (const c of await Customer.findAll({ attributes: ['id', 'name', 'ownerId'], where: { id: ids.slice(i, i + SLICE) }, raw: true })) cById.set(Number(c.id), c);
    }
    const perOfficer = new Map<number, string[]>();
    for (const r of rows) {
      const c = cById.get(Number(r.loan.customerId));
      // The customer's officer now; the officer at disbursement if the customer has none.
      const officer = c?.ownerId ?? r.loan.ownerId;
      if (!officer || !c) continue;
      const lines = perOfficer.get(officer) ?? [];
      lines.push(`${c.name} 第${r.inst.seq}期 ${formatFen(remainingFen(r.inst))} 元`);
      perOfficer.set(officer, lines);
    }
    const dueOn = addDays(today, config.sms.daysBefore);
    for (const [userId, lines] of perOfficer) {
      const shown = lines.slice(0, DIGEST_LINES);
      const more = lines.length > shown.length ? `\n…另有 ${lines.length - shown.length} 笔` : '';
      await bot.notifyUsers(null, {
        userIds: [userId],
        kind: 'repayment_due_digest',
        idemKey: `sms-due-digest:${today}`,
        payload: {
          title: `${config.sms.daysBefore} 天后到期的还款(${dueOn})`,
          text: `你有 ${lines.length} 位客户的还款将于 ${dueOn} 到期,已按设置发送短信提醒,请关注:\n${shown.join('\n')}${more}`,
          url: '/customers',
        },
      });
    }
    return perOfficer.size;
  }

  return {
    /** One scan: queues what is due today (idempotent) and sends each officer today's digest once. */
    async scan(opts: { now?: number } = {}): Promise<ReminderScanResult> {
      const today = shanghaiDate(new Date(opts.now ?? bot.now()));
      const due = await unpaidOfActiveLoans(addDays(today, 1), addDays(today, config.sms.daysBefore));
      const overdue = await unpaidOfActiveLoans(addDays(today, -OVERDUE_CATCH_UP_DAYS), addDays(today, -1));
      const dueResult = await queueAll(due.map((x) => input('repayment_due', x, today)));
      const overdueResult = await queueAll(overdue.map((x) => input('overdue', x, today)));
      const exactlyN = due.filter((x) => x.inst.dueOn === addDays(today, config.sms.daysBefore));
      const officersNotified = await officerDigest(today, exactlyN);
      return { date: today, due: dueResult, overdue: overdueResult, officersNotified };
    },
  };
}
