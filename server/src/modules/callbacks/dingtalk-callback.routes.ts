// DingTalk HTTP event subscription URL (reference D7): encrypted JSON pushes, each answered with
// the encrypted "success". Legacy registrations send `signature`/`timeStamp`; both spellings work.
import { z } from 'zod';
import { route, type RouteDef } from '../../http/route';
import type { CallbackReceiver } from './callback-receiver';

const param = z.string().trim().min(1).max(512);
const Signed = z
  .object({ msg_signature: param.optional(), signature: param.optional(), timestamp: param.optional(), timeStamp: param.optional(), nonce: param })
  .transform((q, ctx) => {
    const signature = q.msg_signature ?? q.signature;
    const timestamp = q.timestamp ?? q.timeStamp;
    if (!signature || !timestamp) {
      ctx.addIssue({ code: 'custom', message: '缺少 msg_signature 或 timestamp' });
      return z.NEVER;
    }
    return { msg_signature: signature, timestamp, nonce: q.nonce };
  });

export function dingtalkCallbackRoutes(receiver: CallbackReceiver): RouteDef[] {
  return [
    route({
      method: 'post', path: '/callbacks/dingtalk', tag: 'callbacks', auth: 'public', query: Signed,
      summary: '钉钉事件订阅(HTTP 推送,加密 JSON;回复加密的 success)',
      handler: ({ query, ctx }) => receiver.receiveDingtalk(query, ctx.request.body, ctx.ip || null),
    }),
  ];
}
