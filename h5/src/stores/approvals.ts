// The 审批 tab's badge (my pending tasks) and a signal that approval data changed, so the kept
// lists and the badge refresh after a decision made on another page.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { approvalsApi, type ApprovalCounts } from '@/api/applications';

export const useApprovalsStore = defineStore('approvals', () => {
  const counts = ref<ApprovalCounts>({ todo: 0, minePending: 0, cc: 0 });
  const version = ref(0);

  async function refreshCounts() {
    try {
      counts.value = await approvalsApi.counts();
    } catch {
      // The badge is a hint; a failed refresh keeps the last numbers.
    }
  }

  function changed() {
    version.value++;
    void refreshCounts();
  }

  return { counts, version, refreshCounts, changed };
});
