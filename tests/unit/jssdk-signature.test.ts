// JS-SDK signatures against the reference vectors (W3) and the DingTalk rule (D3: query decoded).
import { describe, expect, it } from 'vitest';
import { dingtalkJsapiSignature, dingtalkSignedUrl, stripFragment, wecomJsapiSignature } from '../../server/src/modules/messenger/jssdk-signature';

const base = { ticket: 'TICKET', nonceStr: 'Wm3WZYTPz0wzccnW', timestamp: 1414587457 };

describe('WeCom JS-SDK signature (W3)', () => {
  it('matches the reference vector', () => {
    expect(wecomJsapiSignature({ ...base, url: 'https://crm.example.com/h5/?a=1' })).toBe('c6c43bbdef7268d8894a74b030d0b5231d9a49ff');
  });

  it('ignores the #fragment of the page URL', () => {
    expect(wecomJsapiSignature({ ...base, url: 'https://crm.example.com/h5/?a=1#/customers/1' })).toBe('c6c43bbdef7268d8894a74b030d0b5231d9a49ff');
  });

  it('signs the query as the page has it (no decoding)', () => {
    const url = 'https://crm.example.com/h5/customers/12?name=%E5%BC%A0%E4%B8%89&q=a+b&next=%2Fx%3Fy%3D1';
    // sha1("jsapi_ticket=TICKET&noncestr=Wm3WZYTPz0wzccnW&timestamp=1414587457&url=" + url), computed with Python's hashlib
    expect(wecomJsapiSignature({ ...base, url })).toBe('2e39fbe529c4fe376300c6055bdb8911e40f5502');
  });

  it('changes with every input', () => {
    const ref = 'c6c43bbdef7268d8894a74b030d0b5231d9a49ff';
    const url = 'https://crm.example.com/h5/?a=1';
    expect(wecomJsapiSignature({ ...base, url: 'https://crm.example.com/h5/?a=2' })).not.toBe(ref);
    expect(wecomJsapiSignature({ ...base, url, ticket: 'TICKET2' })).not.toBe(ref);
    expect(wecomJsapiSignature({ ...base, url, nonceStr: 'x' })).not.toBe(ref);
    expect(wecomJsapiSignature({ ...base, url, timestamp: 1414587458 })).not.toBe(ref);
  });
});

describe('DingTalk dd.config signature (D3)', () => {
  const url = 'https://crm.example.com/h5/customers/12?name=%E5%BC%A0%E4%B8%89&q=a+b&next=%2Fx%3Fy%3D1#top';

  it('signs the URL with its query URL-decoded and without the fragment', () => {
    expect(dingtalkSignedUrl(url)).toBe('https://crm.example.com/h5/customers/12?name=张三&q=a b&next=/x?y=1');
    // sha1 over the decoded URL, computed with Python's hashlib
    expect(dingtalkJsapiSignature({ ...base, url })).toBe('e09727749e57eb3a3934a8ad0cee649bf889838d');
  });

  it('equals the WeCom rule when there is nothing to decode', () => {
    expect(dingtalkJsapiSignature({ ...base, url: 'https://crm.example.com/h5/?a=1' })).toBe('c6c43bbdef7268d8894a74b030d0b5231d9a49ff');
    expect(dingtalkSignedUrl('https://crm.example.com/h5/')).toBe('https://crm.example.com/h5/');
  });

  it('rejects a malformed escape', () => {
    expect(() => dingtalkSignedUrl('https://crm.example.com/?a=%E5%BC')).toThrow(URIError);
  });
});

describe('stripFragment', () => {
  it('drops everything from the first #', () => {
    expect(stripFragment('https://a.example/x?y=1#z#w')).toBe('https://a.example/x?y=1');
    expect(stripFragment('https://a.example/x')).toBe('https://a.example/x');
  });
});
