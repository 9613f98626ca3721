// Tencent Cloud SMS API 3.0 (sms 2021-01-11) with signature TC3-HMAC-SHA256, as documented in
// 签名方法 v3: CanonicalRequest = POST \n / \n (empty query) \n content-type:…\nhost:…\n \n
// content-type;host \n hex(sha256(body)); StringToSign = "TC3-HMAC-SHA256\n" + timestamp + "\n" +
// date/sms/tc3_request + "\n" + hex(sha256(CanonicalRequest)); the key is derived
// HMAC("TC3"+SecretKey, date) → service → "tc3_request". A request-level error comes back as
// Response.Error; per-number results (throttling, bad numbers) in Response.SendStatusSet[].Code.
// Delivery reports come from PullSmsSendStatus (each report handed out once).
import crypto from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { SmsConfig } from '../../../../config';
import { networkOutcome, templateParams, type SmsOutcome, type SmsProvider, type SmsReceipt, type SmsSendRequest } from './provider';

export const TENCENT_SMS_VERSION = '2021-01-11';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256hex = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => crypto.createHmac('sha256', key).update(s, 'utf8').digest();

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  contentType: string;
  payload: string;
  timestamp: number;
}

/** The TC3 signature and the Authorization header of one POST request. */
export function tc3Sign(i: Tc3Input): { canonicalRequestHash: string; signature: string; authorization: string } {
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = `POST\n/\n\ncontent-type:${i.contentType}\nhost:${i.host}\n\ncontent-type;host\n${sha256hex(i.payload)}`;
  const canonicalRequestHash = sha256hex(canonicalRequest);
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${i.timestamp}\n${scope}\n${canonicalRequestHash}`;
  const kSigning = hmac(hmac(hmac(`TC3${i.secretKey}`, date), i.service), 'tc3_request');
  const signature = crypto.createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return { canonicalRequestHash, signature, authorization: `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}` };
}

/** Maps a SendStatusSet[].Code or a Response.Error.Code to what the sender does. */
export function classifyTencent(code: string, message: string): SmsOutcome {
  if (code === 'Ok') return { kind: 'sent', messageId: null, code, message };
  if (code.startsWith('LimitExceeded.')) {
    if (/DailyLimit$/.test(code)) return { kind: 'throttled', code, message, until: 'tomorrow' };
    if (code === 'LimitExceeded.PhoneNumberOneHourLimit') return { kind: 'throttled', code, message, until: 'hour' };
    if (code === 'LimitExceeded.PhoneNumberThirtySecondLimit') return { kind: 'throttled', code, message, until: 'minute' };
    if (code === 'LimitExceeded.PhoneNumberCountLimit') return { kind: 'permanent', code, message };
    return { kind: 'throttled', code, message, until: 'hour' };
  }
  if (code === 'InvalidParameterValue.IncorrectPhoneNumber') return { kind: 'invalid_number', code, message };
  if (code === 'FailedOperation.InsufficientBalanceInSmsPackage') return { kind: 'transient', code, message };
  if (code.startsWith('InternalError') || code === 'RequestLimitExceeded' || code === 'ResourceUnavailable') return { kind: 'transient', code, message };
  // AuthFailure.* (signature, secret id, expired timestamp), template/sign errors, bad parameters.
  return { kind: 'permanent', code, message };
}

export function createTencentSms(cfg: NonNullable<SmsConfig['tencent']>, opts: { http?: AxiosInstance; now?: () => number; timeoutMs?: number } = {}): SmsProvider {
  const http = opts.http ?? axios.create({ baseURL: cfg.endpoint, timeout: opts.timeoutMs ?? 10_000, validateStatus: () => true });
  const now = opts.now ?? Date.now;
  const host = new URL(cfg.endpoint).host;

  async function call(action: string, body: object): Promise<{ status: number; data: any }> {
    const payload = JSON.stringify(body);
    const timestamp = Math.floor(now() / 1000);
    const { authorization } = tc3Sign({ secretId: cfg.secretId, secretKey: cfg.secretKey, service: 'sms', host, contentType: CONTENT_TYPE, payload, timestamp });
    const res = await http.post('/', payload, {
      headers: {
        Authorization: authorization,
        'Content-Type': CONTENT_TYPE,
        Host: host,
        'X-TC-Action': action,
        'X-TC-Version': TENCENT_SMS_VERSION,
        'X-TC-Timestamp': String(timestamp),
        'X-TC-Region': cfg.region,
      },
      transformRequest: [(d) => d], // sign and send exactly these bytes
    });
    return { status: res.status, data: res.data };
  }

  return {
    name: 'tencent',
    async send(req: SmsSendRequest): Promise<SmsOutcome> {
      if (!req.template) return { kind: 'permanent', code: 'TEMPLATE_NOT_CONFIGURED', message: '未配置该用途的短信模板' };
      let res;
      try {
        res = await call('SendSms', {
          PhoneNumberSet: [`+86${req.phone}`],
          SmsSdkAppId: cfg.sdkAppId,
          SignName: cfg.signName,
          TemplateId: req.template.code,
          TemplateParamSet: templateParams(req).map((p) => p.value),
          SessionContext: req.outId,
        });
      } catch (err) {
        return networkOutcome(err);
      }
      if (res.status >= 500) return { kind: 'transient', code: `HTTP_${res.status}`, message: '' };
      const r = res.data?.Response;
      if (!r) return { kind: 'transient', code: `HTTP_${res.status}`, message: 'no Response in the answer' };
      if (r.Error) return classifyTencent(String(r.Error.Code), String(r.Error.Message ?? ''));
      const s = (r.SendStatusSet ?? [])[0];
      if (!s) return { kind: 'transient', code: 'EMPTY_SEND_STATUS', message: String(r.RequestId ?? '') };
      const out = classifyTencent(String(s.Code), String(s.Message ?? ''));
      return out.kind === 'sent' ? { ...out, messageId: s.SerialNo ? String(s.SerialNo) : null } : out;
    },

    /**
     * PullSmsSendStatus (拉取短信下发状态, enabled in the SMS console): the reports not pulled yet,
     * whatever messages they belong to — each report is handed out once, so the caller stores every one.
     */
    async queryReceipts(): Promise<SmsReceipt[]> {
      const out: SmsReceipt[] = [];
      for (let page = 0; page < 10; page++) {
        let res;
        try {
          res = await call('PullSmsSendStatus', { Limit: 100, SmsSdkAppId: cfg.sdkAppId });
        } catch {
          break;
        }
        const set: any[] = res.data?.Response?.PullSmsSendStatusSet ?? [];
        for (const x of set) {
          const at = x.UserReceiveTime ? new Date(`${String(x.UserReceiveTime).replace(' ', 'T')}+08:00`) : null;
          out.push({
            messageId: String(x.SerialNo),
            state: x.ReportStatus === 'SUCCESS' ? 'delivered' : 'failed',
            code: String(x.Description ?? x.ReportStatus ?? ''),
            at: at && !Number.isNaN(at.getTime()) ? at : null,
          });
        }
        if (set.length < 100) break;
      }
      return out;
    },
  };
}
