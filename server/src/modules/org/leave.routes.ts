// Staff leave endpoints: the team's list with leave, and setting / clearing a person's leave.
import { route, IdParams, type RouteDef } from '../../http/route';
import { SetLeave } from '../../contracts/leave';
import type { LeaveService } from './leave.service';

export function leaveRoutes(leave: LeaveService): RouteDef[] {
  return [
    route({ method: 'get', path: '/staff/leave', tag: 'org', summary: '本团队员工与休假', permission: 'staff.leave', handler: ({ rc }) => leave.list(rc) }),
    route({
      method: 'put', path: '/staff/:id/leave', tag: 'org', summary: '设置/取消员工休假(留痕;休假期间不参与自动分配)', permission: 'staff.leave',
      params: IdParams, body: SetLeave, handler: ({ rc, params, body }) => leave.set(rc, params.id, body),
    }),
  ];
}
