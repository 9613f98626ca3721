// Ladder endpoints: the admin's step list and edits, and the officer's customer sub-status.
import { route, IdParams, type RouteDef } from '../../http/route';
import { SetSubStatus, UpdateLadderStep } from '../../contracts/ladder';
import type { LadderService } from './ladder.service';

export function ladderRoutes(ladder: LadderService): RouteDef[] {
  return [
    route({ method: 'get', path: '/admin/ladder/steps', tag: 'ladder', summary: '跟进阶梯规则', permission: 'automation.manage', handler: () => ladder.listSteps() }),
    route({
      method: 'patch', path: '/admin/ladder/steps/:id', tag: 'ladder', summary: '修改跟进阶梯规则(留痕)', permission: 'automation.manage',
      params: IdParams, body: UpdateLadderStep, handler: ({ rc, params, body }) => ladder.updateStep(rc, params.id, body),
    }),
    route({ method: 'get', path: '/customers/:id/sub-status', tag: 'customers', summary: '客户子状态', params: IdParams, handler: ({ rc, params }) => ladder.getSubStatus(rc, params.id) }),
    route({
      method: 'put', path: '/customers/:id/sub-status', tag: 'customers', summary: '设置客户子状态(如 待补充资料)', permission: 'customer.update',
      params: IdParams, body: SetSubStatus, handler: ({ rc, params, body }) => ladder.setSubStatus(rc, params.id, body.subStatus),
    }),
  ];
}
