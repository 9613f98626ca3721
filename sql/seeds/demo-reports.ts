// Demo data for the 数据 page (issue #7): a month of channel costs so the funnel shows ROI, then
// the report rollups rebuilt from the demo rows (the demo seed writes rows directly, not through
// the domain events that keep the rollups in step).
import type { Deps } from '../../server/src/deps';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { createRollupService } from '../../server/src/modules/reports/rollup.service';

const COSTS_FEN: Record<string, number> = { douyin: 1_200_000, baidu: 900_000, wechat_ads: 600_000, street: 150_000, telemarketing: 300_000 };

export async function seedDemoReports(deps: Deps, opts: { withCosts: boolean }) {
  if (opts.withCosts) {
    const month = shanghaiDate().slice(0, 7);
    const now = new Date();
    for (const [channel, costFen] of Object.entries(COSTS_FEN)) {
      await deps.db.sequelize.query('INSERT INTO channel_costs (channel, month, cost_fen, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', { replacements: [channel, month, costFen, '演示数据', now, now] });
    }
  }
  await createRollupService(deps).rebuild();
}
