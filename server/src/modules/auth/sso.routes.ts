// WeCom and DingTalk sign-in endpoints. The WeCom ones are browser navigations: they answer with
// redirects (to WeCom, back into the H5, or to the H5 page /no-access that explains a refusal),
// never with an error dump; an XHR caller gets the JSON error instead.
import type { Context } from 'koa';
import { z } from 'zod';
import type { Deps } from '../../deps';
import { route, type RouteDef } from '../../http/route';
import { requireCsrfHeader } from '../../http/auth';
import type { SessionCodec } from './session';
import { setSessionCookie } from './session-cookie';
import { SSO_COOKIE, SSO_STATE_TTL_SECONDS, type SsoFlow } from './oauth-state';
import { SSO_FAILURE_ERRORS, type SsoFailure, type SsoService } from './sso.service';

const StartQuery = z.object({ redirect: z.string().max(2048).optional() });
const CallbackQuery = z.object({ code: z.string().max(512).optional(), state: z.string().max(512).optional() });
const DingtalkSignIn = z.object({ code: z.string().trim().min(1, '缺少免登授权码').max(512, '免登授权码无效') });

const COOKIE_PATH = '/api/v1/auth/wecom';

export function ssoRoutes(deps: Deps, codec: SessionCodec, sso: SsoService): RouteDef[] {
  const { config, org } = deps;
  const secure = (ctx: Context) => config.session.secure || ctx.secure;

  const wantsJson = (ctx: Context) => ctx.get('X-Requested-With') === 'XMLHttpRequest';

  /** A refusal: JSON for XHR, else the H5 page that explains it (with a way to try again). */
  function refuse(ctx: Context, reason: SsoFailure, redirect: string) {
    if (wantsJson(ctx)) throw SSO_FAILURE_ERRORS[reason]();
    const q = new URLSearchParams({ reason });
    if (redirect !== '/') q.set('redirect', redirect);
    ctx.redirect(`/no-access?${q}`);
  }

  function start(flow: SsoFlow) {
    return ({ query, ctx }: { query: z.output<typeof StartQuery>; ctx: Context }) => {
      ctx.set('Cache-Control', 'no-store');
      const started = sso.wecomStart(flow, query.redirect);
      if (!started) return refuse(ctx, 'not_configured', '/');
      if (config.session.secure) ctx.cookies.secure = true;
      ctx.cookies.set(SSO_COOKIE, started.cookie, {
        httpOnly: true, sameSite: 'lax', secure: secure(ctx), path: COOKIE_PATH, maxAge: SSO_STATE_TTL_SECONDS * 1000, overwrite: true,
      });
      ctx.redirect(started.location);
    };
  }

  return [
    route({
      method: 'get', path: '/auth/wecom/start', tag: 'auth', auth: 'public', summary: '企业微信网页授权登录(工作台内免登)', query: StartQuery,
      handler: start('wecom'),
    }),
    route({
      method: 'get', path: '/auth/wecom/qr-start', tag: 'auth', auth: 'public', summary: '企业微信扫码登录(桌面浏览器)', query: StartQuery,
      handler: start('wecom_qr'),
    }),
    route({
      method: 'get', path: '/auth/wecom/callback', tag: 'auth', auth: 'public', summary: '企业微信登录回调', query: CallbackQuery,
      handler: async ({ query, ctx }) => {
        ctx.set('Cache-Control', 'no-store');
        const result = await sso.wecomCallback({ ...query, cookie: ctx.cookies.get(SSO_COOKIE) });
        ctx.cookies.set(SSO_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: COOKIE_PATH, maxAge: 0, overwrite: true });
        // A repeated callback (a double tap, a reload) of someone already signed in changes nothing:
        // take them to the page rather than to an error about a used state.
        if (!result.ok && result.reason === 'state' && ctx.state.actor && !wantsJson(ctx)) return ctx.redirect(result.redirect);
        if (!result.ok) return refuse(ctx, result.reason, result.redirect);
        setSessionCookie(ctx, config, codec, result.user.id, 'wecom');
        await sso.recordLogin(result.user, 'wecom', ctx.ip || null);
        ctx.redirect(result.redirect);
      },
    }),
    route({
      method: 'post', path: '/auth/dingtalk', tag: 'auth', auth: 'public', summary: '钉钉免登', body: DingtalkSignIn,
      handler: async ({ body, ctx }) => {
        requireCsrfHeader(ctx);
        const user = await sso.dingtalkUser(body.code);
        setSessionCookie(ctx, config, codec, user.id, 'dingtalk');
        return org.me(await sso.recordLogin(user, 'dingtalk', ctx.ip || null));
      },
    }),
  ];
}
