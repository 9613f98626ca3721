// A fake Tencent Cloud SMS endpoint (API 3.0, sms 2021-01-11, TC3-HMAC-SHA256) that checks what
// the real one checks: the Authorization header's SecretId exists (AuthFailure.SecretIdNotFound),
// the signature recomputed from the received Content-Type, Host and body bytes matches
// (AuthFailure.SignatureFailure), X-TC-Timestamp is within 5 minutes (AuthFailure.SignatureExpire),
// X-TC-Action/Version/Region are right, SmsSdkAppId, SignName and TemplateId are known, and
// TemplateParamSet has the template's number of values. Per number (SendStatusSet[].Code): +86
// mainland format (InvalidParameterValue.IncorrectPhoneNumber, also for scripted invalid numbers),
// 1 per 30 s, 5 per hour and 10 per day on the test clock (LimitExceeded.PhoneNumber*Limit).
// PullSmsSendStatus hands out each accepted SMS's delivery report once (FAIL for `undeliverable`).
// Request errors come back as HTTP 200 {Response:{Error:{Code,Message},RequestId}}, as the real API does.
import crypto from 'node:crypto';
import { FakeHttpServer, TestClock, type FakeRequest, type FakeResponse } from '../fake-http';
import { tc3Sign } from '../../../bot/src/channels/sms/tencent';

export interface TencentSend {
  serialNo: string;
  phone: string;
  templateId: string;
  params: string[];
  sessionContext: string;
  at: number;
}

export const FAKE_TENCENT = {
  secretId: 'AKIDfakeTencentSecretId0123456789',
  secretKey: 'fakeTencentSecretKey0123456789ab',
  sdkAppId: '1400000001',
  signName: '信贷CRM',
  region: 'ap-guangzhou',
  templates: { '2000001': 4, '2000002': 4, '2000003': 1 } as Record<string, number>,
};

export class FakeTencentSms extends FakeHttpServer {
  readonly sends: TencentSend[] = [];
  readonly invalidNumbers = new Set<string>();
  /** Numbers whose SMS is accepted but never delivered (report FAIL). */
  readonly undeliverable = new Set<string>();
  /** Delivery reports not pulled yet (PullSmsSendStatus hands each out once). */
  private reports: { serialNo: string; phone: string; sessionContext: string; at: number }[] = [];
  readonly limits = { perThirtySeconds: 1, perHour: 5, perDay: 10 };
  /** Per-number codes scripted for the next sends (e.g. LimitExceeded.PhoneNumberDailyLimit). */
  private scripted: string[] = [];
  rejected: string[] = [];

  constructor(clock = new TestClock()) {
    super(clock);
    this.on('POST', '/', (req) => this.sendSms(req));
  }

  failNext(code: string, n = 1) {
    for (let i = 0; i < n; i++) this.scripted.push(code);
  }

  private error(code: string, message: string): FakeResponse {
    this.rejected.push(code);
    return { json: { Response: { Error: { Code: code, Message: message }, RequestId: crypto.randomUUID() } } };
  }

  private pull(b: any): FakeResponse {
    const limit = Number(b.Limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return this.error('InvalidParameterValue', 'Limit must be 1..100');
    if (b.SmsSdkAppId !== FAKE_TENCENT.sdkAppId) return this.error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId does not exist.');
    const out = this.reports.splice(0, limit);
    const t = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    return {
      json: {
        Response: {
          PullSmsSendStatusSet: out.map((r) => ({ ...r, ok: !this.undeliverable.has(r.phone) })).map((r) => ({
            UserReceiveTime: t(r.at), CountryCode: '86', SubscriberNumber: r.phone, PhoneNumber: `+86${r.phone}`, SerialNo: r.serialNo,
            ReportStatus: r.ok ? 'SUCCESS' : 'FAIL', Description: r.ok ? '用户短信送达成功' : '用户短信接收失败', SessionContext: r.sessionContext,
          })),
          RequestId: crypto.randomUUID(),
        },
      },
    };
  }

  private sendSms(req: FakeRequest): FakeResponse {
    const h = req.headers;
    const auth = String(h.authorization ?? '');
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return this.error('AuthFailure.InvalidAuthorization', 'Authorization header is malformed.');
    const [, secretId, date, service, signedHeaders, signature] = m;
    if (secretId !== FAKE_TENCENT.secretId) return this.error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const ts = Number(h['x-tc-timestamp']);
    if (!Number.isInteger(ts)) return this.error('MissingParameter', 'The request is missing a required parameter `X-TC-Timestamp`.');
    if (Math.abs(ts * 1000 - Date.now()) > 300_000) return this.error('AuthFailure.SignatureExpire', 'Signature expired.');
    if (service !== 'sms' || signedHeaders !== 'content-type;host' || date !== new Date(ts * 1000).toISOString().slice(0, 10)) return this.error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    const expected = tc3Sign({ secretId: secretId!, secretKey: FAKE_TENCENT.secretKey, service: 'sms', host: String(h.host ?? ''), contentType: String(h['content-type'] ?? ''), payload: req.rawBody, timestamp: ts });
    if (expected.signature !== signature) return this.error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    if (h['x-tc-version'] !== '2021-01-11') return this.error('NoSuchVersion', 'The requested version does not exist.');
    if (h['x-tc-region'] !== FAKE_TENCENT.region) return this.error('InvalidParameterValue', 'X-TC-Region');
    const b = req.body;
    if (!b || typeof b !== 'object') return this.error('InvalidParameter', 'body must be JSON');
    if (h['x-tc-action'] === 'PullSmsSendStatus') return this.pull(b);
    if (h['x-tc-action'] !== 'SendSms') return this.error('InvalidAction', `The action \`${String(h['x-tc-action'])}\` is not found.`);
    if (!Array.isArray(b.PhoneNumberSet) || b.PhoneNumberSet.length < 1 || b.PhoneNumberSet.length > 200) return this.error('MissingParameter', 'PhoneNumberSet');
    if (b.SmsSdkAppId !== FAKE_TENCENT.sdkAppId) return this.error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId does not exist.');
    if (b.SignName !== FAKE_TENCENT.signName) return this.error('FailedOperation.SignatureIncorrectOrUnapproved', '签名未审批或格式错误');
    const count = FAKE_TENCENT.templates[String(b.TemplateId)];
    if (count === undefined) return this.error('FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配');
    const params = b.TemplateParamSet ?? [];
    if (!Array.isArray(params) || params.length !== count || params.some((x: unknown) => typeof x !== 'string')) {
      return this.error('FailedOperation.TemplateParamSetNotMatchApprovedTemplate', '请求内容与审核通过的模板内容不匹配');
    }
    const now = this.clock.ms;
    const set = (b.PhoneNumberSet as unknown[]).map((raw) => {
      const phone = String(raw);
      const status = (code: string, message: string, serialNo = '') => ({ SerialNo: serialNo, PhoneNumber: phone, Fee: code === 'Ok' ? 1 : 0, SessionContext: String(b.SessionContext ?? ''), Code: code, Message: message, IsoCode: 'CN' });
      const scripted = this.scripted.shift();
      if (scripted) return status(scripted, scripted);
      const local = /^\+861[3-9]\d{9}$/.test(phone) ? phone.slice(3) : null;
      if (!local || this.invalidNumbers.has(local)) return status('InvalidParameterValue.IncorrectPhoneNumber', '手机号格式错误');
      const mine = this.sends.filter((s) => s.phone === local);
      const within = (ms: number) => mine.filter((s) => s.at > now - ms).length;
      if (within(30_000) >= this.limits.perThirtySeconds) return status('LimitExceeded.PhoneNumberThirtySecondLimit', '单个手机号30秒内下发短信条数超过设定的上限');
      if (within(3_600_000) >= this.limits.perHour) return status('LimitExceeded.PhoneNumberOneHourLimit', '单个手机号1小时内下发短信条数超过设定的上限');
      if (within(86_400_000) >= this.limits.perDay) return status('LimitExceeded.PhoneNumberDailyLimit', '单个手机号日下发短信条数超过设定的上限');
      const serialNo = `2433:${crypto.randomBytes(8).toString('hex')}`;
      this.sends.push({ serialNo, phone: local, templateId: String(b.TemplateId), params, sessionContext: String(b.SessionContext ?? ''), at: now });
      this.reports.push({ serialNo, phone: local, sessionContext: String(b.SessionContext ?? ''), at: now + 3_000 });
      return status('Ok', 'send success', serialNo);
    });
    return { json: { Response: { SendStatusSet: set, RequestId: crypto.randomUUID() } } };
  }
}
