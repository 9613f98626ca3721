// One error type for every WeCom/DingTalk call, classified once so the callers (SSO, org sync,
// the outbox dispatcher) decide by kind, not by provider codes:
//   transient    worth retrying later (busy, 5xx, timeouts)
//   rate_limited over a frequency cap: delay, never drop
//   auth         token invalid/expired (the clients refetch once before this escapes)
//   permanent    retrying cannot help (bad user, bad content, untrusted IP…)
export type MessengerProvider = 'wecom' | 'dingtalk';
export type FailureKind = 'transient' | 'rate_limited' | 'auth' | 'permanent';

export class MessengerError extends Error {
  constructor(
    readonly provider: MessengerProvider,
    readonly code: string,
    readonly kind: FailureKind,
    message: string,
    readonly details: { httpStatus?: number; api?: string; adminAlert?: boolean } = {},
  ) {
    super(`${provider} ${details.api ?? ''} ${code}: ${message}`.replace(/\s+/g, ' '));
  }

  get retryable() {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }
}

// WeCom errcodes (reference W1, W4, W7).
const WECOM_TRANSIENT = new Set(['-1', '45033', '45047']);
const WECOM_RATE = new Set(['45009', '45011']);
const WECOM_AUTH = new Set(['40014', '42001', '40001', '41001']);
// Permanent codes an admin must hear about: the app or the server's IP is misconfigured.
const WECOM_ALERT = new Set(['60020', '40013', '40001', '40056', '50001', '48002', '93000', '93004', '60011', '301002']);

export function wecomError(errcode: number, errmsg: string, api: string): MessengerError {
  const code = String(errcode);
  const kind: FailureKind = WECOM_TRANSIENT.has(code) ? 'transient' : WECOM_RATE.has(code) ? 'rate_limited' : WECOM_AUTH.has(code) ? 'auth' : 'permanent';
  return new MessengerError('wecom', code, kind, errmsg, { api, adminAlert: WECOM_ALERT.has(code) });
}

// DingTalk errcodes (reference D1, D4, D6) and new-API error codes.
const DINGTALK_TRANSIENT = new Set(['-1', '88', '90002', '90018', 'ServiceUnavailable', 'InternalError', 'SystemError']);
const DINGTALK_RATE = new Set(['130101', '90006', '143105', 'Throttling', 'Forbidden.AccessDenied.QpsLimitForApi', 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi']);
const DINGTALK_AUTH = new Set(['40014', '42001', '40001', 'InvalidAuthentication', 'Forbidden.AccessDenied.AccessTokenPermissionDenied']);
const DINGTALK_ALERT = new Set(['60020', '40089', '310000', '400013', 'InvalidAppKey', 'Forbidden.AccessDenied.IpNotInWhiteList']);

export function dingtalkError(code: string | number, message: string, api: string, httpStatus?: number): MessengerError {
  const c = String(code);
  let kind: FailureKind = DINGTALK_TRANSIENT.has(c) ? 'transient' : DINGTALK_RATE.has(c) ? 'rate_limited' : DINGTALK_AUTH.has(c) ? 'auth' : 'permanent';
  if (kind === 'permanent' && httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429)) kind = httpStatus === 429 ? 'rate_limited' : 'transient';
  return new MessengerError('dingtalk', c, kind, message, { api, httpStatus, adminAlert: DINGTALK_ALERT.has(c) });
}

/** Network failures (no answer, timeout, 5xx without a body we understand) are transient. */
export function networkError(provider: MessengerProvider, api: string, err: unknown, httpStatus?: number): MessengerError {
  const e = err as { code?: string; message?: string };
  return new MessengerError(provider, e?.code ?? (httpStatus ? `HTTP_${httpStatus}` : 'NETWORK'), 'transient', e?.message ?? 'network error', { api, httpStatus });
}
