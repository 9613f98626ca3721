// Nightly org sync (C25) at ORG_SYNC_CRON (empty: off; also off with no messenger configured).
// The scheduler holds this job's lease; the sync itself takes the 'org-sync' lease too, so a
// nightly run and an admin's manual run never overlap: whichever comes second is skipped.
import type { BotJob } from './job';
import { AppError } from '../../../server/src/http/errors';
import { createOrgSyncService } from '../../../server/src/modules/orgsync/orgsync.service';

export const orgSyncJob: BotJob = {
  name: 'org-sync-nightly',
  schedule: (config) => (config.orgSync.cron && (config.messengers.wecom || config.messengers.dingtalk) ? config.orgSync.cron : null),
  leaseMs: 60 * 60_000,
  async run(deps) {
    try {
      const run = await createOrgSyncService(deps).run({ trigger: 'nightly', rc: null });
      if (run.status !== 'succeeded') return `org sync #${run.id} failed: ${run.error ?? ''}`;
      const s = run.stats!;
      return `org sync #${run.id} ${run.provider}: departments +${s.departments.created} ~${s.departments.updated}; staff +${s.users.created} ~${s.users.updated} -${s.users.disabled}; ${s.apiCalls} API calls`;
    } catch (err) {
      if (err instanceof AppError && err.code === 'ORG_SYNC_RUNNING') return 'skipped: an org sync is already running';
      throw err;
    }
  },
};
