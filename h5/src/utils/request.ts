// The one HTTP client of the app: same-origin API, session cookie, the CSRF header the server
// requires on every state-changing request, and errors turned into ApiError with a toast.
import axios, { AxiosError, type AxiosRequestConfig } from 'axios';
import { showFailToast } from 'vant';
import type { ErrorCode } from '@contracts/errors';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Don't toast the error message: the caller shows it in place (e.g. next to a form field). */
    silent?: boolean;
    /** Don't send the user to /login on 401 (the session probe at start-up). */
    noAuthRedirect?: boolean;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK_ERROR',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field problems of a 422 VALIDATION_FAILED, keyed by field name. */
  fieldErrors(): Record<string, string> {
    const fields = (this.details as { fields?: FieldProblem[] } | undefined)?.fields ?? [];
    const out: Record<string, string> = {};
    for (const f of fields) out[f.field] ??= f.message;
    return out;
  }
}

let onUnauthorized: () => void = () => {
  if (location.pathname !== '/login') location.assign('/login');
};

/** Lets the router take over the 401 redirect (keeps the SPA and the return path). */
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

export const http = axios.create({
  baseURL: '/api/v1',
  withCredentials: true,
  timeout: 20_000,
  headers: { 'X-Requested-With': 'XMLHttpRequest' },
});

http.interceptors.request.use((config) => {
  config.headers.set('X-Requested-With', 'XMLHttpRequest');
  return config;
});

http.interceptors.response.use(
  (res) => res,
  (err: AxiosError<{ error?: { code: ErrorCode; message: string; details?: unknown } }>) => {
    const config = (err.config ?? {}) as AxiosRequestConfig;
    const body = err.response?.data?.error;
    const status = err.response?.status ?? 0;
    const apiError = body
      ? new ApiError(status, body.code, body.message, body.details)
      : new ApiError(status, status ? 'INTERNAL_ERROR' : 'NETWORK_ERROR', status ? `请求失败(${status})` : '网络异常,请检查网络后重试');
    if (status === 401) {
      if (!config.noAuthRedirect) onUnauthorized();
    } else if (!config.silent) {
      showFailToast({ message: apiError.message, wordBreak: 'break-word' });
    }
    return Promise.reject(apiError);
  },
);

export async function get<T>(url: string, config?: AxiosRequestConfig): Promise<T> {
  return (await http.get<T>(url, config)).data;
}

export async function post<T>(url: string, body?: unknown, config?: AxiosRequestConfig): Promise<T> {
  return (await http.post<T>(url, body ?? {}, config)).data;
}

export async function patch<T>(url: string, body?: unknown, config?: AxiosRequestConfig): Promise<T> {
  return (await http.patch<T>(url, body ?? {}, config)).data;
}

/** Drops empty values so query strings stay clean (the server reads '' as "not given" anyway). */
export function cleanParams<T extends object>(params: T): Partial<T> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}
