// The follow-up ladder scan (C8): every 15 minutes; outside business hours (weekends, 21:00–08:00
// Shanghai) a pass defers without scanning, so reminders wait for the morning (see ladder.service).
// Each pass is time-boxed (PASS_BUDGET_MS); a larger backlog is resumed by the following passes.
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
    const text = `跟进阶梯:扫描 ${r.scanned} 位客户,触发 ${r.fired} 次(${r.steps.map((s) => `${s.code} ${s.fired}`).join(',')})`;
    // A pass is time-boxed; a backlog (first run over an old book, or after an outage) drains over the next passes.
    const failed = r.failed ? `;${r.failed} 位客户处理失败已跳过(见服务日志)` : '';
    return r.pending ? `${text}${failed};积压未处理完,下一轮继续(${r.steps.filter((s) => s.pending).map((s) => s.code).join(',')})` : `${text}${failed}`;
  },
};
