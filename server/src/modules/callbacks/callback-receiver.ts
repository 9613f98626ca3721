// The HTTP callback endpoints' rules: WeCom URL verification and encrypted events (reference
// W6), DingTalk HTTP event subscription (D7). Every request is verified (signature, timestamp
// within 5 minutes, receive id) before anything is stored; a refused one is logged and answered
// 4xx. Verified events are stored (deduplicated) and handled after the response.
import type { Deps } from '../../deps';
import { AppError } from '../../http/errors';
import { CallbackRejection, openEnvelope, sealEnvelope, type CallbackKeys, type RejectReason } from './callback-crypto';
import { classifyDingtalkEvent, classifyWecom } from './callback-events';
import { parseXml, xmlText, type XmlObject } from './wecom-xml';

export interface SignedQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

const REASONS: Record<RejectReason, string> = {
  malformed: '回调内容格式错误',
  signature: '回调签名校验失败',
  stale_timestamp: '回调时间戳超出允许范围,可能是重放请求',
  decrypt: '回调内容无法解密',
  receive_id: '回调的接收方与本应用不符',
};

/** DingTalk's reply to every push: the encrypted word "success" (reference D7). */
export interface DingtalkSuccess {
  msg_signature: string;
  timeStamp: string;
  nonce: string;
  encrypt: string;
}

export function createCallbackReceiver(deps: Deps) {
  const { config, log, callbacks } = deps;

  function keys(provider: 'wecom' | 'dingtalk'): CallbackKeys {
    if (provider === 'wecom' && config.wecom && callbacks.configured.wecom) {
      return { token: config.wecom.callbackToken, aesKey: config.wecom.encodingAesKey, receiveId: config.wecom.corpId };
    }
    if (provider === 'dingtalk' && config.dingtalk && callbacks.configured.dingtalk) {
      return { token: config.dingtalk.callbackToken, aesKey: config.dingtalk.callbackAesKey, receiveId: config.dingtalk.clientId };
    }
    throw new AppError(404, 'MESSENGER_NOT_CONFIGURED', provider === 'wecom' ? '未配置企业微信回调' : '未配置钉钉事件订阅');
  }

  function rejected(provider: string, reason: RejectReason, detail: string, ip: string | null): AppError {
    log.warn({ provider, reason, detail, ip }, 'callback rejected');
    return new AppError(reason === 'malformed' ? 400 : 403, 'CALLBACK_REJECTED', REASONS[reason], { reason });
  }

  function open(provider: 'wecom' | 'dingtalk', k: CallbackKeys, q: SignedQuery, encrypted: string, ip: string | null): string {
    try {
      return openEnvelope(k, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, encrypt: encrypted }, callbacks.now());
    } catch (err) {
      if (err instanceof CallbackRejection) throw rejected(provider, err.reason, err.message, ip);
      throw err;
    }
  }

  function xml(provider: string, text: string, ip: string | null): XmlObject {
    try {
      return parseXml(text);
    } catch (err) {
      throw rejected(provider, 'malformed', (err as Error).message, ip);
    }
  }

  return {
    /** WeCom URL verification: the plaintext of echostr, to be answered bare. */
    verifyWecomUrl(q: SignedQuery & { echostr: string }, ip: string | null): string {
      const k = keys('wecom');
      return open('wecom', k, q, q.echostr, ip);
    },

    /** A WeCom event: verified, stored once, handled after the (empty) 200 answer. */
    async receiveWecom(q: SignedQuery, body: string, ip: string | null): Promise<void> {
      const k = keys('wecom');
      const envelope = xml('wecom', body, ip);
      const encrypted = xmlText(envelope, 'Encrypt');
      const to = xmlText(envelope, 'ToUserName');
      if (!encrypted) throw rejected('wecom', 'malformed', 'no Encrypt element', ip);
      if (to && to !== k.receiveId) throw rejected('wecom', 'receive_id', `ToUserName ${to}`, ip);
      const message = xml('wecom', open('wecom', k, q, encrypted, ip), ip);
      const c = classifyWecom(message);
      await callbacks.accept('wecom', c, { provider: 'wecom', message });
    },

    /** A DingTalk push: verified, stored once (check_url is only answered), replied "success". */
    async receiveDingtalk(q: SignedQuery, body: unknown, ip: string | null): Promise<DingtalkSuccess> {
      const k = keys('dingtalk');
      const encrypted = body && typeof body === 'object' && typeof (body as { encrypt?: unknown }).encrypt === 'string' ? (body as { encrypt: string }).encrypt : '';
      if (!encrypted) throw rejected('dingtalk', 'malformed', 'no encrypt field', ip);
      const plaintext = open('dingtalk', k, q, encrypted, ip);
      let message: Record<string, unknown>;
      try {
        const parsed = JSON.parse(plaintext);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        message = parsed;
      } catch (err) {
        throw rejected('dingtalk', 'malformed', `plaintext: ${(err as Error).message}`, ip);
      }
      if (message.EventType !== 'check_url') {
        await callbacks.accept('dingtalk', classifyDingtalkEvent(message, plaintext), { provider: 'dingtalk', message });
      }
      const s = sealEnvelope(k, 'success', { timestamp: String(callbacks.now()) });
      return { msg_signature: s.signature, timeStamp: s.timestamp, nonce: s.nonce, encrypt: s.encrypt };
    },
  };
}
export type CallbackReceiver = ReturnType<typeof createCallbackReceiver>;
