// HTTP surface of contract templates, contracts and manual signing: parse, call one service method, return.
import { z } from 'zod';
import type { Context } from 'koa';
import type { Readable } from 'node:stream';
import { route, IdParams, type RouteDef } from '../../http/route';
import { GenerateContract, RejectSignature, UploadSignedQuery, UploadTemplateQuery } from '../../contracts/contracts';
import type { ContractService } from './contract.service';

const tag = 'contracts';
const SigParams = z.object({ id: z.coerce.number().int().positive(), signatureId: z.coerce.number().int().positive() });
const EnableBody = z.object({ enabled: z.boolean({ error: '请选择启用或停用' }) });

function sendFile(ctx: Context, f: { mime: string; fileName: string; sizeBytes: number; stream: Readable }, disposition: 'inline' | 'attachment') {
  ctx.set('Content-Type', f.mime);
  ctx.set('Content-Length', String(f.sizeBytes));
  ctx.set('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(f.fileName)}`);
  ctx.set('Cache-Control', 'private, no-store');
  ctx.body = f.stream;
}
const upload = (ctx: Context) => ({ contentType: ctx.get('Content-Type'), contentLength: Number(ctx.get('Content-Length')) || undefined, body: ctx.req });

export function contractRoutes(contracts: ContractService): RouteDef[] {
  return [
    route({ method: 'get', path: '/products/:id/contract-templates', tag, summary: '产品的合同模板', permission: 'product.manage', params: IdParams, handler: ({ params }) => contracts.listTemplates(params.id) }),
    route({
      method: 'post', path: '/products/:id/contract-templates', tag, summary: '上传合同模板(请求体为 .docx 文件本身;解析校验占位符)', permission: 'product.manage', params: IdParams, query: UploadTemplateQuery, status: 201,
      handler: ({ rc, params, query, ctx }) => contracts.uploadTemplate(rc, params.id, query, upload(ctx)),
    }),
    route({
      method: 'patch', path: '/contract-templates/:id', tag, summary: '启用 / 停用合同模板', permission: 'product.manage', params: IdParams, body: EnableBody,
      handler: ({ rc, params, body }) => contracts.setTemplateEnabled(rc, params.id, body.enabled),
    }),
    route({
      method: 'get', path: '/contract-templates/:id/file', tag, summary: '下载合同模板', permission: 'product.manage', params: IdParams,
      handler: async ({ rc, params, ctx }) => sendFile(ctx, await contracts.openTemplate(rc, params.id), 'attachment'),
    }),
    route({ method: 'get', path: '/applications/:id/contracts', tag, summary: '进件的合同(按数据权限)', params: IdParams, handler: ({ rc, params }) => contracts.listForApplication(rc, params.id) }),
    route({
      method: 'post', path: '/applications/:id/contracts', tag, summary: '为已通过的进件生成合同(套用产品模板;留痕)', permission: 'contract.generate', params: IdParams, body: GenerateContract, status: 201,
      handler: ({ rc, params, body }) => contracts.generate(rc, params.id, body),
    }),
    route({ method: 'get', path: '/contracts/:id', tag, summary: '合同详情', params: IdParams, handler: ({ rc, params }) => contracts.get(rc, params.id) }),
    route({
      method: 'get', path: '/contracts/:id/file', tag, summary: '下载合同(.docx;留痕)', params: IdParams,
      handler: async ({ rc, params, ctx }) => sendFile(ctx, await contracts.openFile(rc, params.id), 'attachment'),
    }),
    route({
      method: 'post', path: '/contracts/:id/signed-scan', tag, summary: '上传签署件(请求体为 PDF / JPG / PNG 文件本身)', permission: 'contract.generate', params: IdParams, query: UploadSignedQuery, status: 201,
      handler: ({ rc, params, query, ctx }) => contracts.uploadSigned(rc, params.id, query, upload(ctx)),
    }),
    route({
      method: 'get', path: '/contracts/:id/signatures/:signatureId/file', tag, summary: '查看签署件(留痕)', params: SigParams,
      handler: async ({ rc, params, ctx }) => sendFile(ctx, await contracts.openSignature(rc, params.id, params.signatureId), 'inline'),
    }),
    route({ method: 'post', path: '/contracts/:id/confirm', tag, summary: '确认签署件(须为上传人以外的另一人):合同已签署,客户进入已签约', permission: 'contract.confirm', params: IdParams, handler: ({ rc, params }) => contracts.confirm(rc, params.id) }),
    route({
      method: 'post', path: '/contracts/:id/reject', tag, summary: '退回签署件(须填写原因)', permission: 'contract.confirm', params: IdParams, body: RejectSignature,
      handler: ({ rc, params, body }) => contracts.reject(rc, params.id, body.reason),
    }),
  ];
}
