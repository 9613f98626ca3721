// The follow-up ladder scan (C8): every 15 minutes; outside business hours (weekends, 21:00–08:00
// Shanghai) a pass defers without scanning, so reminders wait for the morning (see ladder.service).
// Each pass is time-boxed (PASS_BUDGET_MS of scanning) and saves where it stopped; while a backlog
// is left (first run over an old book, after an outage) the job runs further passes back to back,
// for at most JOB_PASSES_MS, and the next run continues from the saved position.
import type { BotJob } from './job';
import { ladderFromDeps, type LadderService } from '../../../server/src/modules/ladder/ladder.service';

/** Time one run may spend on passes: well inside the 10-minute lease and the 15-minute cadence. */
export const JOB_PASSES_MS = 4 * 60_000;

/** Passes back to back while a backlog is left, for at most `maxMs`; the job's summary in Chinese. */
export async function runLadderPasses(ladder: LadderService, opts: { maxMs?: number; budgetMs?: number; fireBudgetMs?: number } = {}) {
  const maxMs = opts.maxMs ?? JOB_PASSES_MS;
  const start = Date.now();
  const fired = new Map<string, number>();
  let passes = 0;
  let scanned = 0;
  let failed = 0;
  let r;
  do {
    r = await ladder.run({ budgetMs: opts.budgetMs, fireBudgetMs: Math.max(1, Math.min(opts.fireBudgetMs ?? Infinity, maxMs - (Date.now() - start))) });
    if (r.deferred) return { passes, pending: true, summary: '跟进阶梯:非工作时段(周末或 21:00–08:00),顺延到下一个工作时段' };
    passes++;
    scanned += r.scanned;
    failed += r.failed;
    for (const s of r.steps) fired.set(s.code, (fired.get(s.code) ?? 0) + s.fired);
  } while (r.pending && Date.now() - start < maxMs);
  const total = [...fired.values()].reduce((a, b) => a + b, 0);
  const text = `跟进阶梯:${passes > 1 ? `${passes} 轮,` : ''}扫描 ${scanned} 位客户,触发 ${total} 次(${[...fired].map(([code, n]) => `${code} ${n}`).join(',')})`;
  const failures = failed ? `;${failed} 位客户处理失败已跳过(见服务日志)` : '';
  const left = r.pending ? `;积压未处理完,下一次运行继续(${r.steps.filter((s) => s.pending).map((s) => s.code).join(',')})` : '';
  return { passes, pending: r.pending, summary: `${text}${failures}${left}` };
}

export const ladderJob: BotJob = {
  name: 'ladder',
  schedule: () => '*/15 * * * *',
  leaseMs: 10 * 60_000,
  async run(deps) {
    // The summary is shown to admins on the 定时任务 page.
    return (await runLadderPasses(ladderFromDeps(deps))).summary;
  },
};
