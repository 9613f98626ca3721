// Resolves the session cookie to an actor, and guards state-changing requests against CSRF:
// they must carry the X-Requested-With header, which a cross-site form cannot send and a
// cross-site script cannot add without a CORS preflight this server never grants.
import type { Context, Next } from 'koa';
import type { OrgService } from '../modules/org/org.service';
import type { SessionCodec } from '../modules/auth/session';
import { SESSION_COOKIE } from '../modules/auth/session';
import { AppError } from './errors';
import type { Actor } from './context';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionMiddleware(org: OrgService, codec: SessionCodec) {
  return async (ctx: Context, next: Next) => {
    const session = codec.decode(ctx.cookies.get(SESSION_COOKIE));
    if (session) {
      const actor = await org.activeActor(session.uid);
      if (actor) ctx.state.actor = actor satisfies Actor;
    }
    await next();
  };
}

export function requireCsrfHeader(ctx: Context) {
  if (!SAFE_METHODS.has(ctx.method) && ctx.get('X-Requested-With') !== 'XMLHttpRequest') {
    throw new AppError(403, 'CSRF_REJECTED');
  }
}
