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
    if (r.deferred) return 'ladder: deferred (outside business hours)';
    return `ladder: scanned ${r.scanned}, fired ${r.fired} (${r.steps.map((s) => `${s.code} ${s.fired}`).join(', ')})`;
  },
};
