// Aliyun SMS (dysmsapi 2017-05-25) over the RPC API with signature V1 (HMAC-SHA1), as documented
// in 短信服务 › 签名机制: every parameter (common + action, not Signature) sorted by name, each name
// and value percent-encoded per RFC 3986 (space %20, * %2A, ~ kept), joined with & and =;
// StringToSign = METHOD & enc("/") & enc(query); Signature = base64(HMAC-SHA1(secret + "&")).
// SendSms and QuerySendDetails are POSTed as a form body. The answer is JSON {Code, Message, …};
// Code "OK" is success, the isv.* codes are mapped below.
import crypto from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { SmsConfig } from '../../../../config';
import { networkOutcome, templateParams, type SmsOutcome, type SmsProvider, type SmsReceipt, type SmsReceiptQuery, type SmsSendRequest } from './provider';

export const ALIYUN_SMS_VERSION = '2017-05-25';

/** RFC 3986 percent-encoding as Aliyun wants it (encodeURIComponent also leaves !'()* alone). */
export function aliyunEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function aliyunCanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k]!)}`)
    .join('&');
}

/** Signature V1 of a parameter set. */
export function aliyunSignature(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  const stringToSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(aliyunCanonicalQuery(params))}`;
  return crypto.createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** UTC ISO 8601 without milliseconds: 2017-07-12T02:42:19Z. */
export function aliyunTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Maps a SendSms Code (and the HTTP-level error codes) to what the sender does. */
export function classifyAliyun(code: string, message: string): SmsOutcome {
  if (code === 'OK') return { kind: 'sent', messageId: null, code, message };
  if (code === 'isv.BUSINESS_LIMIT_CONTROL') {
    // The message names the window that tripped: 分钟级 / 小时级 / 天级 (per sign + number).
    const until = /天级|day/i.test(message) ? 'tomorrow' : /小时级|hour/i.test(message) ? 'hour' : 'minute';
    return { kind: 'throttled', code, message, until };
  }
  if (code === 'isv.DAY_LIMIT_CONTROL') return { kind: 'throttled', code, message, until: 'tomorrow' };
  if (code === 'isv.MOBILE_NUMBER_ILLEGAL') return { kind: 'invalid_number', code, message };
  if (code === 'isv.BLACK_KEY_CONTROL_LIMIT' || code === 'isv.OUT_OF_SERVICE') return { kind: 'permanent', code, message };
  // Balance: a top-up fixes it, so the message waits (backoff) rather than being lost.
  if (code === 'isv.AMOUNT_NOT_ENOUGH') return { kind: 'transient', code, message };
  if (code.startsWith('isp.') || code === 'ServiceUnavailable' || code === 'Throttling' || code.startsWith('Throttling.')) return { kind: 'transient', code, message };
  // Signature/credential errors (SignatureDoesNotMatch, InvalidAccessKeyId.*, IncompleteSignature),
  // template/sign problems (isv.SMS_TEMPLATE_ILLEGAL, isv.SMS_SIGNATURE_ILLEGAL, isv.TEMPLATE_MISSING_PARAMETERS…).
  return { kind: 'permanent', code, message };
}

export function createAliyunSms(cfg: NonNullable<SmsConfig['aliyun']>, opts: { http?: AxiosInstance; now?: () => number; timeoutMs?: number } = {}): SmsProvider {
  const http = opts.http ?? axios.create({ baseURL: cfg.endpoint, timeout: opts.timeoutMs ?? 10_000, validateStatus: () => true });
  const now = opts.now ?? Date.now;

  async function call(action: string, actionParams: Record<string, string>): Promise<{ status: number; data: Record<string, any> }> {
    const params: Record<string, string> = {
      AccessKeyId: cfg.accessKeyId,
      Action: action,
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: crypto.randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: aliyunTimestamp(now()),
      Version: ALIYUN_SMS_VERSION,
      ...actionParams,
    };
    params.Signature = aliyunSignature('POST', params, cfg.accessKeySecret);
    const body = Object.entries(params).map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`).join('&');
    const res = await http.post('/', body, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const data = typeof res.data === 'object' && res.data ? res.data : {};
    return { status: res.status, data };
  }

  return {
    name: 'aliyun',
    async send(req: SmsSendRequest): Promise<SmsOutcome> {
      if (!req.template) return { kind: 'permanent', code: 'TEMPLATE_NOT_CONFIGURED', message: '未配置该用途的短信模板' };
      const templateParam = Object.fromEntries(templateParams(req).map((p) => [p.key, p.value]));
      let r: { status: number; data: Record<string, any> };
      try {
        r = await call('SendSms', {
          PhoneNumbers: req.phone,
          SignName: cfg.signName,
          TemplateCode: req.template.code,
          TemplateParam: JSON.stringify(templateParam),
          OutId: req.outId,
        });
      } catch (err) {
        return networkOutcome(err);
      }
      const code = String(r.data.Code ?? (r.status >= 500 ? 'isp.SYSTEM_ERROR' : `HTTP_${r.status}`));
      const message = String(r.data.Message ?? '');
      if (r.status >= 500 && code === `HTTP_${r.status}`) return { kind: 'transient', code, message };
      const out = classifyAliyun(code, message);
      return out.kind === 'sent' ? { ...out, messageId: r.data.BizId ? String(r.data.BizId) : null } : out;
    },

    /** QuerySendDetails per message (PhoneNumber + BizId + SendDate in Shanghai yyyyMMdd). */
    async queryReceipts(items: SmsReceiptQuery[]): Promise<SmsReceipt[]> {
      const out: SmsReceipt[] = [];
      for (const it of items) {
        const sendDate = new Date(it.sentAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
        let r: { status: number; data: Record<string, any> };
        try {
          r = await call('QuerySendDetails', { PhoneNumber: it.phone, BizId: it.messageId, SendDate: sendDate, PageSize: '10', CurrentPage: '1' });
        } catch {
          continue; // try again on the next pass
        }
        if (r.data.Code !== 'OK') continue;
        const list: any[] = r.data.SmsSendDetailDTOs?.SmsSendDetailDTO ?? [];
        const d = list[0];
        if (!d) continue;
        // SendStatus: 1 等待回执, 2 发送失败, 3 发送成功.
        const state = Number(d.SendStatus) === 3 ? 'delivered' : Number(d.SendStatus) === 2 ? 'failed' : 'waiting';
        const at = d.ReceiveDate ? new Date(`${String(d.ReceiveDate).replace(' ', 'T')}+08:00`) : null;
        out.push({ messageId: it.messageId, state, code: String(d.ErrCode ?? ''), at: at && !Number.isNaN(at.getTime()) ? at : null });
      }
      return out;
    },
  };
}
