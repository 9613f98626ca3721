// DingTalk (钉钉) server API client for one internal app (reference D1–D6).
// Old API (oapi): `?access_token=`, `{errcode, errmsg}` with HTTP 200. New API (api.dingtalk.com):
// header `x-acs-dingtalk-access-token`, camelCase JSON, errors as HTTP 4xx `{code, message}`.
// Both take the same app token; an invalid one (40014 / HTTP 400|401 InvalidAuthentication) is
// dropped, refetched and the call retried exactly once.
import crypto from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { DingtalkConfig } from '../../../../../config';
import type { TokenStore } from '../token-store';
import { dingtalkError, MessengerError, networkError } from '../messenger-error';

export interface OapiResponse {
  errcode: number;
  errmsg: string;
  [k: string]: unknown;
}

export interface DingtalkClientOptions {
  http?: AxiosInstance;
  timeoutMs?: number;
  /** Clock for the group-robot signature timestamp (ms). */
  now?: () => number;
}

type Query = Record<string, string | number | undefined>;

export interface DingtalkClient {
  readonly config: DingtalkConfig;
  oapiGet<T extends OapiResponse = OapiResponse>(path: string, query?: Query): Promise<T>;
  oapiPost<T extends OapiResponse = OapiResponse>(path: string, body: unknown, query?: Query): Promise<T>;
  /** New API call; resolves with the JSON body of a 2xx answer. */
  api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  accessToken(): Promise<string>;
  jsapiTicket(): Promise<string>;
  /** Custom group robot (signed): access_token + SEC secret of that robot. */
  robotSend(robotToken: string, secret: string | null, body: unknown): Promise<OapiResponse>;
}

const TOKEN_ERRORS = new Set([40014, 42001, 40001]);

/** Custom robot signature (reference D6): urlEncode(base64(HmacSHA256(secret, ts + "\n" + secret))). */
export function robotSign(secret: string, timestampMs: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return encodeURIComponent(mac);
}

export function createDingtalkClient(config: DingtalkConfig, tokens: TokenStore, opts: DingtalkClientOptions = {}): DingtalkClient {
  const timeout = opts.timeoutMs ?? 10_000;
  const oapi = opts.http ?? axios.create({ baseURL: config.oapiBase, timeout, validateStatus: () => true });
  const api = axios.create({ baseURL: config.apiBase, timeout, validateStatus: () => true });
  const now = opts.now ?? Date.now;
  const tokenKey = `dingtalk:${config.clientId}:token`;

  async function oapiRaw(method: 'get' | 'post', path: string, query: Query, body?: unknown): Promise<OapiResponse> {
    let res;
    try {
      res = await oapi.request({ method, url: path, params: query, data: body });
    } catch (err) {
      throw networkError('dingtalk', path, err);
    }
    const data = res.data as OapiResponse | undefined;
    if (res.status >= 500 || !data || typeof data !== 'object' || typeof data.errcode !== 'number') {
      throw networkError('dingtalk', path, new Error(`unexpected HTTP ${res.status} answer`), res.status);
    }
    return data;
  }

  async function fetchToken() {
    const data = await oapiRaw('get', '/gettoken', { appkey: config.clientId, appsecret: config.clientSecret });
    if (data.errcode !== 0) throw new MessengerError('dingtalk', String(data.errcode), 'permanent', data.errmsg, { api: '/gettoken', adminAlert: true });
    return { value: String(data.access_token), expiresIn: Number(data.expires_in ?? 7200) };
  }
  const accessToken = () => tokens.get(tokenKey, fetchToken);

  async function oapiCall<T extends OapiResponse>(method: 'get' | 'post', path: string, query: Query = {}, body?: unknown): Promise<T> {
    let refetched = false;
    for (;;) {
      const token = await accessToken();
      const data = await oapiRaw(method, path, { ...query, access_token: token }, body);
      if (data.errcode === 0) return data as T;
      if (TOKEN_ERRORS.has(data.errcode) && !refetched) {
        refetched = true;
        await tokens.invalidate(tokenKey, token);
        continue;
      }
      throw dingtalkError(data.errcode, data.errmsg, path);
    }
  }

  async function apiCall<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let refetched = false;
    for (;;) {
      const token = await accessToken();
      let res;
      try {
        res = await api.request({ method, url: path, data: body, headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json' } });
      } catch (err) {
        throw networkError('dingtalk', path, err);
      }
      if (res.status >= 200 && res.status < 300) return res.data as T;
      const err = (res.data ?? {}) as { code?: string; message?: string };
      const code = err.code ?? `HTTP_${res.status}`;
      if ((res.status === 400 || res.status === 401) && code === 'InvalidAuthentication' && !refetched) {
        refetched = true;
        await tokens.invalidate(tokenKey, token);
        continue;
      }
      throw dingtalkError(code, err.message ?? `HTTP ${res.status}`, path, res.status);
    }
  }

  return {
    config,
    oapiGet: (path, query) => oapiCall('get', path, query),
    oapiPost: (path, body, query) => oapiCall('post', path, query, body),
    api: apiCall,
    accessToken,
    jsapiTicket() {
      return tokens.get(`dingtalk:${config.clientId}:ticket:jsapi`, async () => {
        const data = await oapiCall('get', '/get_jsapi_ticket', { type: 'jsapi' });
        return { value: String(data.ticket), expiresIn: Number(data.expires_in ?? 7200) };
      });
    },
    async robotSend(robotToken, secret, body) {
      const query: Query = { access_token: robotToken };
      if (secret) {
        const ts = now();
        query.timestamp = ts;
        // Already URL-encoded per the protocol; axios would encode it again, so build the URL by hand.
        const url = `/robot/send?access_token=${encodeURIComponent(robotToken)}&timestamp=${ts}&sign=${robotSign(secret, ts)}`;
        const data = await oapiRawUrl(url, body);
        if (data.errcode !== 0) throw dingtalkError(data.errcode, data.errmsg, '/robot/send');
        return data;
      }
      const data = await oapiRaw('post', '/robot/send', query, body);
      if (data.errcode !== 0) throw dingtalkError(data.errcode, data.errmsg, '/robot/send');
      return data;
    },
  };

  async function oapiRawUrl(url: string, body: unknown): Promise<OapiResponse> {
    let res;
    try {
      res = await oapi.post(url, body);
    } catch (err) {
      throw networkError('dingtalk', '/robot/send', err);
    }
    const data = res.data as OapiResponse | undefined;
    if (res.status >= 500 || !data || typeof data.errcode !== 'number') throw networkError('dingtalk', '/robot/send', new Error(`HTTP ${res.status}`), res.status);
    return data;
  }
}
