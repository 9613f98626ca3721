// Who is signed in. Loaded once at start (the router waits for it) and after sign-in.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { can, type Permission } from '@contracts/roles';
import { authApi } from '@/api/auth';
import type { Me } from '@/api/types';

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null);
  let probe: Promise<Me | null> | null = null;

  /** Resolves the current user once; null when not signed in. */
  function ensure(): Promise<Me | null> {
    if (me.value) return Promise.resolve(me.value);
    probe ??= authApi
      .me()
      .then((m) => (me.value = m))
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

  async function logout() {
    try {
      await authApi.logout();
    } finally {
      me.value = null;
    }
  }

  const allowed = (permission: Permission) => (me.value ? can(me.value.role, permission) : false);
  const isAdmin = computed(() => me.value?.role === 'admin');

  return { me, ensure, devLogin, logout, allowed, isAdmin };
});
