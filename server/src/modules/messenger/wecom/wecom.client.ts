// WeCom (企业微信) server API client for one self-built app (reference W1–W8).
// Every cgi-bin call carries the cached access_token; 40014/42001 (and 40001 on a token) drop it,
// refetch and retry exactly once; errcode -1 (system busy) is retried a bounded number of times.
// Everything else is raised as a classified MessengerError for the caller to decide.
import axios, { type AxiosInstance } from 'axios';
import type { WecomConfig } from '../../../../../config';
import type { TokenStore } from '../token-store';
import { MessengerError, networkError, wecomError } from '../messenger-error';

export interface WecomResponse {
  errcode: number;
  errmsg: string;
  [k: string]: unknown;
}

export interface WecomClientOptions {
  http?: AxiosInstance;
  /** Delays before the retries of errcode -1 (reference: 1000 ms · 2^n, at most 3 retries). */
  busyRetryDelaysMs?: number[];
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

export interface WecomClient {
  readonly config: WecomConfig;
  get<T extends WecomResponse = WecomResponse>(path: string, query?: Query): Promise<T>;
  post<T extends WecomResponse = WecomResponse>(path: string, body: unknown, query?: Query): Promise<T>;
  accessToken(): Promise<string>;
  /** jsapi_ticket for wx.config ('corp') or the agent_config ticket ('agent'); cached per expiry. */
  ticket(kind: 'corp' | 'agent'): Promise<string>;
  /** Group robot webhook (no access token; key identifies the robot). */
  webhookSend(key: string, body: unknown): Promise<WecomResponse>;
}

const TOKEN_ERRORS = new Set([40014, 42001, 40001]);

export function createWecomClient(config: WecomConfig, tokens: TokenStore, opts: WecomClientOptions = {}): WecomClient {
  const http = opts.http ?? axios.create({ baseURL: config.apiBase, timeout: opts.timeoutMs ?? 10_000, validateStatus: () => true });
  const busyDelays = opts.busyRetryDelaysMs ?? [1000, 2000, 4000];
  const tokenKey = `wecom:${config.corpId}:${config.agentId}:token`;

  async function raw(method: 'get' | 'post', path: string, query: Query, body?: unknown): Promise<WecomResponse> {
    let res;
    try {
      res = await http.request({ method, url: path, params: query, data: body });
    } catch (err) {
      throw networkError('wecom', path, err);
    }
    const data = res.data as WecomResponse | undefined;
    if (res.status >= 500 || !data || typeof data !== 'object' || typeof data.errcode !== 'number') {
      throw networkError('wecom', path, new Error(`unexpected HTTP ${res.status} answer`), res.status);
    }
    return data;
  }

  async function fetchToken() {
    const data = await raw('get', '/cgi-bin/gettoken', { corpid: config.corpId, corpsecret: config.secret });
    if (data.errcode !== 0) {
      const e = wecomError(data.errcode, data.errmsg, '/cgi-bin/gettoken');
      // A bad corpid/secret is not an expired token: make it permanent so nobody loops on it.
      throw e.kind === 'auth' ? new MessengerError('wecom', e.code, 'permanent', data.errmsg, { api: '/cgi-bin/gettoken', adminAlert: true }) : e;
    }
    return { value: String(data.access_token), expiresIn: Number(data.expires_in ?? 7200) };
  }

  const accessToken = () => tokens.get(tokenKey, fetchToken);

  async function call<T extends WecomResponse>(method: 'get' | 'post', path: string, query: Query = {}, body?: unknown): Promise<T> {
    let refetched = false;
    let busy = 0;
    for (;;) {
      const token = await accessToken();
      const data = await raw(method, path, { ...query, access_token: token }, body);
      if (data.errcode === 0) return data as T;
      if (TOKEN_ERRORS.has(data.errcode) && !refetched) {
        refetched = true;
        await tokens.invalidate(tokenKey, token);
        continue;
      }
      if (data.errcode === -1 && busy < busyDelays.length) {
        await new Promise((r) => setTimeout(r, busyDelays[busy++]));
        continue;
      }
      throw wecomError(data.errcode, data.errmsg, path);
    }
  }

  return {
    config,
    get: (path, query) => call('get', path, query),
    post: (path, body, query) => call('post', path, query, body),
    accessToken,
    ticket(kind) {
      const key = `wecom:${config.corpId}:${config.agentId}:ticket:${kind}`;
      return tokens.get(key, async () => {
        const data = kind === 'corp' ? await call('get', '/cgi-bin/get_jsapi_ticket') : await call('get', '/cgi-bin/ticket/get', { type: 'agent_config' });
        return { value: String(data.ticket), expiresIn: Number(data.expires_in ?? 7200) };
      });
    },
    async webhookSend(key, body) {
      const data = await raw('post', '/cgi-bin/webhook/send', { key }, body);
      if (data.errcode !== 0) throw wecomError(data.errcode, data.errmsg, '/cgi-bin/webhook/send');
      return data;
    },
  };
}
