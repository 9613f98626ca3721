import { z } from 'zod';
import { route, IdParams, type RouteDef } from '../../http/route';
import { RecordFollowUp } from '../../contracts/customer.schemas';
import type { FollowUpService } from './follow-up.service';

const ListFollowUps = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function followUpRoutes(followUps: FollowUpService): RouteDef[] {
  return [
    route({ method: 'get', path: '/customers/:id/follow-ups', tag: 'follow-ups', summary: '跟进记录', params: IdParams, query: ListFollowUps, handler: ({ rc, params, query }) => followUps.list(rc, params.id, query) }),
    route({ method: 'post', path: '/customers/:id/follow-ups', tag: 'follow-ups', summary: '新增跟进', permission: 'followup.create', params: IdParams, body: RecordFollowUp, status: 201, handler: ({ rc, params, body }) => followUps.record(rc, params.id, body) }),
  ];
}
