// HTTP surface of the 审批 tab (inboxes, badge counts, delegation candidates) and of the admin
// flow pages.
import { route, IdParams, type RouteDef } from '../../http/route';
import { ListApprovals } from '../../contracts/applications';
import { SaveFlow } from '../../contracts/approval-flow';
import type { ApplicationService } from '../applications/application.service';
import type { ApprovalInbox } from './approval-inbox.service';
import type { FlowService } from './flow.service';

export function approvalRoutes(inbox: ApprovalInbox, apps: ApplicationService, flows: FlowService): RouteDef[] {
  return [
    route({ method: 'get', path: '/approvals', tag: 'approvals', summary: '审批列表:待我审批 / 我已审批 / 我发起的 / 抄送我的', query: ListApprovals, handler: ({ rc, query }) => inbox.list(rc, query) }),
    route({ method: 'get', path: '/approvals/counts', tag: 'approvals', summary: '审批角标数', handler: ({ rc }) => inbox.counts(rc) }),
    route({ method: 'get', path: '/approvals/delegates', tag: 'approvals', summary: '可转交的员工', handler: ({ rc }) => apps.delegates(rc) }),
    route({ method: 'get', path: '/admin/flows', tag: 'flows', summary: '审批流程列表', permission: 'flow.manage', handler: () => flows.list() }),
    route({ method: 'get', path: '/admin/flows/:id', tag: 'flows', summary: '审批流程详情与版本', permission: 'flow.manage', params: IdParams, handler: ({ params }) => flows.get(params.id) }),
    route({ method: 'post', path: '/admin/flows', tag: 'flows', summary: '新建审批流程', permission: 'flow.manage', body: SaveFlow, status: 201, handler: ({ rc, body }) => flows.create(rc, body) }),
    route({ method: 'put', path: '/admin/flows/:id', tag: 'flows', summary: '修改审批流程(修改节点即生成新版本,审批中的进件沿用原版本)', permission: 'flow.manage', params: IdParams, body: SaveFlow, handler: ({ rc, params, body }) => flows.update(rc, params.id, body) }),
  ];
}
