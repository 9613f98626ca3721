// A new installation connected to a messenger starts with nobody in it: nobody could sign in to
// press 同步组织架构. So at start-up, when a messenger is configured and there is no active
// staff, the org is synced once; ORG_SYNC_ADMINS names who becomes admin.
import type { Deps } from '../../deps';
import { createOrgSyncService } from './orgsync.service';

export async function syncEmptyOrg(deps: Deps): Promise<'synced' | 'failed' | 'skipped'> {
  const { messengers, db, log, config } = deps;
  if (!messengers.wecom && !messengers.dingtalk) return 'skipped';
  if ((await db.models.User.count({ where: { status: 'active' } })) > 0) return 'skipped';
  if (config.orgSync.admins.length === 0) log.warn('org is empty and ORG_SYNC_ADMINS is not set: the first sync will create no admin');
  const run = await createOrgSyncService(deps).run({ trigger: 'startup', rc: null });
  if (run.status !== 'succeeded') {
    log.error({ error: run.error }, 'initial org sync failed');
    return 'failed';
  }
  log.info({ stats: run.stats }, 'initial org sync done');
  return 'synced';
}
