// Form options (channels, stages, follow-up types…). Fetched once per session and shared.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { catalogApi } from '@/api/catalog';
import type { Catalog } from '@/api/types';

export const useCatalogStore = defineStore('catalog', () => {
  const catalog = ref<Catalog | null>(null);
  const error = ref(false);
  let pending: Promise<Catalog | null> | null = null;

  function load(): Promise<Catalog | null> {
    if (catalog.value) return Promise.resolve(catalog.value);
    error.value = false;
    pending ??= catalogApi
      .get()
      .then((c) => (catalog.value = c))
      .catch(() => {
        error.value = true;
        return null;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  const channels = computed(() => catalog.value?.channels ?? []);
  const channelName = (code: string) => channels.value.find((c) => c.code === code)?.name ?? code;

  return { catalog, error, load, channels, channelName };
});
