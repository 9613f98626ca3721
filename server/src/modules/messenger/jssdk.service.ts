// What the H5 needs to use the messenger's JS-SDK on a page: WeCom `ww.register` config and
// agentConfig signatures, DingTalk `dd.config`. Tickets come from the clients (cached in the
// shared token store until shortly before they expire, so a page view costs no API call).
// Only pages of this app are signed: the URL must be on PUBLIC_URL's origin.
import crypto from 'node:crypto';
import type { Deps } from '../../deps';
import { AppError } from '../../http/errors';
import { MessengerError } from './messenger-error';
import { dingtalkJsapiSignature, dingtalkSignedUrl, stripFragment, wecomJsapiSignature } from './jssdk-signature';

export type JssdkPlatform = 'wecom' | 'dingtalk';

export function createJssdkService(deps: Deps, opts: { now?: () => number } = {}) {
  const { config, db, log, messengers } = deps;
  const now = opts.now ?? Date.now;
  const origin = new URL(config.publicUrl).origin;

  function pageUrl(raw: string): string {
    const url = stripFragment(raw.trim());
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AppError(422, 'INVALID_URL');
    }
    const next = url.charAt(origin.length);
    if (parsed.origin !== origin || url.slice(0, origin.length).toLowerCase() !== origin || !['', '/', '?'].includes(next)) {
      throw new AppError(422, 'INVALID_URL', '只能为本应用的页面签名');
    }
    return url;
  }

  const stamp = () => ({ timestamp: Math.floor(now() / 1000), nonceStr: crypto.randomBytes(8).toString('hex') });

  async function withTickets<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof MessengerError)) throw err;
      log.error({ err }, 'jssdk: ticket unavailable');
      throw new AppError(503, 'MESSENGER_UNAVAILABLE');
    }
  }

  async function wecom(url: string) {
    const client = messengers.wecom!;
    const [corpTicket, agentTicket] = await withTickets(() => Promise.all([client.ticket('corp'), client.ticket('agent')]));
    const c = stamp();
    const a = stamp();
    return {
      corpId: client.config.corpId,
      agentId: client.config.agentId,
      config: { ...c, signature: wecomJsapiSignature({ ticket: corpTicket, url, ...c }) },
      agentConfig: { ...a, signature: wecomJsapiSignature({ ticket: agentTicket, url, ...a }) },
    };
  }

  async function dingtalk(url: string) {
    const client = messengers.dingtalk!;
    try {
      dingtalkSignedUrl(url);
    } catch {
      throw new AppError(422, 'INVALID_URL', '页面地址的参数编码无效');
    }
    const ticket = await withTickets(() => client.jsapiTicket());
    const { timestamp, nonceStr } = stamp();
    return {
      agentId: client.config.agentId,
      corpId: client.config.corpId,
      timeStamp: timestamp,
      nonceStr,
      signature: dingtalkJsapiSignature({ ticket, url, nonceStr, timestamp }),
      type: 0 as const,
    };
  }

  return {
    /** Signatures for the page at `rawUrl`, for one platform or every configured one. */
    async config(rawUrl: string, platform?: JssdkPlatform) {
      const url = pageUrl(rawUrl);
      const want = (p: JssdkPlatform) => (platform === undefined || platform === p) && messengers[p] !== null;
      if (!want('wecom') && !want('dingtalk')) throw new AppError(404, 'MESSENGER_NOT_CONFIGURED');
      return {
        ...(want('wecom') ? { wecom: await wecom(url) } : {}),
        ...(want('dingtalk') ? { dingtalk: await dingtalk(url) } : {}),
      };
    },

    /** A colleague's messenger ids, to open a one-to-one chat with them from the H5. */
    async chatTarget(userId: number) {
      const u = await db.models.User.findByPk(userId, { attributes: ['id', 'name', 'status', 'wecomUserid', 'dingtalkUserid'], raw: true });
      if (!u || u.status !== 'active') throw new AppError(404, 'NOT_FOUND', '员工不存在或已停用');
      return {
        id: u.id,
        name: u.name,
        wecomUserid: messengers.wecom ? u.wecomUserid : null,
        dingtalkUserid: messengers.dingtalk ? u.dingtalkUserid : null,
      };
    },
  };
}
export type JssdkService = ReturnType<typeof createJssdkService>;
