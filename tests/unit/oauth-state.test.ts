// The WeCom sign-in `state`: WeCom's format, bound to the browser's nonce cookie, unforgeable,
// expiring; and the post-login path is always a same-origin relative path.
import { describe, expect, it } from 'vitest';
import { createOAuthStateCodec, safeRedirectPath, SSO_STATE_TTL_SECONDS } from '../../server/src/modules/auth/oauth-state';

let clock = Date.UTC(2026, 10, 23, 4, 0, 0);
const codec = createOAuthStateCodec('session-secret-for-tests-0123456789', () => clock);

describe('sign-in state', () => {
  it('fits WeCom: only [a-zA-Z0-9], at most 128 bytes', () => {
    const { state } = codec.issue('wecom', '/customers/12?tab=follow');
    expect(state).toMatch(/^[a-zA-Z0-9]{1,128}$/);
  });

  it('verifies with its own cookie and carries the path and flow', () => {
    const { state, cookie } = codec.issue('wecom_qr', '/customers/12?tab=follow');
    const r = codec.verify(state, cookie);
    expect(r).toMatchObject({ ok: true, flow: 'wecom_qr', redirect: '/customers/12?tab=follow' });
  });

  it('is refused with another browser’s cookie, no cookie, or a changed path', () => {
    const a = codec.issue('wecom', '/');
    const b = codec.issue('wecom', '/');
    expect(codec.verify(a.state, b.cookie)).toMatchObject({ ok: false, why: 'mismatch' });
    expect(codec.verify(a.state, undefined)).toMatchObject({ ok: false, why: 'mismatch' });
    const [nonce, flow] = a.cookie.split('.');
    const otherPath = `${nonce}.${flow}.${Buffer.from('/admin/staff').toString('base64url')}`;
    expect(codec.verify(a.state, otherPath)).toMatchObject({ ok: false, why: 'mismatch' });
    expect(codec.verify(a.state, `${nonce}.wecom_qr.${a.cookie.split('.')[2]}`)).toMatchObject({ ok: false, why: 'mismatch' });
  });

  it('is refused when forged or extended', () => {
    const { state, cookie } = codec.issue('wecom', '/');
    const nonce = state.slice(0, 32);
    const exp = state.slice(32, 42);
    const later = String(Number(exp) + 86400);
    expect(codec.verify(`${nonce}${later}${state.slice(42)}`, cookie)).toMatchObject({ ok: false, why: 'mismatch' });
    const other = createOAuthStateCodec('another-secret-0123456789-0123456789', () => clock).issue('wecom', '/');
    expect(codec.verify(other.state, other.cookie)).toMatchObject({ ok: false, why: 'mismatch' });
    expect(codec.verify('abc', cookie)).toMatchObject({ ok: false, why: 'malformed' });
    expect(codec.verify(undefined, cookie)).toMatchObject({ ok: false, why: 'malformed' });
  });

  it('expires after 10 minutes', () => {
    const { state, cookie } = codec.issue('wecom', '/pool');
    clock += (SSO_STATE_TTL_SECONDS - 1) * 1000;
    expect(codec.verify(state, cookie).ok).toBe(true);
    clock += 1000;
    expect(codec.verify(state, cookie)).toEqual({ ok: false, why: 'expired', redirect: '/pool' });
  });
});

describe('safeRedirectPath', () => {
  it.each([
    ['/customers/12?tab=follow', '/customers/12?tab=follow'],
    ['/', '/'],
    ['/a/../pool', '/pool'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('keeps the same-origin path %s', (raw, expected) => {
    expect(safeRedirectPath(raw)).toBe(expected);
  });

  it.each([
    'https://evil.example/', '//evil.example/x', '/\\evil.example', '\\\\evil.example', 'javascript:alert(1)',
    'customers', '', '/api/v1/auth/wecom/start', `/${'x'.repeat(600)}`, '/a\nb', undefined, 42,
  ])('replaces %s with /', (raw) => {
    expect(safeRedirectPath(raw)).toBe('/');
  });
});
