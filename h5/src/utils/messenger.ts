// Where the H5 runs (WeCom's in-app browser, DingTalk's, or a plain browser) and the silent
// sign-in each of them allows. WeCom: a full-page redirect through its OAuth2 page; DingTalk:
// requestAuthCode in the page, then POST the code. The messenger SDKs load lazily, so the plain
// browser bundle carries none of them.
export type MessengerEnv = 'wecom' | 'dingtalk' | 'browser';

/** WeCom's user agent carries "wxwork" (and also "MicroMessenger"); DingTalk's carries "DingTalk". */
export function detectMessenger(ua: string): MessengerEnv {
  if (/wxwork/i.test(ua)) return 'wecom';
  if (/DingTalk/i.test(ua)) return 'dingtalk';
  return 'browser';
}

export const messengerEnv: MessengerEnv = typeof navigator === 'undefined' ? 'browser' : detectMessenger(navigator.userAgent);

export const messengerName = (env: MessengerEnv = messengerEnv) => (env === 'wecom' ? '企业微信' : env === 'dingtalk' ? '钉钉' : '浏览器');

/** Server endpoint that starts the WeCom sign-in and comes back to `redirect`. */
export function wecomStartUrl(redirect: string, qr = false): string {
  return `/api/v1/auth/wecom/${qr ? 'qr-start' : 'start'}?redirect=${encodeURIComponent(redirect)}`;
}

// A silent sign-in that comes back without a session (cookies blocked, clock skew…) must not
// bounce between WeCom and the app forever: after one automatic attempt, wait for a tap.
const ATTEMPT_KEY = 'crm_sso_attempt';
const ATTEMPT_WINDOW_MS = 60_000;

export function recentSignInAttempt(): boolean {
  const at = Number(sessionStorage.getItem(ATTEMPT_KEY) ?? 0);
  return Date.now() - at < ATTEMPT_WINDOW_MS;
}

export function markSignInAttempt() {
  sessionStorage.setItem(ATTEMPT_KEY, String(Date.now()));
}

export function clearSignInAttempt() {
  sessionStorage.removeItem(ATTEMPT_KEY);
}

/** Leaves the app for WeCom's OAuth page (inside WeCom) or its QR login page (desktop browser). */
export function goWecomSignIn(redirect: string, qr = false) {
  markSignInAttempt();
  location.replace(wecomStartUrl(redirect, qr));
}

/** DingTalk 免登 code for this page (needs no dd.config). */
export async function dingtalkAuthCode(app: { corpId: string; clientId: string }): Promise<string> {
  const [{ default: requestAuthCode }] = await Promise.all([
    import('dingtalk-jsapi/api/runtime/permission/requestAuthCode'),
    import('dingtalk-jsapi/entry/union'),
  ]);
  // clientId is what the newer union API asks for; the classic API reads corpId and ignores it.
  const res = await requestAuthCode({ corpId: app.corpId, clientId: app.clientId } as { corpId: string });
  if (!res?.code) throw new Error('钉钉未返回免登授权码');
  return res.code;
}
