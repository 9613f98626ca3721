// Demo 短信 (C18): the reminder scan and send passes over the demo loans for the last 40 days,
// so the customer pages and 我的 › 短信 show 还款提醒 / 逾期提醒 with the console provider's answer.
// Only with the console provider: a demo must never text real numbers through a real account.
import type { Deps } from '../../server/src/deps';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createSmsService } from '../../server/src/modules/sms/sms.service';
import { createSmsReminders } from '../../server/src/modules/sms/sms.reminders';

export async function seedDemoSms(deps: Deps, opts: { now?: Date } = {}) {
  if (deps.config.sms.provider !== 'console' || (await deps.db.models.SmsMessage.count())) return;
  const now = (opts.now ?? new Date()).getTime();
  // The demo loans fall due on today's day of the month, so today's scan alone finds nothing: replay
  // the daily job over the last 40 days (scan at 09:00, send at 10:00 of each day) on a clock of its
  // own, as if it had run; nothing is dated after the real now (before 10:00 today stays queued).
  let clock = now;
  const replay: Deps = { ...deps, bot: { ...deps.bot, now: () => clock } };
  const sms = createSmsService(replay);
  const reminders = createSmsReminders(replay, sms);
  const today = shanghaiDate(new Date(now));
  for (let d = -40; d <= 0; d++) {
    const day = addDays(today, d);
    clock = Math.min(now, Date.parse(`${day}T09:00:00+08:00`));
    await reminders.scan({ now: clock });
    const sendAt = Date.parse(`${day}T10:00:00+08:00`);
    if (sendAt > now) break;
    clock = sendAt;
    await sms.sendDue({ now: clock });
  }
}
