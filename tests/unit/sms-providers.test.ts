// SMS providers: the signatures against the providers' published examples, the percent-encoding
// rules, how answers are classified, the sending window, and the SMS settings in config.
import { describe, expect, it } from 'vitest';
import { aliyunEncode, aliyunSignature, aliyunTimestamp, classifyAliyun } from '../../bot/src/channels/sms/aliyun';
import { classifyTencent, tc3Sign } from '../../bot/src/channels/sms/tencent';
import { nextOpening, tomorrowsOpening, withinSmsHours } from '../../server/src/modules/sms/sms.clock';
import { loadConfig } from '../../config';

describe('Aliyun signature V1 (HMAC-SHA1)', () => {
  it('matches the SendSms example of the 短信服务 signature document', () => {
    // help.aliyun.com 短信服务 签名机制: testId / testSecret, GET → zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D
    const params = {
      AccessKeyId: 'testId', Action: 'SendSms', Format: 'XML', OutId: '123', PhoneNumbers: '15300000001', RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用', SignatureMethod: 'HMAC-SHA1', SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466', SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007', TemplateParam: '{"customer":"test"}', Timestamp: '2017-07-12T02:42:19Z', Version: '2017-05-25',
    };
    const sig = aliyunSignature('GET', params, 'testSecret');
    expect(sig).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    expect(aliyunEncode(sig)).toBe('zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D');
    // The POST form differs only in the method part of the string to sign.
    expect(aliyunSignature('POST', params, 'testSecret')).not.toBe(sig);
    expect(aliyunSignature('GET', { ...params, Signature: 'ignored' }, 'testSecret')).toBe(sig);
  });

  it('percent-encodes per RFC 3986: space %20, * %2A, ~ kept, !\'() encoded, UTF-8 bytes', () => {
    expect(aliyunEncode('a b*c~d!e\'f(g)h')).toBe('a%20b%2Ac~d%21e%27f%28g%29h');
    expect(aliyunEncode('短')).toBe('%E7%9F%AD');
    expect(aliyunEncode('{"a":"1"}')).toBe('%7B%22a%22%3A%221%22%7D');
    expect(aliyunTimestamp(Date.UTC(2017, 6, 12, 2, 42, 19, 512))).toBe('2017-07-12T02:42:19Z');
  });

  it('classifies the documented codes', () => {
    expect(classifyAliyun('OK', 'OK').kind).toBe('sent');
    expect(classifyAliyun('isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1')).toMatchObject({ kind: 'throttled', until: 'minute' });
    expect(classifyAliyun('isv.BUSINESS_LIMIT_CONTROL', '触发小时级流控Permits:5')).toMatchObject({ kind: 'throttled', until: 'hour' });
    expect(classifyAliyun('isv.BUSINESS_LIMIT_CONTROL', '触发天级流控Permits:10')).toMatchObject({ kind: 'throttled', until: 'tomorrow' });
    expect(classifyAliyun('isv.DAY_LIMIT_CONTROL', '')).toMatchObject({ kind: 'throttled', until: 'tomorrow' });
    expect(classifyAliyun('isv.MOBILE_NUMBER_ILLEGAL', '').kind).toBe('invalid_number');
    expect(classifyAliyun('isv.AMOUNT_NOT_ENOUGH', '').kind).toBe('transient');
    expect(classifyAliyun('isp.SYSTEM_ERROR', '').kind).toBe('transient');
    expect(classifyAliyun('SignatureDoesNotMatch', '').kind).toBe('permanent');
    expect(classifyAliyun('InvalidAccessKeyId.NotFound', '').kind).toBe('permanent');
    expect(classifyAliyun('isv.SMS_TEMPLATE_ILLEGAL', '').kind).toBe('permanent');
  });
});

describe('Tencent Cloud TC3-HMAC-SHA256', () => {
  it('matches the worked example of the API 3.0 signature document (cvm DescribeInstances)', () => {
    const r = tc3Sign({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', service: 'cvm', host: 'cvm.tencentcloudapi.com',
      contentType: 'application/json; charset=utf-8', timestamp: 1551113065,
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    });
    expect(r.canonicalRequestHash).toBe('5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
    expect(r.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(r.authorization).toBe('TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  });

  it('classifies SendStatusSet and request error codes', () => {
    expect(classifyTencent('Ok', '').kind).toBe('sent');
    expect(classifyTencent('LimitExceeded.PhoneNumberDailyLimit', '')).toMatchObject({ kind: 'throttled', until: 'tomorrow' });
    expect(classifyTencent('LimitExceeded.SameContentDailyLimit', '')).toMatchObject({ kind: 'throttled', until: 'tomorrow' });
    expect(classifyTencent('LimitExceeded.PhoneNumberThirtySecondLimit', '')).toMatchObject({ kind: 'throttled', until: 'minute' });
    expect(classifyTencent('LimitExceeded.PhoneNumberOneHourLimit', '')).toMatchObject({ kind: 'throttled', until: 'hour' });
    expect(classifyTencent('InvalidParameterValue.IncorrectPhoneNumber', '').kind).toBe('invalid_number');
    expect(classifyTencent('AuthFailure.SignatureFailure', '').kind).toBe('permanent');
    expect(classifyTencent('AuthFailure.SecretIdNotFound', '').kind).toBe('permanent');
    expect(classifyTencent('FailedOperation.TemplateIncorrectOrUnapproved', '').kind).toBe('permanent');
    expect(classifyTencent('InternalError.Timeout', '').kind).toBe('transient');
  });
});

describe('SMS sending window (Asia/Shanghai)', () => {
  const w = { allowedFromMinute: 9 * 60, allowedToMinute: 20 * 60 };
  const sh = (d: string) => Date.parse(`${d}+08:00`);
  it('is open 09:00–19:59 and closed at 20:00, 21:00 and 03:00', () => {
    expect(withinSmsHours(sh('2026-11-23T09:00:00'), w)).toBe(true);
    expect(withinSmsHours(sh('2026-11-23T19:59:59'), w)).toBe(true);
    expect(withinSmsHours(sh('2026-11-23T08:59:59'), w)).toBe(false);
    expect(withinSmsHours(sh('2026-11-23T20:00:00'), w)).toBe(false);
    expect(withinSmsHours(sh('2026-11-24T03:00:00'), w)).toBe(false);
  });
  it('next opening: now inside, today 09:00 before it, tomorrow 09:00 after it', () => {
    expect(nextOpening(sh('2026-11-23T10:00:00'), w)).toBe(sh('2026-11-23T10:00:00'));
    expect(nextOpening(sh('2026-11-23T03:00:00'), w)).toBe(sh('2026-11-23T09:00:00'));
    expect(nextOpening(sh('2026-11-23T21:00:00'), w)).toBe(sh('2026-11-24T09:00:00'));
    expect(tomorrowsOpening(sh('2026-11-23T10:00:00'), w)).toBe(sh('2026-11-24T09:00:00'));
    expect(tomorrowsOpening(sh('2026-11-23T00:30:00'), w)).toBe(sh('2026-11-24T09:00:00'));
  });
});

describe('SMS configuration', () => {
  const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  it('defaults to the console provider, 3 days, 09:00–20:00', () => {
    const c = loadConfig(base, '');
    expect(c.sms).toMatchObject({ provider: 'console', aliyun: null, tencent: null, daysBefore: 3, allowedFromMinute: 540, allowedToMinute: 1200 });
    expect(c.sms.templates.repayment_due).toBeNull();
  });
  it('names each missing credential and template when a provider is chosen', () => {
    expect(() => loadConfig({ ...base, SMS_PROVIDER: 'aliyun' }, '')).toThrow(/ALIYUN_SMS_ACCESS_KEY_ID[\s\S]*ALIYUN_SMS_ACCESS_KEY_SECRET[\s\S]*ALIYUN_SMS_SIGN_NAME[\s\S]*SMS_TEMPLATE_REPAYMENT_DUE/);
    expect(() => loadConfig({ ...base, SMS_PROVIDER: 'tencent' }, '')).toThrow(/TENCENT_SMS_SECRET_ID[\s\S]*TENCENT_SMS_SDK_APP_ID[\s\S]*SMS_TEMPLATE_MISSING_DOCUMENTS/);
    expect(() => loadConfig({ ...base, SMS_PROVIDER: 'qq' }, '')).toThrow(/SMS_PROVIDER/);
  });
  it('parses templates (param list, key=variable renames) and refuses unknown variables and bad hours', () => {
    const c = loadConfig({
      ...base, SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ACCESS_KEY_ID: 'id', ALIYUN_SMS_ACCESS_KEY_SECRET: 's', ALIYUN_SMS_SIGN_NAME: '信贷CRM',
      SMS_TEMPLATE_REPAYMENT_DUE: 'SMS_1:name,money=amount,dueDate', SMS_TEMPLATE_OVERDUE: 'SMS_2:name', SMS_TEMPLATE_MISSING_DOCUMENTS: 'SMS_3:', SMS_ALLOWED_HOURS: '08:30-21:00',
    }, '');
    expect(c.sms.templates.repayment_due).toEqual({ code: 'SMS_1', params: [{ key: 'name', variable: 'name' }, { key: 'money', variable: 'amount' }, { key: 'dueDate', variable: 'dueDate' }] });
    expect(c.sms.templates.missing_documents).toEqual({ code: 'SMS_3', params: [] });
    expect(c.sms).toMatchObject({ allowedFromMinute: 510, allowedToMinute: 1260, aliyun: { endpoint: 'https://dysmsapi.aliyuncs.com' } });
    expect(() => loadConfig({ ...base, SMS_TEMPLATE_OVERDUE: 'SMS_2:name,balance' }, '')).toThrow(/SMS_TEMPLATE_OVERDUE/);
    expect(() => loadConfig({ ...base, SMS_ALLOWED_HOURS: '20:00-09:00' }, '')).toThrow(/SMS_ALLOWED_HOURS/);
    expect(() => loadConfig({ ...base, SMS_PROVIDER: 'tencent', TENCENT_SMS_SECRET_ID: 'a', TENCENT_SMS_SECRET_KEY: 'b', TENCENT_SMS_SDK_APP_ID: '1400', TENCENT_SMS_SIGN_NAME: 'x', SMS_TEMPLATE_REPAYMENT_DUE: 'SMS_1:name', SMS_TEMPLATE_OVERDUE: '2:name', SMS_TEMPLATE_MISSING_DOCUMENTS: '3:name' }, '')).toThrow(/numeric Tencent template ID/);
  });
});
