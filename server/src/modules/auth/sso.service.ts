// Sign-in through WeCom (OAuth2 snsapi_base in the workbench, web-login QR on a desktop) and
// DingTalk (免登 auth code): turns a messenger's one-time code into a CRM user, by the messenger
// user id stored on users.wecom_userid / users.dingtalk_userid (org sync fills them).
// Reference W2 and D2. The routes set the cookies and redirects; the rules live here.
import { Op, UniqueConstraintError } from 'sequelize';
import type { Deps } from '../../deps';
import { AppError } from '../../http/errors';
import type { User } from '../org/org.model';
import { MessengerError } from '../messenger/messenger-error';
import { createOAuthStateCodec, type SsoFlow } from './oauth-state';

/** Why a WeCom sign-in did not end in a session; the H5 page /no-access explains each. */
export type SsoFailure = 'state' | 'code' | 'not_member' | 'unknown' | 'disabled' | 'unavailable' | 'not_configured';

export type WecomCallbackResult = { ok: true; user: User; redirect: string } | { ok: false; reason: SsoFailure; redirect: string };

/** The API answer each failure becomes when the caller wants JSON rather than a page. */
export const SSO_FAILURE_ERRORS: Record<SsoFailure, () => AppError> = {
  state: () => new AppError(400, 'SSO_STATE_INVALID'),
  code: () => new AppError(401, 'SSO_CODE_INVALID'),
  not_member: () => new AppError(403, 'MESSENGER_USER_UNKNOWN'),
  unknown: () => new AppError(403, 'MESSENGER_USER_UNKNOWN'),
  disabled: () => new AppError(403, 'USER_DISABLED'),
  unavailable: () => new AppError(503, 'MESSENGER_UNAVAILABLE'),
  not_configured: () => new AppError(404, 'MESSENGER_NOT_CONFIGURED'),
};

// WeCom: 40029 invalid code (bad, used or older than 5 minutes); 40163 code already used.
const WECOM_BAD_CODE = new Set(['40029', '40163']);
// DingTalk: 40078 不存在的临时授权码 (bad, used or expired).
const DINGTALK_BAD_CODE = new Set(['40078']);

export const WECOM_CALLBACK_PATH = '/api/v1/auth/wecom/callback';

export function createSsoService(deps: Deps, opts: { now?: () => number } = {}) {
  const { config, db, log, messengers, audit } = deps;
  const now = opts.now ?? Date.now;
  const states = createOAuthStateCodec(config.session.secret, now);
  const callbackUrl = `${config.publicUrl}${WECOM_CALLBACK_PATH}`;

  /** Active CRM user for a messenger user id, or why there is none. */
  async function mapUser(column: 'wecomUserid' | 'dingtalkUserid', messengerUserid: string): Promise<User | 'unknown' | 'disabled'> {
    const user = await db.models.User.findOne({ where: { [column]: messengerUserid }, raw: true });
    if (!user) return 'unknown';
    return user.status === 'active' ? user : 'disabled';
  }

  /** Marks a verified state used; false when it was used before (a replay). */
  async function consumeState(nonce: string, flow: SsoFlow, expiresAt: Date): Promise<boolean> {
    const at = new Date(now());
    await db.models.SsoState.destroy({ where: { expiresAt: { [Op.lt]: at } } });
    try {
      await db.models.SsoState.create({ nonce, flow, expiresAt, usedAt: at });
      return true;
    } catch (err) {
      if (err instanceof UniqueConstraintError) return false;
      throw err;
    }
  }

  return {
    /** Where to send the browser to start a WeCom sign-in, and the nonce cookie binding it. */
    wecomStart(flow: SsoFlow, redirect: unknown): { location: string; cookie: string } | null {
      const wecom = config.wecom;
      if (!wecom) return null;
      const { state, cookie } = states.issue(flow, typeof redirect === 'string' ? redirect : '/');
      const enc = encodeURIComponent;
      const location =
        flow === 'wecom'
          ? `${wecom.oauthBase}/connect/oauth2/authorize?appid=${enc(wecom.corpId)}&redirect_uri=${enc(callbackUrl)}&response_type=code&scope=snsapi_base&state=${state}&agentid=${wecom.agentId}#wechat_redirect`
          : `${wecom.loginBase}/wwlogin/sso/login?login_type=CorpApp&appid=${enc(wecom.corpId)}&agentid=${wecom.agentId}&redirect_uri=${enc(callbackUrl)}&state=${state}`;
      return { location, cookie };
    },

    /** The redirect back from WeCom: state → code → userid → CRM user. */
    async wecomCallback(input: { code?: string; state?: string; cookie?: string }): Promise<WecomCallbackResult> {
      const wecom = messengers.wecom;
      if (!wecom) return { ok: false, reason: 'not_configured', redirect: '/' };
      const check = states.verify(input.state, input.cookie);
      if (!check.ok) {
        log.warn({ why: check.why }, 'wecom sign-in: state rejected');
        return { ok: false, reason: 'state', redirect: check.redirect };
      }
      const redirect = check.redirect;
      if (!(await consumeState(check.nonce, check.flow, check.expiresAt))) {
        log.warn('wecom sign-in: state replayed');
        return { ok: false, reason: 'state', redirect };
      }
      if (!input.code) return { ok: false, reason: 'code', redirect };
      let info;
      try {
        info = await wecom.get('/cgi-bin/auth/getuserinfo', { code: input.code });
      } catch (err) {
        if (err instanceof MessengerError && WECOM_BAD_CODE.has(err.code)) return { ok: false, reason: 'code', redirect };
        log.error({ err }, 'wecom sign-in: auth/getuserinfo failed');
        return { ok: false, reason: 'unavailable', redirect };
      }
      // Members answer {userid}; people outside the corp (WeChat users) answer {openid}.
      const userid = typeof info.userid === 'string' && info.userid !== '' ? info.userid : null;
      if (!userid) {
        log.info('wecom sign-in: not a member of the corp');
        return { ok: false, reason: 'not_member', redirect };
      }
      const user = await mapUser('wecomUserid', userid);
      if (typeof user === 'string') {
        log.info({ wecomUserid: userid, why: user }, 'wecom sign-in: no active CRM user');
        return { ok: false, reason: user, redirect };
      }
      return { ok: true, user, redirect };
    },

    /** DingTalk 免登: the H5 got `code` from requestAuthCode; throws AppError when it cannot sign in. */
    async dingtalkUser(code: string): Promise<User> {
      const dingtalk = messengers.dingtalk;
      if (!dingtalk) throw SSO_FAILURE_ERRORS.not_configured();
      let info;
      try {
        info = await dingtalk.oapiPost('/topapi/v2/user/getuserinfo', { code });
      } catch (err) {
        if (err instanceof MessengerError && DINGTALK_BAD_CODE.has(err.code)) throw SSO_FAILURE_ERRORS.code();
        log.error({ err }, 'dingtalk sign-in: user/getuserinfo failed');
        throw SSO_FAILURE_ERRORS.unavailable();
      }
      const userid = (info.result as { userid?: unknown } | undefined)?.userid;
      if (typeof userid !== 'string' || userid === '') throw SSO_FAILURE_ERRORS.code();
      const user = await mapUser('dingtalkUserid', userid);
      if (typeof user === 'string') {
        log.info({ dingtalkUserid: userid, why: user }, 'dingtalk sign-in: no active CRM user');
        throw SSO_FAILURE_ERRORS[user]();
      }
      return user;
    },

    async recordLogin(user: User, via: 'wecom' | 'dingtalk', ip: string | null) {
      const actor = { id: user.id, name: user.name, role: user.role, departmentId: user.departmentId };
      await audit.record({ actor, ip }, { action: 'login', entityType: 'user', entityId: user.id, after: { via } });
      return actor;
    },
  };
}
export type SsoService = ReturnType<typeof createSsoService>;
