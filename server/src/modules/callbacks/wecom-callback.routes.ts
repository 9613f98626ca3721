// WeCom 接收消息 callback URL (reference W6): GET verifies the URL, POST delivers encrypted events.
// The app's body parser reads JSON only, so the XML body is read raw here (bounded).
import type { Context } from 'koa';
import { z } from 'zod';
import { route, type RouteDef } from '../../http/route';
import { AppError } from '../../http/errors';
import type { CallbackReceiver } from './callback-receiver';

const MAX_BODY_BYTES = 64 * 1024;
const param = z.string().trim().min(1).max(512);
const Signed = z.object({ msg_signature: param, timestamp: param, nonce: param });
const Verify = Signed.extend({ echostr: z.string().min(1).max(4096) });

/** The request body as text: what a body parser already read, else the raw stream (≤ 64 KB). */
export async function readRawBody(ctx: Context): Promise<string> {
  const parsed = (ctx.request as unknown as { rawBody?: string }).rawBody;
  if (typeof parsed === 'string') return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AppError(413, 'PAYLOAD_TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function wecomCallbackRoutes(receiver: CallbackReceiver): RouteDef[] {
  return [
    route({
      method: 'get', path: '/callbacks/wecom', tag: 'callbacks', auth: 'public', query: Verify,
      summary: '企业微信回调 URL 验证(返回解密后的 echostr)',
      handler: ({ query, ctx }) => {
        ctx.type = 'text/plain';
        ctx.body = receiver.verifyWecomUrl(query, ctx.ip || null);
      },
    }),
    route({
      method: 'post', path: '/callbacks/wecom', tag: 'callbacks', auth: 'public', query: Signed,
      summary: '企业微信回调事件(加密 XML;先应答,后异步处理)',
      handler: async ({ query, ctx }) => {
        await receiver.receiveWecom(query, await readRawBody(ctx), ctx.ip || null);
        ctx.type = 'text/plain';
        ctx.body = '';
      },
    }),
  ];
}
