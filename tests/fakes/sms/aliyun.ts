// A fake Aliyun SMS endpoint (dysmsapi 2017-05-25, RPC style, signature V1) that checks what the
// real one checks: the AccessKeyId exists (InvalidAccessKeyId.NotFound), the HMAC-SHA1 signature
// recomputed over the received parameters matches (SignatureDoesNotMatch), the timestamp is within
// 15 minutes (InvalidTimeStamp.Expired), a nonce is used once (SignatureNonceUsed), the common and
// action parameters are present (Missing<Name>), the sign and template are known
// (isv.SMS_SIGNATURE_ILLEGAL / isv.SMS_TEMPLATE_ILLEGAL), TemplateParam is JSON carrying every
// variable of the template (isv.TEMPLATE_MISSING_PARAMETERS), the number is a mainland mobile
// (isv.MOBILE_NUMBER_ILLEGAL), and the default per-number flow control (1/min, 5/h, 10/day on the
// test clock → isv.BUSINESS_LIMIT_CONTROL). Numbers can be scripted invalid, answers scripted
// (failNext); QuerySendDetails answers receipts for what was accepted.
import crypto from 'node:crypto';
import { FakeHttpServer, TestClock, type FakeResponse } from '../fake-http';
import { aliyunSignature } from '../../../bot/src/channels/sms/aliyun';

export interface AliyunSend {
  bizId: string;
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  outId: string | null;
  at: number;
}

export const FAKE_ALIYUN = {
  accessKeyId: 'LTAI5tFakeAccessKeyId01',
  accessKeySecret: 'fakeAliyunAccessKeySecret0123456789',
  signName: '信贷CRM',
  templates: { SMS_100000001: ['name', 'seq', 'amount', 'dueDate'], SMS_100000002: ['name', 'seq', 'amount', 'dueDate'], SMS_100000003: ['name'] } as Record<string, string[]>,
};

const COMMON = ['AccessKeyId', 'Action', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'Signature'];

export class FakeAliyunSms extends FakeHttpServer {
  readonly sends: AliyunSend[] = [];
  /** Numbers the operator rejects as illegal. */
  readonly invalidNumbers = new Set<string>();
  /** Receipt per BizId: 3 success (default), 2 failed, 1 waiting. */
  readonly receiptStatus = new Map<string, { status: 1 | 2 | 3; errCode: string }>();
  readonly limits = { perMinute: 1, perHour: 5, perDay: 10 };
  private scripted: { code: string; message: string }[] = [];
  private nonces = new Set<string>();
  rejected: { code: string; message: string }[] = [];

  constructor(clock = new TestClock()) {
    super(clock);
    this.on('POST', '/', (req) => this.handleRpc(req.rawBody, String(req.headers['content-type'] ?? '')));
  }

  /** The next `n` SendSms calls (that pass authentication) answer this Code. */
  failNext(code: string, message = '', n = 1) {
    for (let i = 0; i < n; i++) this.scripted.push({ code, message });
  }

  private reject(status: number, code: string, message: string): FakeResponse {
    this.rejected.push({ code, message });
    return { status, json: { RequestId: crypto.randomUUID(), Code: code, Message: message, Recommend: '', HostId: 'dysmsapi.aliyuncs.com' } };
  }

  private handleRpc(raw: string, contentType: string): FakeResponse {
    if (!contentType.startsWith('application/x-www-form-urlencoded')) return this.reject(400, 'InvalidParameter', 'form body expected');
    // Decode as a real server does (the client sends %20 for spaces; '+' would mean a space too).
    const p: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(raw)) p[k] = v;
    for (const k of COMMON) if (!p[k]) return this.reject(400, `Missing${k}`, `${k} is mandatory for this action.`);
    if (p.AccessKeyId !== FAKE_ALIYUN.accessKeyId) return this.reject(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (p.SignatureMethod !== 'HMAC-SHA1' || p.SignatureVersion !== '1.0') return this.reject(400, 'InvalidParameter', 'SignatureMethod/SignatureVersion');
    if (p.Version !== '2017-05-25') return this.reject(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(p.Timestamp!)) return this.reject(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    if (Math.abs(Date.parse(p.Timestamp!) - Date.now()) > 15 * 60_000) return this.reject(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    const expected = aliyunSignature('POST', p, FAKE_ALIYUN.accessKeySecret);
    if (expected !== p.Signature) return this.reject(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    if (this.nonces.has(p.SignatureNonce!)) return this.reject(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    this.nonces.add(p.SignatureNonce!);
    if (p.Action === 'SendSms') return this.sendSms(p);
    if (p.Action === 'QuerySendDetails') return this.querySendDetails(p);
    return this.reject(400, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  }

  private answer(code: string, message: string, extra: object = {}): FakeResponse {
    return { json: { RequestId: crypto.randomUUID(), Code: code, Message: message, ...extra } };
  }

  private sendSms(p: Record<string, string>): FakeResponse {
    for (const k of ['PhoneNumbers', 'SignName', 'TemplateCode']) if (!p[k]) return this.reject(400, `Missing${k}`, `${k} is mandatory for this action.`);
    const scripted = this.scripted.shift();
    if (scripted) return this.answer(scripted.code, scripted.message);
    if (p.SignName !== FAKE_ALIYUN.signName) return this.answer('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const vars = FAKE_ALIYUN.templates[p.TemplateCode!];
    if (!vars) return this.answer('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let params: Record<string, string> = {};
    try {
      params = p.TemplateParam ? JSON.parse(p.TemplateParam) : {};
    } catch {
      return this.answer('isv.INVALID_JSON_PARAM', 'JSON参数不合法,只接受字符串值');
    }
    if (vars.some((v) => typeof params[v] !== 'string' || params[v] === '')) return this.answer('isv.TEMPLATE_MISSING_PARAMETERS', '模板变量缺少对应参数值');
    const phone = p.PhoneNumbers!;
    if (!/^1[3-9]\d{9}$/.test(phone) || this.invalidNumbers.has(phone)) return this.answer('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    const now = this.clock.ms;
    const mine = this.sends.filter((s) => s.phone === phone && s.signName === p.SignName);
    const within = (ms: number) => mine.filter((s) => s.at > now - ms).length;
    if (within(60_000) >= this.limits.perMinute) return this.answer('isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1');
    if (within(3_600_000) >= this.limits.perHour) return this.answer('isv.BUSINESS_LIMIT_CONTROL', '触发小时级流控Permits:5');
    if (within(86_400_000) >= this.limits.perDay) return this.answer('isv.BUSINESS_LIMIT_CONTROL', '触发天级流控Permits:10');
    const bizId = `${Math.floor(Math.random() * 1e12)}^${Math.floor(Math.random() * 1e10)}`;
    this.sends.push({ bizId, phone, signName: p.SignName!, templateCode: p.TemplateCode!, params, outId: p.OutId ?? null, at: now });
    return this.answer('OK', 'OK', { BizId: bizId });
  }

  private querySendDetails(p: Record<string, string>): FakeResponse {
    for (const k of ['PhoneNumber', 'SendDate', 'PageSize', 'CurrentPage']) if (!p[k]) return this.reject(400, `Missing${k}`, `${k} is mandatory for this action.`);
    if (!/^\d{8}$/.test(p.SendDate!)) return this.answer('isv.INVALID_PARAMETERS', 'SendDate must be yyyyMMdd');
    const list = this.sends
      .filter((s) => s.phone === p.PhoneNumber && (!p.BizId || s.bizId === p.BizId))
      .filter((s) => new Date(s.at + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '') === p.SendDate)
      .map((s) => {
        const r = this.receiptStatus.get(s.bizId) ?? { status: 3 as const, errCode: 'DELIVERED' };
        const t = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
        return { PhoneNum: s.phone, SendStatus: r.status, ErrCode: r.errCode, TemplateCode: s.templateCode, Content: '', SendDate: t(s.at), ReceiveDate: r.status === 1 ? '' : t(s.at + 5_000), OutId: s.outId ?? '' };
      });
    return this.answer('OK', 'OK', { TotalCount: list.length, SmsSendDetailDTOs: { SmsSendDetailDTO: list } });
  }
}
