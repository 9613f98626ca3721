// HTTP surface of customers, ownership and the pool: parse, call one service method, return.
import { z } from 'zod';
import { route, IdParams, type RouteDef } from '../../http/route';
import {
  AssignCustomer, ChangeStage, CheckDuplicate, CreateCustomer, ListCustomers, ListPool, ReleaseCustomer, RevealField, UpdateCustomer,
} from '../../contracts/customer.schemas';
import type { CustomerService } from './customer.service';
import type { OwnershipService } from './ownership.service';

export function customerRoutes(customers: CustomerService, ownership: OwnershipService): RouteDef[] {
  return [
    route({ method: 'get', path: '/workbench', tag: 'customers', summary: '工作台:今日待跟进、逾期、新线索', handler: ({ rc }) => customers.workbench(rc) }),
    route({ method: 'get', path: '/customers', tag: 'customers', summary: '客户列表与搜索(按数据权限)', query: ListCustomers, handler: ({ rc, query }) => customers.list(rc, query) }),
    route({ method: 'post', path: '/customers', tag: 'customers', summary: '登记客户', permission: 'customer.create', body: CreateCustomer, status: 201, handler: ({ rc, body }) => customers.create(rc, body) }),
    route({ method: 'get', path: '/customers/check-duplicate', tag: 'customers', summary: '查重(手机号/身份证号)', query: CheckDuplicate, handler: ({ rc, query }) => customers.checkDuplicate(rc, query) }),
    route({ method: 'get', path: '/pool', tag: 'pool', summary: '公海客户', permission: 'pool.view', query: ListPool, handler: ({ rc, query }) => ownership.listPool(rc, query) }),
    route({ method: 'get', path: '/customers/:id', tag: 'customers', summary: '客户详情', params: IdParams, handler: ({ rc, params }) => customers.get(rc, params.id) }),
    route({ method: 'patch', path: '/customers/:id', tag: 'customers', summary: '修改客户资料', permission: 'customer.update', params: IdParams, body: UpdateCustomer, handler: ({ rc, params, body }) => customers.update(rc, params.id, body) }),
    route({ method: 'get', path: '/customers/:id/history', tag: 'customers', summary: '阶段与负责人变更历史', params: IdParams, handler: ({ rc, params }) => customers.history(rc, params.id) }),
    route({ method: 'post', path: '/customers/:id/stage', tag: 'customers', summary: '变更阶段', permission: 'customer.stage', params: IdParams, body: ChangeStage, handler: ({ rc, params, body }) => customers.changeStage(rc, params.id, body) }),
    route({ method: 'post', path: '/customers/:id/reveal', tag: 'customers', summary: '查看敏感字段明文(留痕)', params: IdParams, body: RevealField, handler: ({ rc, params, body }) => customers.reveal(rc, params.id, body.field) }),
    route({ method: 'post', path: '/customers/:id/assign', tag: 'pool', summary: '分配/转交客户', permission: 'customer.assign', params: IdParams, body: AssignCustomer, handler: ({ rc, params, body }) => ownership.assign(rc, params.id, body) }),
    route({ method: 'post', path: '/customers/:id/release', tag: 'pool', summary: '退回公海', permission: 'customer.release', params: IdParams, body: ReleaseCustomer, handler: ({ rc, params, body }) => ownership.release(rc, params.id, body) }),
    route({ method: 'post', path: '/customers/:id/claim', tag: 'pool', summary: '从公海领取', permission: 'pool.claim', params: IdParams, body: z.object({}), handler: ({ rc, params }) => ownership.claim(rc, params.id) }),
  ];
}
