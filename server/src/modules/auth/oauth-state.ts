// The `state` of the WeCom sign-in redirect and the page to return to afterwards.
//
// WeCom accepts only [a-zA-Z0-9] up to 128 bytes as `state`, so the state is fixed-width:
//   nonce (32 hex) ‖ expiry (10 digits, unix s) ‖ HMAC (40 hex) over nonce, expiry, flow, path.
// The nonce also goes into a short-lived HttpOnly cookie (with the flow and the return path), so
// a state only works in the browser that started the sign-in (no login CSRF), cannot be forged
// or extended (HMAC), expires after 10 minutes, and is accepted once (the caller records used
// nonces in sso_states). The return path is always a same-origin relative path (no open redirect).
import crypto from 'node:crypto';

export const SSO_COOKIE = 'crm_sso';
export const SSO_STATE_TTL_SECONDS = 600;

export type SsoFlow = 'wecom' | 'wecom_qr';
const FLOWS: readonly SsoFlow[] = ['wecom', 'wecom_qr'];

export interface IssuedState {
  state: string;
  /** Value of the SSO_COOKIE that must accompany the state. */
  cookie: string;
}

export type StateCheck =
  | { ok: true; nonce: string; flow: SsoFlow; redirect: string; expiresAt: Date }
  | { ok: false; why: 'malformed' | 'mismatch' | 'expired'; redirect: string };

const STATE_RE = /^([0-9a-f]{32})(\d{10})([0-9a-f]{40})$/;

/** A same-origin relative path to land on after sign-in; anything else becomes `fallback`. */
export function safeRedirectPath(raw: unknown, fallback = '/'): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > 512) return fallback;
  // "//host" and "/\host" are protocol-relative in browsers; control characters confuse parsers.
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || /[\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let u: URL;
  try {
    u = new URL(raw, 'http://crm.invalid');
  } catch {
    return fallback;
  }
  if (u.origin !== 'http://crm.invalid' || u.pathname.startsWith('/api/')) return fallback;
  return u.pathname + u.search;
}

export function createOAuthStateCodec(secret: string, now: () => number = Date.now) {
  // A key of its own, so a state MAC can never be replayed as a session MAC or the reverse.
  const key = crypto.createHmac('sha256', secret).update('crm-sso-state-v1').digest();
  const mac = (nonce: string, exp: string, flow: string, redirect: string) =>
    crypto.createHmac('sha256', key).update(`${nonce}\n${exp}\n${flow}\n${redirect}`).digest('hex').slice(0, 40);
  const equal = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

  function parseCookie(cookie: string | undefined) {
    const [nonce, flow, path] = (cookie ?? '').split('.');
    if (!nonce || !path || !FLOWS.includes(flow as SsoFlow)) return null;
    let redirect: string;
    try {
      redirect = Buffer.from(path, 'base64url').toString('utf8');
    } catch {
      return null;
    }
    return { nonce, flow: flow as SsoFlow, redirect: safeRedirectPath(redirect) };
  }

  return {
    issue(flow: SsoFlow, redirect: string): IssuedState {
      const path = safeRedirectPath(redirect);
      const nonce = crypto.randomBytes(16).toString('hex');
      const exp = String(Math.floor(now() / 1000) + SSO_STATE_TTL_SECONDS).padStart(10, '0');
      return {
        state: `${nonce}${exp}${mac(nonce, exp, flow, path)}`,
        cookie: `${nonce}.${flow}.${Buffer.from(path).toString('base64url')}`,
      };
    },

    verify(state: string | undefined, cookie: string | undefined): StateCheck {
      const c = parseCookie(cookie);
      const m = STATE_RE.exec(state ?? '');
      if (!m) return { ok: false, why: 'malformed', redirect: c?.redirect ?? '/' };
      const [, nonce, exp, sig] = m;
      if (!c || !equal(c.nonce, nonce) || !equal(mac(nonce, exp, c.flow, c.redirect), sig)) return { ok: false, why: 'mismatch', redirect: '/' };
      if (Number(exp) * 1000 <= now()) return { ok: false, why: 'expired', redirect: c.redirect };
      return { ok: true, nonce, flow: c.flow, redirect: c.redirect, expiresAt: new Date(Number(exp) * 1000) };
    },
  };
}
export type OAuthStateCodec = ReturnType<typeof createOAuthStateCodec>;
