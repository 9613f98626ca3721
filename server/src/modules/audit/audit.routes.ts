import { z } from 'zod';
import { route, type RouteDef } from '../../http/route';
import type { AuditService } from './audit.service';

const ListAudit = z.object({
  entityType: z.string().max(32).optional(),
  entityId: z.string().max(64).optional(),
  actorId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function auditRoutes(audit: AuditService): RouteDef[] {
  return [route({ method: 'get', path: '/audit-logs', tag: 'audit', summary: '审计日志', permission: 'audit.view', query: ListAudit, handler: ({ query }) => audit.list(query) })];
}
