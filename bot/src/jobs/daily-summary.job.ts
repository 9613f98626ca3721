// Daily summary in chat (C22): at DAILY_SUMMARY_CRON (default 18:30 Asia/Shanghai, Monday to
// Friday; there is no holiday calendar yet, so public holidays that fall on weekdays still get
// one) each manager's day and each team robot's leaderboard go into the outbox. Idempotent per
// business day: a second run the same day adds nothing (see summary.service.ts).
import type { BotJob } from './job';
import { runDailySummary } from '../../../server/src/modules/reports/summary/summary.service';

export const dailySummaryJob: BotJob = {
  name: 'daily-summary',
  schedule: (config) => (config.dailySummary.enabled ? config.dailySummary.cron : null),
  leaseMs: 10 * 60_000,
  async run(deps) {
    const r = await runDailySummary(deps);
    return `每日战报 ${r.day}:${r.managers} 位管理者、${r.teams} 个团队群,新发出 ${r.enqueued} 条消息`;
  },
};
