// Admin endpoints of org sync: run one now, list the recent runs.
import { route, type RouteDef } from '../../http/route';
import { RunOrgSync } from '../../contracts/org-sync';
import type { OrgSyncService } from './orgsync.service';

export function orgSyncRoutes(sync: OrgSyncService): RouteDef[] {
  return [
    route({
      method: 'post', path: '/admin/org-sync', tag: 'org', summary: '从企业微信/钉钉同步组织架构(立即执行,返回本次结果)', permission: 'org.sync',
      body: RunOrgSync, handler: ({ rc, body }) => sync.run({ provider: body.provider, force: body.force, trigger: 'manual', rc }),
    }),
    route({ method: 'get', path: '/admin/org-sync/runs', tag: 'org', summary: '最近的组织架构同步记录', permission: 'org.sync', handler: () => sync.listRuns() }),
  ];
}
