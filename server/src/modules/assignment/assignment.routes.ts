// Admin endpoints of auto-assignment rules: list, create, edit, enable/disable, delete, reorder.
import { z } from 'zod';
import { route, IdParams, type RouteDef } from '../../http/route';
import { AssignmentRuleInput, ReorderAssignmentRules } from '../../contracts/assignment';
import type { AssignmentService } from './assignment.service';

export function assignmentRoutes(svc: AssignmentService): RouteDef[] {
  const tag = 'assignment';
  const permission = 'automation.manage' as const;
  const base = '/admin/assignment-rules';
  return [
    route({ method: 'get', path: base, tag, permission, summary: '线索自动分配规则(按顺序)', handler: () => svc.list() }),
    route({ method: 'post', path: base, tag, permission, summary: '新增分配规则(排在最后)', body: AssignmentRuleInput, status: 201, handler: ({ rc, body }) => svc.create(rc, body) }),
    route({ method: 'put', path: `${base}/order`, tag, permission, summary: '调整规则顺序', body: ReorderAssignmentRules, handler: ({ rc, body }) => svc.reorder(rc, body.ids) }),
    route({ method: 'get', path: `${base}/:id`, tag, permission, summary: '一条分配规则', params: IdParams, handler: ({ params }) => svc.get(params.id) }),
    route({ method: 'put', path: `${base}/:id`, tag, permission, summary: '修改分配规则', params: IdParams, body: AssignmentRuleInput, handler: ({ rc, params, body }) => svc.update(rc, params.id, body) }),
    route({
      method: 'post', path: `${base}/:id/enabled`, tag, permission, summary: '启用或停用分配规则', params: IdParams,
      body: z.object({ enabled: z.boolean({ error: '请选择启用或停用' }) }),
      handler: ({ rc, params, body }) => svc.setEnabled(rc, params.id, body.enabled),
    }),
    route({ method: 'delete', path: `${base}/:id`, tag, permission, summary: '删除分配规则', params: IdParams, handler: ({ rc, params }) => svc.remove(rc, params.id) }),
  ];
}
