// Repayment reminders by SMS (C18): every hour from 08:05 to 20:05 Shanghai the scan queues the
// SMS due today (N days before each due date, and the first overdue day) — exactly once per
// installment and purpose thanks to the rows' unique key, so the hourly reruns only catch up what
// a missed run left — and sends each officer the day's digest once. Sending is the sms-send job.
import type { BotJob } from './job';
import { createSmsService } from '../../../server/src/modules/sms/sms.service';
import { createSmsReminders } from '../../../server/src/modules/sms/sms.reminders';

export const repaymentSmsJob: BotJob = {
  name: 'repayment-sms',
  schedule: () => '5 8-20 * * *',
  leaseMs: 10 * 60_000,
  async run(deps) {
    const r = await createSmsReminders(deps, createSmsService(deps)).scan();
    return `还款短信提醒(${r.date}):到期提醒新增 ${r.due.queued} 条,逾期提醒新增 ${r.overdue.queued} 条,退订跳过 ${r.due.optedOut + r.overdue.optedOut} 位,通知客户经理 ${r.officersNotified} 人`;
  },
};
