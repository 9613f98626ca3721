import { get, post } from '@/utils/request';
import type { AuthConfig, Me, StaffUser } from './types';

export const authApi = {
  config: () => get<AuthConfig>('/auth/config', { silent: true }),
  devUsers: () => get<StaffUser[]>('/auth/dev-users', { silent: true }),
  devLogin: (userId: number) => post<Me>('/auth/dev-login', { userId }),
  /** DingTalk 免登: the code from requestAuthCode. Errors are shown by the caller. */
  dingtalkLogin: (code: string) => post<Me>('/auth/dingtalk', { code }, { silent: true, noAuthRedirect: true }),
  logout: () => post<{ ok: true }>('/auth/logout'),
  /** The session probe: a 401 here means "not signed in", not an error to shout about. */
  me: () => get<Me>('/me', { silent: true, noAuthRedirect: true }),
};
