// The signed session token kept in the HttpOnly cookie.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionCodec } from '../../server/src/modules/auth/session';

const codec = createSessionCodec('session-secret-for-tests-0123456789');
const NOW = Date.UTC(2026, 10, 23, 4, 0, 0);
const exp = NOW / 1000 + 3600;

describe('session codec', () => {
  it('round-trips a payload', () => {
    const token = codec.encode({ uid: 11, exp, via: 'dev' });
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(codec.decode(token, NOW)).toEqual({ uid: 11, exp, via: 'dev' });
  });

  it('refuses a changed payload, even one re-encoded to look valid', () => {
    const [data, sig] = codec.encode({ uid: 11, exp, via: 'dev' }).split('.');
    const forged = Buffer.from(JSON.stringify({ uid: 1, exp, via: 'dev' })).toString('base64url');
    expect(codec.decode(`${forged}.${sig}`, NOW)).toBeNull();
    expect(codec.decode(`${data.slice(0, -1)}${data.endsWith('A') ? 'B' : 'A'}.${sig}`, NOW)).toBeNull();
  });

  it('refuses a changed or missing signature and one made with another secret', () => {
    const token = codec.encode({ uid: 11, exp, via: 'dev' });
    const [data, sig] = token.split('.');
    expect(codec.decode(`${data}.${sig.slice(1)}`, NOW)).toBeNull();
    expect(codec.decode(`${data}.${sig[0] === 'a' ? 'b' : 'a'}${sig.slice(1)}`, NOW)).toBeNull();
    expect(codec.decode(`${data}.`, NOW)).toBeNull();
    expect(codec.decode(data, NOW)).toBeNull();
    expect(createSessionCodec('another-secret-for-tests-0123456789').decode(token, NOW)).toBeNull();
  });

  it('expires at exp', () => {
    const token = codec.encode({ uid: 11, exp, via: 'wecom' });
    expect(codec.decode(token, exp * 1000 - 1)).not.toBeNull();
    expect(codec.decode(token, exp * 1000)).toBeNull();
    expect(codec.decode(token, exp * 1000 + 86400_000)).toBeNull();
  });

  it('refuses empty input and well-signed payloads of the wrong shape', () => {
    expect(codec.decode(undefined, NOW)).toBeNull();
    expect(codec.decode('', NOW)).toBeNull();
    const secret = 'session-secret-for-tests-0123456789';
    const signed = (payload: string) => {
      const data = Buffer.from(payload).toString('base64url');
      return `${data}.${crypto.createHmac('sha256', secret).update(data).digest('base64url')}`;
    };
    expect(codec.decode(signed(JSON.stringify({ uid: 11, exp, via: 'dev' })), NOW)).toEqual({ uid: 11, exp, via: 'dev' });
    expect(codec.decode(signed('not json'), NOW)).toBeNull();
    expect(codec.decode(signed('null'), NOW)).toBeNull();
    // uid as a string, or exp missing, or not JSON: null even with a valid signature.
    for (const payload of [{ uid: '11', exp, via: 'dev' }, { uid: 11, via: 'dev' }]) {
      expect(codec.decode(codec.encode(payload as never), NOW)).toBeNull();
    }
  });
});
