import { route, IdParams, type RouteDef } from '../../http/route';
import { TransferCustomers } from '../../contracts/customer.schemas';
import type { OrgService } from './org.service';
import type { OwnershipService } from '../customers/ownership.service';

export function orgRoutes(org: OrgService, ownership: OwnershipService): RouteDef[] {
  return [
    route({ method: 'get', path: '/users/assignable', tag: 'org', summary: '可分配的员工', handler: ({ rc }) => org.assignableUsers(rc.actor) }),
    route({ method: 'get', path: '/users', tag: 'org', summary: '员工列表(含客户数)', permission: 'staff.transfer', handler: () => org.listStaff() }),
    route({
      method: 'post', path: '/users/:id/transfer-customers', tag: 'org', summary: '离职继承:移交全部客户', permission: 'staff.transfer',
      params: IdParams, body: TransferCustomers, handler: ({ rc, params, body }) => ownership.transferAll(rc, params.id, body),
    }),
  ];
}
