// Org sync (C25) admin API: run a sync from WeCom/DingTalk now, list the recent runs.
import { get, post } from '@/utils/request';
import type { OrgSyncProvider, OrgSyncStats, RunOrgSyncInput } from '@contracts/org-sync';

export interface OrgSyncRun {
  id: number;
  provider: OrgSyncProvider;
  providerName: string;
  trigger: 'manual' | 'nightly' | 'startup';
  status: 'running' | 'succeeded' | 'failed';
  actorId: number | null;
  actorName: string | null;
  stats: OrgSyncStats | null;
  error: string | null;
  /** Refused a mass disable: may be repeated with force. */
  canForce: boolean;
  startedAt: string;
  finishedAt: string | null;
}

export interface OrgSyncRuns {
  providers: OrgSyncProvider[];
  defaultProvider: OrgSyncProvider | null;
  items: OrgSyncRun[];
}

export const orgSyncApi = {
  runs: () => get<OrgSyncRuns>('/admin/org-sync/runs', { silent: true }),
  // A large org takes a while (the server paces its calls to the messenger's limits).
  run: (body: RunOrgSyncInput) => post<OrgSyncRun>('/admin/org-sync', body, { timeout: 600_000 }),
};
