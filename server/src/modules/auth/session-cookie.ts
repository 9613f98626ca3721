// Setting and clearing the session cookie, shared by every way of signing in (dev, WeCom, DingTalk).
import type { Context } from 'koa';
import type { Config } from '../../../../config';
import { SESSION_COOKIE, type SessionCodec, type SessionPayload } from './session';

export function setSessionCookie(ctx: Context, config: Config, codec: SessionCodec, uid: number, via: SessionPayload['via']) {
  const exp = Math.floor(Date.now() / 1000) + config.session.ttlHours * 3600;
  // PUBLIC_URL on https means TLS ends at a proxy in front of us: mark the cookie Secure even
  // when this hop is plain HTTP.
  if (config.session.secure) ctx.cookies.secure = true;
  ctx.cookies.set(SESSION_COOKIE, codec.encode({ uid, exp, via }), {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.session.secure || ctx.secure,
    maxAge: config.session.ttlHours * 3600_000,
    overwrite: true,
  });
}

export function clearSessionCookie(ctx: Context) {
  ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', maxAge: 0, overwrite: true });
}
