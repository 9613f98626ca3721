// Admin endpoints of the scheduled jobs: list with last run, run one now.
import { z } from 'zod';
import { route, type RouteDef } from '../../http/route';
import type { JobsService } from './jobs.service';

const JobParams = z.object({ name: z.string().regex(/^[a-z0-9-]{1,64}$/) });

export function jobsRoutes(jobs: JobsService): RouteDef[] {
  return [
    route({ method: 'get', path: '/admin/jobs', tag: 'jobs', summary: '定时任务与最近一次运行', permission: 'automation.manage', handler: () => jobs.list() }),
    route({ method: 'post', path: '/admin/jobs/:name/run', tag: 'jobs', summary: '立即运行定时任务', permission: 'automation.manage', params: JobParams, handler: ({ params }) => jobs.runNow(params.name) }),
  ];
}
