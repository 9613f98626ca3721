// The nightly overdue pass (C19): at 01:00 Shanghai, days past due, buckets and penalty interest
// for every active loan, then promises to pay that came due unpaid become tasks. Idempotent per
// business day, so a rerun (立即运行, a second instance after the lease) adds nothing.
import type { BotJob } from './job';
import { overdueFromDeps, summarize } from '../../../server/src/modules/collections/overdue.service';

export const overdueJob: BotJob = {
  name: 'overdue',
  schedule: () => '0 1 * * *',
  leaseMs: 60 * 60_000,
  async run(deps) {
    return summarize(await overdueFromDeps(deps).run());
  },
};
