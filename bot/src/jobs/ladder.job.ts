// The follow-up ladder scan (C8): every 15 minutes; outside business hours (weekends, 21:00–08:00
// Shanghai) a pass defers without scanning, so reminders wait for the morning (see ladder.service).
import type { BotJob } from './job';
import { ladderFromDeps } from '../../../server/src/modules/ladder/ladder.service';

export const ladderJob: BotJob = {
  name: 'ladder',
  schedule: () => '*/15 * * * *',
  leaseMs: 10 * 60_000,
  async run(deps) {
    const r = await ladderFromDeps(deps).run();
    // The summary is shown to admins on the 定时任务 page.
    if (r.deferred) return '跟进阶梯:非工作时段(周末或 21:00–08:00),顺延到下一个工作时段';
    return `跟进阶梯:扫描 ${r.scanned} 位客户,触发 ${r.fired} 次(${r.steps.map((s) => `${s.code} ${s.fired}`).join(',')})`;
  },
};
