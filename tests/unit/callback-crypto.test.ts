// Callback crypto against the reference vectors (W6 for WeCom, the official DingTalk-Callback-Crypto
// demo vector for D7), the checks that refuse a callback, and the small XML reader.
import { describe, expect, it } from 'vitest';
import { encrypt } from '@wecom/crypto';
import { CallbackRejection, openEnvelope, sealEnvelope, signatureOf, timestampMs, type CallbackKeys } from '../../server/src/modules/callbacks/callback-crypto';
import { buildXml, parseXml, xmlText, XmlError } from '../../server/src/modules/callbacks/wecom-xml';

// Reference W6 (WCR; re-checked in Python).
const W6 = {
  keys: { token: 'QDG6eK', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: 'wx5823bf96d3bd56c7' } satisfies CallbackKeys,
  random: Buffer.from('0123456789abcdef'),
  msg: '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName></xml>',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt: 'Q3stYC6hdFzMh9T8HCvyDPxT8pVuKlvhO2gcUVTTixiSNFhV1Lq46HvofjKEWOISE5LWSCaIchJnvP5g0/giqGGVwiPLFN3k8SvDykuhFq7dJlIxQlCfvzT0UlWZyzfwkncfcQBOeI2fHXdI4L/0f9zmwEb9+q3yLqs/VkqDjSo=',
  signature: '5ac9170227fec33ce64bedb7f20362717df3c097',
};
const W6_NOW = 1409659813_000;

// open-dingtalk/DingTalk-Callback-Crypto DingCallbackCrypto3.py demo: a real check_url push (ms timestamp).
const D7 = {
  keys: { token: 'mryue', aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7', receiveId: 'ding6ccabc44d2c8d38b' } satisfies CallbackKeys,
  signature: '03044561471240d4a14bb09372dfcfd4fd0e40cb',
  timestamp: '1608001896814',
  nonce: 'WL4PK6yA',
  encrypt: '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3',
};

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CallbackRejection) return err.reason;
    throw err;
  }
  return 'accepted';
};

describe('WeCom callback crypto (reference W6)', () => {
  it('encrypts the vector message to the vector ciphertext and signs it to the vector signature', () => {
    expect(encrypt(W6.keys.aesKey, W6.msg, W6.keys.receiveId, W6.random)).toBe(W6.encrypt);
    expect(signatureOf(W6.keys.token, W6.timestamp, W6.nonce, W6.encrypt)).toBe(W6.signature);
  });

  it('opens the vector envelope', () => {
    const env = { signature: W6.signature, timestamp: W6.timestamp, nonce: W6.nonce, encrypt: W6.encrypt };
    expect(openEnvelope(W6.keys, env, W6_NOW)).toBe(W6.msg);
    expect(openEnvelope(W6.keys, { ...env, signature: W6.signature.toUpperCase() }, W6_NOW)).toBe(W6.msg);
  });

  it('refuses a forged signature, a wrong receive id, a stale or a future timestamp, and garbage', () => {
    const env = { signature: W6.signature, timestamp: W6.timestamp, nonce: W6.nonce, encrypt: W6.encrypt };
    expect(reason(() => openEnvelope(W6.keys, { ...env, signature: '0'.repeat(40) }, W6_NOW))).toBe('signature');
    expect(reason(() => openEnvelope(W6.keys, { ...env, nonce: '1372623150' }, W6_NOW))).toBe('signature');
    expect(reason(() => openEnvelope({ ...W6.keys, token: 'other' }, env, W6_NOW))).toBe('signature');
    expect(reason(() => openEnvelope({ ...W6.keys, receiveId: 'wwothercorp' }, env, W6_NOW))).toBe('receive_id');
    expect(reason(() => openEnvelope(W6.keys, env, W6_NOW + 5 * 60_000))).toBe('accepted');
    expect(reason(() => openEnvelope(W6.keys, env, W6_NOW + 5 * 60_000 + 1000))).toBe('stale_timestamp');
    expect(reason(() => openEnvelope(W6.keys, env, W6_NOW - 6 * 60_000))).toBe('stale_timestamp');
    expect(reason(() => openEnvelope(W6.keys, { ...env, encrypt: '' }, W6_NOW))).toBe('malformed');
    expect(reason(() => openEnvelope(W6.keys, { ...env, encrypt: '<x>' }, W6_NOW))).toBe('malformed');
    const junk = 'AAAA';
    expect(reason(() => openEnvelope(W6.keys, { ...env, encrypt: junk, signature: signatureOf(W6.keys.token, W6.timestamp, W6.nonce, junk) }, W6_NOW))).toBe('decrypt');
  });

  it('seals a reply that opens again with the same keys', () => {
    const sealed = sealEnvelope(W6.keys, '<xml><MsgType>update_button</MsgType></xml>', { timestamp: W6.timestamp, nonce: 'n1' });
    expect(sealed.signature).toBe(signatureOf(W6.keys.token, W6.timestamp, 'n1', sealed.encrypt));
    expect(openEnvelope(W6.keys, sealed, W6_NOW)).toBe('<xml><MsgType>update_button</MsgType></xml>');
  });
});

describe('DingTalk event subscription crypto (reference D7)', () => {
  const env = { signature: D7.signature, timestamp: D7.timestamp, nonce: D7.nonce, encrypt: D7.encrypt };

  it('opens the official demo push (receive id = AppKey, timestamp in ms)', () => {
    expect(openEnvelope(D7.keys, env, Number(D7.timestamp) + 1000)).toBe('{"EventType":"check_url"}');
  });

  it('refuses it for another AppKey or long after', () => {
    expect(reason(() => openEnvelope({ ...D7.keys, receiveId: 'dingotherapp' }, env, Number(D7.timestamp)))).toBe('receive_id');
    expect(reason(() => openEnvelope(D7.keys, env, Number(D7.timestamp) + 3600_000))).toBe('stale_timestamp');
  });

  it('reads seconds and milliseconds alike', () => {
    expect(timestampMs('1409659813')).toBe(1409659813000);
    expect(timestampMs('1608001896814')).toBe(1608001896814);
    expect(timestampMs('12a')).toBeNull();
    expect(timestampMs('')).toBeNull();
  });
});

describe('WeCom XML reader', () => {
  it('reads the envelope and a card event with CDATA, entities and nested selections', () => {
    const env = parseXml('<?xml version="1.0"?>\n<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>');
    expect(env).toEqual({ ToUserName: 'wwcorp', AgentID: '1000002', Encrypt: 'abc+/=' });
    const ev = parseXml(
      '<xml><FromUserName><![CDATA[zhangwei]]></FromUserName><CreateTime>1700000000</CreateTime><EventKey>a &amp; b &lt;c&gt; &#x4E2D;</EventKey>' +
        '<SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey><OptionIds><OptionId><![CDATA[o1]]></OptionId><OptionId><![CDATA[o2]]></OptionId></OptionIds></SelectedItem></SelectedItems></xml>',
    );
    expect(xmlText(ev, 'FromUserName')).toBe('zhangwei');
    expect(xmlText(ev, 'CreateTime')).toBe('1700000000');
    expect(xmlText(ev, 'EventKey')).toBe('a & b <c> 中');
    expect(ev.SelectedItems).toEqual({ SelectedItem: { QuestionKey: 'q1', OptionIds: { OptionId: ['o1', 'o2'] } } });
  });

  it('round-trips what it builds, even with "]]>" inside a value', () => {
    const xml = buildXml({ ToUserName: 'zhangwei', CreateTime: 1700000000, Content: 'a ]]> b', Button: { ReplaceName: '已同意' } });
    expect(parseXml(xml)).toEqual({ ToUserName: 'zhangwei', CreateTime: '1700000000', Content: 'a ]]> b', Button: { ReplaceName: '已同意' } });
  });

  it.each([
    ['a DOCTYPE (no entity expansion)', '<!DOCTYPE xml [<!ENTITY x "y">]><xml><A>&x;</A></xml>'],
    ['an unknown entity', '<xml><A>&x;</A></xml>'],
    ['a mismatched end tag', '<xml><A>1</B></xml>'],
    ['an unterminated element', '<xml><A>1</A>'],
    ['content after the root', '<xml></xml><xml></xml>'],
    ['no root element', 'hello'],
    ['too deep nesting', `<xml>${'<a>'.repeat(10)}x${'</a>'.repeat(10)}</xml>`],
    ['a huge document', `<xml><A>${'x'.repeat(70_000)}</A></xml>`],
  ])('refuses %s', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
  });
});
