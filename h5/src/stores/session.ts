// Who is signed in. Loaded once at start (the router waits for it) and after sign-in, including
// the silent sign-in inside WeCom / DingTalk.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { can, type Permission } from '@contracts/roles';
import { authApi } from '@/api/auth';
import type { AuthConfig, Me } from '@/api/types';
import { ApiError } from '@/utils/request';
import { clearSignInAttempt, dingtalkAuthCode, goWecomSignIn, markSignInAttempt, messengerEnv, recentSignInAttempt } from '@/utils/messenger';

/** Why a messenger sign-in ended without a session: the reasons the /no-access page explains. */
export type SignInRefusal = 'unknown' | 'disabled' | 'code' | 'unavailable';

const REFUSALS: Partial<Record<string, SignInRefusal>> = {
  MESSENGER_USER_UNKNOWN: 'unknown',
  USER_DISABLED: 'disabled',
  SSO_CODE_INVALID: 'code',
};

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null);
  let probe: Promise<Me | null> | null = null;

  /** Resolves the current user once; null when not signed in. */
  function ensure(): Promise<Me | null> {
    if (me.value) return Promise.resolve(me.value);
    probe ??= authApi
      .me()
      .then((m) => {
        clearSignInAttempt(); // a silent sign-in round trip worked
        return (me.value = m);
      })
      .catch(() => null)
      .finally(() => {
        probe = null;
      });
    return probe;
  }

  async function devLogin(userId: number) {
    me.value = await authApi.devLogin(userId);
    return me.value;
  }

  let configProbe: Promise<AuthConfig | null> | null = null;
  /** The sign-in methods the server offers (cached; null when the server cannot be reached). */
  function authConfig(): Promise<AuthConfig | null> {
    configProbe ??= authApi.config().catch(() => {
      configProbe = null;
      return null;
    });
    return configProbe;
  }

  /**
   * Silent sign-in where the page runs. WeCom: leaves for its OAuth page (at most once a minute,
   * so a failing round trip cannot loop) → 'leaving'. DingTalk: requestAuthCode + POST →
   * 'signed-in' or a refusal. A plain browser, or a messenger that is not configured → 'none'.
   */
  async function messengerSignIn(redirect: string, opts: { force?: boolean } = {}): Promise<'leaving' | 'signed-in' | 'none' | { refused: SignInRefusal }> {
    if (messengerEnv === 'browser') return 'none';
    const cfg = await authConfig();
    if (!cfg || (!opts.force && recentSignInAttempt())) return 'none';
    if (messengerEnv === 'wecom' && cfg.wecom) {
      goWecomSignIn(redirect);
      return 'leaving';
    }
    if (messengerEnv === 'dingtalk' && cfg.dingtalk) {
      markSignInAttempt();
      try {
        me.value = await authApi.dingtalkLogin(await dingtalkAuthCode(cfg.dingtalk));
        clearSignInAttempt();
        return 'signed-in';
      } catch (e) {
        return { refused: (e instanceof ApiError && REFUSALS[e.code]) || 'unavailable' };
      }
    }
    return 'none';
  }

  async function logout() {
    try {
      await authApi.logout();
    } finally {
      me.value = null;
    }
  }

  const allowed = (permission: Permission) => (me.value ? can(me.value.role, permission) : false);
  const isAdmin = computed(() => me.value?.role === 'admin');

  return { me, ensure, devLogin, authConfig, messengerSignIn, logout, allowed, isAdmin };
});
