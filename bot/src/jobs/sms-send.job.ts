// The SMS sender (C18): every minute, inside SMS_ALLOWED_HOURS only, sends queued SMS whose time
// has come (each row claimed by a conditional update, so a second instance never sends it too),
// then fetches delivery receipts where the provider offers them.
import type { BotJob } from './job';
import { createSmsService } from '../../../server/src/modules/sms/sms.service';

export const smsSendJob: BotJob = {
  name: 'sms-send',
  schedule: () => '* * * * *',
  leaseMs: 5 * 60_000,
  async run(deps) {
    const sms = createSmsService(deps);
    const s = await sms.sendDue();
    const r = await sms.pollReceipts();
    if (s.deferred && !s.interrupted) return undefined;
    if (!s.claimed && !r.checked && !s.interrupted) return undefined;
    return `短信:发送 ${s.sent},限流顺延 ${s.throttled},号码无效 ${s.invalid},失败 ${s.failed},稍后重试 ${s.retrying},取消 ${s.cancelled},中断 ${s.interrupted};回执 ${r.delivered} 送达 / ${r.failed} 失败`;
  },
};
