// Org sync (C25): runs a sync from WeCom or DingTalk — on an admin's demand or nightly — and
// records each run in org_sync_runs. One run at a time across all instances (job lease
// 'org-sync'); everything is fetched first, then applied in one transaction, so a sync that fails
// half-way changes nothing. Provider rule: the one asked for, else WeCom when configured, else DingTalk.
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError } from '../../http/errors';
import { withJobLease } from '../../db/job-lease';
import { ORG_SYNC_PROVIDERS, type OrgSyncProvider, type OrgSyncStats } from '../../contracts/org-sync';
import { MessengerError } from '../messenger/messenger-error';
import { raiseAdminAlert } from '../bot/admin-alerts';
import type { OrgSyncRun } from '../messenger/messenger.model';
import { createCallPacer, realClock, type PacerOptions, type SyncClock } from './call-pacer';
import { fetchWecomOrg, WECOM_PACING } from './wecom.source';
import { DINGTALK_PACING, fetchDingtalkOrg } from './dingtalk.source';
import { applySnapshot, MassDisableRefused } from './org-apply';
import type { OrgSnapshot } from './org-snapshot';

export const ORG_SYNC_LEASE = 'org-sync';
/** Longest a run may hold the lease: far beyond a 5,000-staff sync, short enough after a crash. */
const LEASE_MS = 30 * 60_000;
const RECENT_RUNS = 20;

export interface OrgSyncOptions {
  /** Time and sleep of the API pacing (tests pass their test clock). */
  clock?: SyncClock;
  pacing?: Partial<Record<OrgSyncProvider, Partial<PacerOptions>>>;
}

export interface RunRequest {
  provider?: OrgSyncProvider;
  force?: boolean;
  trigger: 'manual' | 'nightly' | 'startup';
  rc: RequestContext | null;
}

/** Known causes an admin can fix, in words they can act on. */
const HINTS: Record<string, string> = {
  '60020': '服务器 IP 不在应用的「企业可信IP」中',
  '60011': '应用没有通讯录读取权限,或可见范围不包含该部门/成员',
  '48002': '应用没有该接口的权限',
  '40013': '企业ID不正确',
  '40001': '应用 Secret 不正确',
  '40089': 'AppKey 或 AppSecret 不正确',
};

function describeError(err: unknown, provider: OrgSyncProvider): string {
  if (err instanceof MassDisableRefused) {
    return `本次同步将停用 ${err.wouldDisable} 人(已同步在职 ${err.activeLinked} 人),超过安全阈值,未做任何更改。请检查应用的通讯录可见范围;确认无误后可强制同步。`;
  }
  if (err instanceof MessengerError) {
    const hint = HINTS[err.code];
    return `${ORG_SYNC_PROVIDERS[provider]}接口 ${err.details.api ?? ''} 返回错误 ${err.code}${hint ? `(${hint})` : ''}:${err.message}`.slice(0, 2000);
  }
  if (err instanceof EmptyOrg) return err.message;
  return `同步失败:${(err as Error)?.message ?? String(err)}`.slice(0, 2000);
}

/** The messenger answered with nobody in it: applying that would disable every synced person. */
class EmptyOrg extends Error {}

export function createOrgSyncService(deps: Deps, opts: OrgSyncOptions = {}) {
  const { db, messengers, config } = deps;
  const { OrgSyncRun } = db.models;
  const clock = opts.clock ?? realClock;

  function configured(): OrgSyncProvider[] {
    return [...(messengers.wecom ? (['wecom'] as const) : []), ...(messengers.dingtalk ? (['dingtalk'] as const) : [])];
  }

  function pickProvider(requested?: OrgSyncProvider): OrgSyncProvider {
    const available = configured();
    if (requested) {
      if (!available.includes(requested)) throw new AppError(422, 'MESSENGER_NOT_CONFIGURED', `未接入${ORG_SYNC_PROVIDERS[requested]},无法从${ORG_SYNC_PROVIDERS[requested]}同步组织架构`);
      return requested;
    }
    if (!available.length) throw new AppError(422, 'MESSENGER_NOT_CONFIGURED', '未接入企业微信或钉钉,无法同步组织架构');
    return available[0];
  }

  async function fetchOrg(provider: OrgSyncProvider): Promise<OrgSnapshot> {
    const base = provider === 'wecom' ? WECOM_PACING : DINGTALK_PACING;
    const pacer = createCallPacer({ ...base, ...opts.pacing?.[provider] }, clock);
    const snapshot = provider === 'wecom' ? await fetchWecomOrg(messengers.wecom!, pacer) : await fetchDingtalkOrg(messengers.dingtalk!, pacer);
    if (!snapshot.departments.length || !snapshot.users.some((u) => u.active)) {
      throw new EmptyOrg(`${ORG_SYNC_PROVIDERS[provider]}返回的通讯录为空,未做任何更改。请检查应用的通讯录权限和可见范围。`);
    }
    return snapshot;
  }

  async function view(run: OrgSyncRun) {
    const actor = run.actorId ? (await deps.org.usersByIds([run.actorId])).get(run.actorId) : undefined;
    const stats = (typeof run.stats === 'string' ? JSON.parse(run.stats) : (run.stats ?? null)) as OrgSyncStats | null;
    return {
      id: run.id,
      provider: run.provider,
      providerName: ORG_SYNC_PROVIDERS[run.provider],
      trigger: run.trigger,
      status: run.status,
      actorId: run.actorId ?? null,
      actorName: actor?.name ?? null,
      stats,
      error: run.error ?? null,
      /** The run refused a mass disable; an admin may repeat it with `force`. */
      canForce: run.status === 'failed' && !!stats?.guard,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt ?? null,
    };
  }

  async function execute(provider: OrgSyncProvider, req: RunRequest) {
    // We hold the lease, so a run still marked running was cut short by a crashed process.
    await OrgSyncRun.update({ status: 'failed', error: '同步被中断(服务重启或进程退出)', finishedAt: new Date() }, { where: { status: 'running' } });
    const run = await OrgSyncRun.create({ provider, trigger: req.trigger, status: 'running', actorId: req.rc?.actor.id ?? null, startedAt: new Date() });
    let applied = false;
    try {
      const snapshot = await fetchOrg(provider);
      const stats = await db.transaction((t) => applySnapshot(deps, snapshot, { runId: run.id, rc: req.rc, defaultRole: config.orgSync.defaultRole, admins: config.orgSync.admins, now: new Date(), force: !!req.force }, t));
      applied = true;
      await run.update({ status: 'succeeded', stats: stats as unknown as Record<string, unknown>, finishedAt: new Date() });
    } catch (err) {
      const guard = err instanceof MassDisableRefused ? { guard: { wouldDisable: err.wouldDisable, activeLinked: err.activeLinked } } : null;
      await run.update({ status: 'failed', error: describeError(err, provider), stats: guard, finishedAt: new Date() });
      if (!(err instanceof MessengerError || err instanceof MassDisableRefused || err instanceof EmptyOrg)) deps.log.error({ err, provider }, 'org sync failed');
      // Nobody watches a nightly run: tell the admins on their alert page.
      if (req.trigger === 'nightly' || (err instanceof MessengerError && err.details.adminAlert)) {
        await raiseAdminAlert(db.models, { kind: 'org_sync_failed', dedupeKey: `org-sync:${provider}`, message: `组织架构同步失败:${run.error}`, details: { runId: run.id } }).catch((e: unknown) =>
          deps.log.error({ err: e }, 'org sync: could not raise the admin alert'),
        );
      }
    } finally {
      if (applied) deps.org.invalidate(); // renamed departments, disabled staff: take effect now
    }
    return view(run);
  }

  return {
    configured,

    /** Runs one sync now; 409 ORG_SYNC_RUNNING while another one (anywhere) is running. */
    async run(req: RunRequest) {
      const provider = pickProvider(req.provider);
      const lease = await withJobLease(db.models, ORG_SYNC_LEASE, LEASE_MS, () => execute(provider, req));
      if (!lease.ran) throw new AppError(409, 'ORG_SYNC_RUNNING');
      return lease.result!;
    },

    async listRuns() {
      const runs = await OrgSyncRun.findAll({ order: [['id', 'DESC']], limit: RECENT_RUNS });
      const available = configured();
      return { providers: available, defaultProvider: available[0] ?? null, items: await Promise.all(runs.map(view)) };
    },
  };
}
export type OrgSyncService = ReturnType<typeof createOrgSyncService>;
