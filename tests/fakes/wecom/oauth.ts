// WeCom web sign-in on the fake (reference W2): the OAuth2 authorize page the workbench opens,
// the desktop web-login (扫码登录) page, and `auth/getuserinfo`. The fake plays the person
// holding the WeCom client (`currentUser`): a member's userid, or an outsider's openid.
// Checked like the real server: appid, response_type=code, scope, agentid, the redirect domain
// (must be the app's 可信域名, else 50001), state ([a-zA-Z0-9], ≤ 128 bytes), the WeCom client
// (authorize only works inside it), and codes that are single use and live 5 minutes (40029).
// A browser never sends the `#wechat_redirect` fragment, so the fake cannot check it.
import crypto from 'node:crypto';
import type { FakeRequest, FakeResponse } from '../fake-http';
import { ok, type FakeWecom } from './fake-wecom';

export type WecomPerson = string | { openid: string };

interface IssuedCode {
  who: WecomPerson;
  scope: string;
  expiresAt: number;
  used: boolean;
}

export interface WecomOauth {
  /** Who is signed in to the WeCom client / scans the QR code; null: nobody. */
  currentUser: WecomPerson | null;
  /** Authorize only inside the WeCom client (user agent contains "wxwork"), as the real page. */
  requireClient: boolean;
  readonly codes: Map<string, IssuedCode>;
  /** A code for `who`, as the authorize page would put on the redirect. */
  issueCode(who: WecomPerson, scope?: string): string;
}

const CODE_TTL_MS = 5 * 60_000;
const STATE_RE = /^[a-zA-Z0-9]{0,128}$/;

/** The error page WeCom shows instead of redirecting (HTML in reality; the errcode is what matters). */
const errorPage = (errcode: number, message: string): FakeResponse => ({ status: 200, text: `errcode=${errcode} ${message}` });

export function installWecomOauth(fake: FakeWecom, opts: { currentUser?: WecomPerson | null } = {}): WecomOauth {
  const codes = new Map<string, IssuedCode>();
  const oauth: WecomOauth = {
    currentUser: opts.currentUser ?? null,
    requireClient: true,
    codes,
    issueCode(who, scope = 'snsapi_base') {
      const code = crypto.randomBytes(16).toString('hex');
      codes.set(code, { who, scope, expiresAt: fake.clock.ms + CODE_TTL_MS, used: false });
      return code;
    },
  };

  const trusted = (redirectUri: string | undefined): URL | null => {
    if (!redirectUri) return null;
    try {
      const u = new URL(redirectUri);
      const domain = fake.corp.trustedDomain;
      return (domain.includes(':') ? u.host : u.hostname) === domain && /^https?:$/.test(u.protocol) ? u : null;
    } catch {
      return null;
    }
  };

  /** Redirect back with a fresh code for the current user, or the page WeCom shows instead. */
  function back(req: FakeRequest, scope: string): FakeResponse {
    const target = trusted(req.query.redirect_uri);
    if (!target) return errorPage(50001, 'redirect_uri 需使用应用可信域名');
    const state = req.query.state ?? '';
    if (!STATE_RE.test(state)) return errorPage(40001, 'state 参数不合法:只能是 a-zA-Z0-9,长度不超过 128 字节');
    const who = oauth.currentUser;
    if (who === null) return errorPage(50002, '用户未登录企业微信');
    if (typeof who === 'string' && !fake.users.has(who)) throw new Error(`fake wecom: currentUser ${who} is not a member (addUser first)`);
    const code = oauth.issueCode(who, scope);
    target.searchParams.set('code', code);
    target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString() } };
  }

  fake.on('GET', '/connect/oauth2/authorize', (req) => {
    const q = req.query;
    if (q.appid !== fake.corp.corpId) return errorPage(40013, 'invalid corpid');
    if (q.response_type !== 'code') return errorPage(40001, 'response_type 必须为 code');
    if (!['snsapi_base', 'snsapi_privateinfo'].includes(q.scope ?? '')) return errorPage(40001, 'scope 不合法');
    if (q.scope === 'snsapi_privateinfo' && !q.agentid) return errorPage(40056, 'snsapi_privateinfo 需要 agentid');
    if (q.agentid !== undefined && q.agentid !== String(fake.corp.agentId)) return errorPage(40056, 'invalid agentid');
    if (oauth.requireClient && !/wxwork/i.test(String(req.headers['user-agent'] ?? ''))) return { status: 200, text: '请在企业微信客户端打开链接' };
    return back(req, q.scope!);
  });

  fake.on('GET', '/wwlogin/sso/login', (req) => {
    const q = req.query;
    if (q.login_type !== 'CorpApp') return errorPage(40001, 'login_type 不合法');
    if (q.appid !== fake.corp.corpId) return errorPage(40013, 'invalid corpid');
    if (q.agentid !== String(fake.corp.agentId)) return errorPage(40056, 'invalid agentid');
    return back(req, 'snsapi_base');
  });

  fake.onApi('GET', '/cgi-bin/auth/getuserinfo', (req) => {
    const code = req.query.code;
    if (!code) return ok({ errcode: 41008, errmsg: 'missing code' });
    const issued = codes.get(code);
    if (!issued || issued.used || issued.expiresAt <= fake.clock.ms) return ok({ errcode: 40029, errmsg: 'invalid code' });
    issued.used = true;
    if (typeof issued.who !== 'string') return ok({ errcode: 0, errmsg: 'ok', openid: issued.who.openid });
    return ok({
      errcode: 0,
      errmsg: 'ok',
      userid: issued.who,
      ...(issued.scope === 'snsapi_privateinfo' ? { user_ticket: crypto.randomBytes(24).toString('hex'), expires_in: 1800 } : {}),
    });
  });

  return oauth;
}
