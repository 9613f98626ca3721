// Org sync (C25): the command an admin sends, and the shape of a run's result, shared by the
// server and the H5 admin page.
import { z } from 'zod';

export const ORG_SYNC_PROVIDERS = { wecom: '企业微信', dingtalk: '钉钉' } as const;
export type OrgSyncProvider = keyof typeof ORG_SYNC_PROVIDERS;

export const ORG_SYNC_STATUSES = { running: '同步中', succeeded: '成功', failed: '失败' } as const;
export const ORG_SYNC_TRIGGERS = { manual: '手动', nightly: '每日自动', startup: '首次启动' } as const;

export const RunOrgSync = z.object({
  /** Omitted: WeCom when configured, else DingTalk. */
  provider: z.enum(['wecom', 'dingtalk'], { error: '请选择企业微信或钉钉' }).optional(),
  /** Apply even though the sync would disable an unusually large share of staff. */
  force: z.boolean({ error: '参数 force 应为 true 或 false' }).optional(),
});
export type RunOrgSyncInput = z.infer<typeof RunOrgSync>;

export interface OrgSyncStats {
  departments: { created: number; updated: number; /** linked departments the messenger no longer lists (kept) */ missing: number };
  users: {
    created: number;
    /** existing staff whose name, title, department, supervisor, mobile or link changed */
    updated: number;
    disabled: number;
    reactivated: number;
    /** staff whose department changed (their customers follow) */
    moved: number;
    /** existing CRM staff linked to their messenger account for the first time */
    linked: number;
    /** inactive messenger members who never had a CRM account (not created) */
    skipped: number;
  };
  customersMoved: number;
  /** People disabled by this run who still own customers: hand their book over (C6). */
  offeredForTransfer: { userId: number; name: string; customers: number }[];
  apiCalls: number;
  /** Set when the run refused to disable this many people without `force`. */
  guard?: { wouldDisable: number; activeLinked: number };
}
