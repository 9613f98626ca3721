// HTTP surface of applications (进件): parse, call one service method, return.
import { z } from 'zod';
import { route, IdParams, type RouteDef } from '../../http/route';
import {
  CommentApplication, CreateApplication, DecideApplication, DelegateTask, ListApplications, SubmitApplication, UpdateApplication, UploadDocumentQuery, WithdrawApplication,
} from '../../contracts/applications';
import type { ApplicationService } from './application.service';
import type { DocumentService } from './documents.service';

const DocParams = z.object({ id: z.coerce.number().int().positive(), docId: z.coerce.number().int().positive() });
const tag = 'applications';

export function applicationRoutes(apps: ApplicationService, docs: DocumentService): RouteDef[] {
  return [
    route({ method: 'get', path: '/applications', tag, summary: '进件列表(按数据权限)', query: ListApplications, handler: ({ rc, query }) => apps.list(rc, query) }),
    route({ method: 'post', path: '/applications', tag, summary: '新建进件(草稿,或 submit=true 直接提交)', permission: 'application.create', body: CreateApplication, status: 201, handler: ({ rc, body }) => apps.create(rc, body) }),
    route({ method: 'get', path: '/applications/:id', tag, summary: '进件详情:资料、附件、审批轨迹、可用操作', params: IdParams, handler: ({ rc, params }) => apps.get(rc, params.id) }),
    route({ method: 'patch', path: '/applications/:id', tag, summary: '修改草稿或被退回的进件', params: IdParams, body: UpdateApplication, handler: ({ rc, params, body }) => apps.update(rc, params.id, body) }),
    route({ method: 'post', path: '/applications/:id/submit', tag, summary: '提交 / 重新提交审批', params: IdParams, body: SubmitApplication, handler: ({ rc, params, body }) => apps.submit(rc, params.id, body.comment) }),
    route({
      method: 'post', path: '/applications/:id/decide', tag, summary: '审批:同意 / 驳回 / 退回(驳回和退回须填写原因)', params: IdParams, body: DecideApplication,
      handler: async ({ rc, params, body, ctx }) => {
        const decision = await apps.decide(rc, { applicationId: params.id, taskId: body.taskId, action: body.action, comment: body.comment, idempotencyKey: ctx.get('Idempotency-Key') || null });
        return { decision, application: await apps.get(rc, params.id) };
      },
    }),
    route({ method: 'post', path: '/applications/:id/withdraw', tag, summary: '撤回(申请人,审批中)', params: IdParams, body: WithdrawApplication, handler: ({ rc, params, body }) => apps.withdraw(rc, params.id, body.reason) }),
    route({ method: 'post', path: '/applications/:id/delegate', tag, summary: '转交审批任务', params: IdParams, body: DelegateTask, handler: ({ rc, params, body }) => apps.delegate(rc, params.id, body) }),
    route({ method: 'post', path: '/applications/:id/comments', tag, summary: '评论', params: IdParams, body: CommentApplication, status: 201, handler: ({ rc, params, body }) => apps.comment(rc, params.id, body.content) }),
    route({
      method: 'post', path: '/applications/:id/documents', tag, summary: '上传资料(请求体为文件本身,Content-Type 为 image/* 或 application/pdf)', params: IdParams, query: UploadDocumentQuery, status: 201,
      handler: ({ rc, params, query, ctx }) => docs.upload(rc, params.id, query, { contentType: ctx.get('Content-Type'), contentLength: Number(ctx.get('Content-Length')) || undefined, body: ctx.req }),
    }),
    route({
      method: 'get', path: '/applications/:id/documents/:docId', tag, summary: '查看资料文件', params: DocParams,
      handler: async ({ rc, params, ctx }) => {
        const f = await docs.open(rc, params.id, params.docId);
        ctx.set('Content-Type', f.mime);
        ctx.set('Content-Length', String(f.sizeBytes));
        ctx.set('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(f.fileName)}`);
        ctx.set('Cache-Control', 'private, max-age=300');
        ctx.body = f.stream;
      },
    }),
  ];
}
