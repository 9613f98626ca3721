// Demo 短信 (C18): today's reminder scan over the demo loans and one send pass as of 10:00 today,
// so the customer pages and 我的 › 短信 show 还款提醒 / 逾期提醒 with the console provider's answer.
// Only with the console provider: a demo must never text real numbers through a real account.
import type { Deps } from '../../server/src/deps';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { createSmsService } from '../../server/src/modules/sms/sms.service';
import { createSmsReminders } from '../../server/src/modules/sms/sms.reminders';

export async function seedDemoSms(deps: Deps, opts: { now?: Date } = {}) {
  if (deps.config.sms.provider !== 'console' || (await deps.db.models.SmsMessage.count())) return;
  const now = (opts.now ?? new Date()).getTime();
  const sms = createSmsService(deps);
  await createSmsReminders(deps, sms).scan({ now });
  await sms.sendDue({ now: Date.parse(`${shanghaiDate(new Date(now))}T10:00:00+08:00`) });
}
