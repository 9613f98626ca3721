// A stateless session token: base64url(JSON payload) + "." + HMAC-SHA256, kept in an HttpOnly
// cookie. The user is looked up on every request (OrgService.activeActor: cached for a few seconds,
// dropped when someone is disabled), so disabling someone takes effect at once.
import crypto from 'node:crypto';

export const SESSION_COOKIE = 'crm_session';

export interface SessionPayload {
  uid: number;
  exp: number; // unix seconds
  via: 'dev' | 'wecom' | 'dingtalk';
}

const VERIFIED_MAX = 10_000; // tokens remembered as verified (a browser sends the same one on every request)

export function createSessionCodec(secret: string) {
  const sign = (data: string) => crypto.createHmac('sha256', secret).update(data).digest('base64url');
  // A token's signature and payload never change, so each distinct token is checked and parsed once;
  // the expiry is still compared on every request.
  const verified = new Map<string, SessionPayload>();

  function verify(token: string): SessionPayload | null {
    const [data, sig] = token.split('.');
    if (!data || !sig) return null;
    const expected = Buffer.from(sign(data));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    try {
      const p = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as SessionPayload;
      return typeof p.uid === 'number' && typeof p.exp === 'number' ? Object.freeze(p) : null;
    } catch {
      return null;
    }
  }

  return {
    encode(payload: SessionPayload): string {
      const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${data}.${sign(data)}`;
    },
    decode(token: string | undefined, now = Date.now()): SessionPayload | null {
      if (!token) return null;
      let p = verified.get(token) ?? null;
      if (!p) {
        p = verify(token);
        if (!p) return null; // forged or malformed: never remembered
        if (verified.size >= VERIFIED_MAX) verified.clear();
        verified.set(token, p);
      }
      return p.exp * 1000 > now ? p : null;
    },
  };
}
export type SessionCodec = ReturnType<typeof createSessionCodec>;
