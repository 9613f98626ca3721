// Sign-in endpoints. The dev sign-in lists staff and signs in as any of them; it exists only
// when enabled (see config: never by default in production or with a messenger configured).
// WeCom / DingTalk sign-in lives in sso.routes.ts.
import type { Deps } from '../../deps';
import { route, type RouteDef } from '../../http/route';
import { AppError } from '../../http/errors';
import { requireCsrfHeader } from '../../http/auth';
import { DevLogin } from '../../contracts/customer.schemas';
import type { SessionCodec } from './session';
import { clearSessionCookie, setSessionCookie } from './session-cookie';

export function authRoutes(deps: Deps, codec: SessionCodec): RouteDef[] {
  const { config, org, db, audit } = deps;
  const devOnly = () => {
    if (!config.auth.devLogin) throw new AppError(404, 'DEV_LOGIN_DISABLED');
  };

  return [
    route({
      method: 'get', path: '/auth/config', tag: 'auth', auth: 'public', summary: '登录方式',
      // What the H5 needs to pick a sign-in path; public identifiers only, never secrets.
      handler: () => ({
        devLogin: config.auth.devLogin,
        wecom: config.wecom ? { corpId: config.wecom.corpId, agentId: config.wecom.agentId } : false,
        dingtalk: config.dingtalk ? { corpId: config.dingtalk.corpId, clientId: config.dingtalk.clientId } : false,
      }),
    }),
    route({
      method: 'get', path: '/auth/dev-users', tag: 'auth', auth: 'public', summary: '开发登录:员工列表',
      handler: async () => {
        devOnly();
        return (await org.devUsers()).map((u) => ({ id: u.id, name: u.name, role: u.role, roleName: u.roleName, departmentId: u.departmentId, departmentName: u.departmentName }));
      },
    }),
    route({
      method: 'post', path: '/auth/dev-login', tag: 'auth', auth: 'public', summary: '开发登录', body: DevLogin,
      handler: async ({ body, ctx }) => {
        devOnly();
        requireCsrfHeader(ctx);
        const user = await db.models.User.findByPk(body.userId, { raw: true });
        if (!user) throw new AppError(404, 'NOT_FOUND', '员工不存在');
        if (user.status !== 'active') throw new AppError(403, 'USER_DISABLED');
        setSessionCookie(ctx, config, codec, user.id, 'dev');
        const actor = { id: user.id, name: user.name, role: user.role, departmentId: user.departmentId };
        await audit.record({ actor, ip: ctx.ip || null }, { action: 'login', entityType: 'user', entityId: user.id, after: { via: 'dev' } });
        return org.me(actor);
      },
    }),
    route({
      method: 'post', path: '/auth/logout', tag: 'auth', summary: '退出登录',
      handler: ({ ctx }) => {
        clearSessionCookie(ctx);
        return { ok: true };
      },
    }),
    route({ method: 'get', path: '/me', tag: 'auth', summary: '当前用户', handler: ({ rc }) => org.me(rc.actor) }),
  ];
}
