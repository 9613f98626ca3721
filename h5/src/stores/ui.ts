// Cross-page signals: a kept-alive list refreshes when something it shows has changed elsewhere.
import { defineStore } from 'pinia';
import { ref } from 'vue';

export const useUiStore = defineStore('ui', () => {
  /** Bumped after any customer write (create, stage, owner, follow-up). */
  const customersVersion = ref(0);
  const customersChanged = () => {
    customersVersion.value++;
  };
  return { customersVersion, customersChanged };
});
