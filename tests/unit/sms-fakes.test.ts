// The SMS fakes refuse what the real services refuse, so the integration tests prove something:
// a replayed Aliyun nonce, a stale timestamp, a tampered parameter, an unknown key; a Tencent
// request with a stale timestamp or a body changed after signing; and a correct call is accepted.
import crypto from 'node:crypto';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_ALIYUN, FakeAliyunSms } from '../fakes/sms/aliyun';
import { FAKE_TENCENT, FakeTencentSms } from '../fakes/sms/tencent';
import { aliyunEncode, aliyunSignature, aliyunTimestamp, createAliyunSms } from '../../bot/src/channels/sms/aliyun';
import { createTencentSms, tc3Sign } from '../../bot/src/channels/sms/tencent';

const http = axios.create({ validateStatus: () => true });

describe('fake Aliyun SMS', () => {
  const fake = new FakeAliyunSms();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  function signed(over: Record<string, string> = {}, secret = FAKE_ALIYUN.accessKeySecret) {
    const p: Record<string, string> = {
      AccessKeyId: FAKE_ALIYUN.accessKeyId, Action: 'SendSms', Format: 'JSON', SignatureMethod: 'HMAC-SHA1', SignatureNonce: crypto.randomUUID(), SignatureVersion: '1.0',
      Timestamp: aliyunTimestamp(Date.now()), Version: '2017-05-25', PhoneNumbers: '13800138000', SignName: FAKE_ALIYUN.signName, TemplateCode: 'SMS_100000003', TemplateParam: '{"name":"王先生"}', ...over,
    };
    p.Signature = aliyunSignature('POST', p, secret);
    return p;
  }
  const form = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`).join('&');
  const post = (p: Record<string, string>) => http.post(`${fake.url}/`, form(p), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

  it('accepts a correctly signed SendSms once per nonce', async () => {
    const p = signed();
    expect((await post(p)).data).toMatchObject({ Code: 'OK' });
    const again = await post(p);
    expect(again.status).toBe(400);
    expect(again.data.Code).toBe('SignatureNonceUsed');
  });

  it('refuses a stale timestamp, a tampered parameter, a wrong secret and an unknown key', async () => {
    expect((await post(signed({ Timestamp: aliyunTimestamp(Date.now() - 20 * 60_000) }))).data.Code).toBe('InvalidTimeStamp.Expired');
    const tampered = { ...signed(), PhoneNumbers: '13900139000' };
    expect((await post(tampered)).data.Code).toBe('SignatureDoesNotMatch');
    expect((await post(signed({}, 'wrong'))).data.Code).toBe('SignatureDoesNotMatch');
    const unknown = await post(signed({ AccessKeyId: 'LTAIunknown' }));
    expect([unknown.status, unknown.data.Code]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
    const missing = signed();
    delete missing.TemplateCode;
    missing.Signature = aliyunSignature('POST', missing, FAKE_ALIYUN.accessKeySecret);
    expect((await post(missing)).data.Code).toBe('MissingTemplateCode');
  });

  it('checks the template variables and the number, and applies per-number flow control', async () => {
    expect((await post(signed({ TemplateParam: '{}' }))).data.Code).toBe('isv.TEMPLATE_MISSING_PARAMETERS');
    expect((await post(signed({ TemplateCode: 'SMS_999' }))).data.Code).toBe('isv.SMS_TEMPLATE_ILLEGAL');
    expect((await post(signed({ PhoneNumbers: '1380013800' }))).data.Code).toBe('isv.MOBILE_NUMBER_ILLEGAL');
    expect((await post(signed({ PhoneNumbers: '13700137000' }))).data.Code).toBe('OK');
    expect((await post(signed({ PhoneNumbers: '13700137000' }))).data).toMatchObject({ Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1' });
  });

  it('the client classifies the fake’s answers', async () => {
    const client = createAliyunSms({ accessKeyId: FAKE_ALIYUN.accessKeyId, accessKeySecret: FAKE_ALIYUN.accessKeySecret, signName: FAKE_ALIYUN.signName, endpoint: fake.url });
    const req = { phone: '13600136000', template: { code: 'SMS_100000003', params: [{ key: 'name', variable: 'name' }] }, vars: { name: '李女士' }, text: '', outId: '7' };
    expect(await client.send(req)).toMatchObject({ kind: 'sent', code: 'OK' });
    expect(await client.send(req)).toMatchObject({ kind: 'throttled', until: 'minute' });
    fake.invalidNumbers.add('13500135000');
    expect(await client.send({ ...req, phone: '13500135000' })).toMatchObject({ kind: 'invalid_number', code: 'isv.MOBILE_NUMBER_ILLEGAL' });
  });
});

describe('fake Tencent Cloud SMS', () => {
  const fake = new FakeTencentSms();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  function request(body: object, ts = Math.floor(Date.now() / 1000), tamper?: (raw: string) => string) {
    const host = new URL(fake.url).host;
    const raw = JSON.stringify(body);
    const { authorization } = tc3Sign({ secretId: FAKE_TENCENT.secretId, secretKey: FAKE_TENCENT.secretKey, service: 'sms', host, contentType: 'application/json', payload: raw, timestamp: ts });
    return http.post(`${fake.url}/`, tamper ? tamper(raw) : raw, {
      headers: { Authorization: authorization, 'Content-Type': 'application/json', 'X-TC-Action': 'SendSms', 'X-TC-Version': '2021-01-11', 'X-TC-Timestamp': String(ts), 'X-TC-Region': FAKE_TENCENT.region },
      transformRequest: [(d) => d],
    });
  }
  const body = { PhoneNumberSet: ['+8613800138000'], SmsSdkAppId: FAKE_TENCENT.sdkAppId, SignName: FAKE_TENCENT.signName, TemplateId: '2000003', TemplateParamSet: ['王先生'] };

  it('accepts a correctly signed SendSms; refuses a stale timestamp and a body changed after signing', async () => {
    expect((await request(body)).data.Response.SendStatusSet[0].Code).toBe('Ok');
    expect((await request(body, Math.floor(Date.now() / 1000) - 600)).data.Response.Error.Code).toBe('AuthFailure.SignatureExpire');
    expect((await request(body, undefined, (raw) => raw.replace('13800138000', '13900139000'))).data.Response.Error.Code).toBe('AuthFailure.SignatureFailure');
  });

  it('checks the template parameter count, the app, the number, and per-number limits', async () => {
    expect((await request({ ...body, TemplateParamSet: [] })).data.Response.Error.Code).toBe('FailedOperation.TemplateParamSetNotMatchApprovedTemplate');
    expect((await request({ ...body, SmsSdkAppId: '1400999999' })).data.Response.Error.Code).toBe('InvalidParameterValue.SdkAppIdNotExist');
    expect((await request({ ...body, PhoneNumberSet: ['13800138000'] })).data.Response.SendStatusSet[0].Code).toBe('InvalidParameterValue.IncorrectPhoneNumber');
    expect((await request(body)).data.Response.SendStatusSet[0].Code).toBe('LimitExceeded.PhoneNumberThirtySecondLimit');
  });

  it('the client sends with its own signature and classifies the answers', async () => {
    const client = createTencentSms({ secretId: FAKE_TENCENT.secretId, secretKey: FAKE_TENCENT.secretKey, sdkAppId: FAKE_TENCENT.sdkAppId, signName: FAKE_TENCENT.signName, region: FAKE_TENCENT.region, endpoint: fake.url });
    const req = { phone: '13600136000', template: { code: '2000003', params: [{ key: 'name', variable: 'name' }] }, vars: { name: '李女士' }, text: '', outId: '9' };
    expect(await client.send(req)).toMatchObject({ kind: 'sent', code: 'Ok' });
    fake.failNext('LimitExceeded.PhoneNumberDailyLimit');
    expect(await client.send({ ...req, phone: '13600136001' })).toMatchObject({ kind: 'throttled', until: 'tomorrow' });
    const receipts = await client.queryReceipts!([]);
    expect(receipts.map((r) => r.state)).toEqual(['delivered', 'delivered']); // the raw request above and the client's
    expect(await client.queryReceipts!([])).toEqual([]); // handed out once
  });
});
