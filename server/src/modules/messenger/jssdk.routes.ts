// JS-SDK configuration for the H5 and the messenger ids it needs to open a chat.
import { z } from 'zod';
import { IdParams, route, type RouteDef } from '../../http/route';
import type { JssdkService } from './jssdk.service';

const JssdkConfigQuery = z.object({
  url: z.string({ error: '缺少页面地址' }).min(1, '缺少页面地址').max(2048, '页面地址过长'),
  platform: z.enum(['wecom', 'dingtalk']).optional(),
});

export function jssdkRoutes(jssdk: JssdkService): RouteDef[] {
  return [
    route({
      method: 'get', path: '/messenger/jssdk-config', tag: 'messenger', summary: 'JS-SDK 签名(企业微信 ww.register / 钉钉 dd.config)', query: JssdkConfigQuery,
      handler: ({ query, ctx }) => {
        ctx.set('Cache-Control', 'no-store');
        return jssdk.config(query.url, query.platform);
      },
    }),
    route({
      method: 'get', path: '/messenger/chat-target/:id', tag: 'messenger', summary: '同事的企业微信/钉钉账号(发起单聊)', params: IdParams,
      handler: ({ params }) => jssdk.chatTarget(params.id),
    }),
  ];
}
