// The jobs admin (C35): every scheduled bot job with its schedule and last run (time, duration,
// outcome, summary from job_leases), and "run now" — through the bot handle when the bot runs in
// this process, otherwise directly under the job's lease, so a manual run never overlaps another.
import type { Deps } from '../../deps';
import { AppError, notFound } from '../../http/errors';
import { withJobLease } from '../../db/job-lease';
import { BOT_JOBS } from '../../../../bot/src/jobs';
import type { BotJob } from '../../../../bot/src/jobs/job';

export const JOB_TITLES: Record<string, string> = {
  'org-sync-nightly': '组织架构夜间同步',
  'callback-sweep': '回调事件补处理',
  'approval-sla': '审批超时提醒',
  ladder: '跟进阶梯扫描',
  'assignment-queue': '非工作时间线索早间分配',
  'repayment-sms': '还款短信提醒(生成)',
  'sms-send': '短信发送与回执',
  overdue: '逾期计算与罚息(每日 01:00)',
  'daily-summary': '每日战报(管理者与团队群)',
};

/** The running bot of this process, per deps (set by main.ts after startBot). */
const botHandles = new WeakMap<Deps, { runJob(name: string): Promise<boolean> }>();
export function attachBotHandle(deps: Deps, handle: { runJob(name: string): Promise<boolean> }) {
  botHandles.set(deps, handle);
}

export function createJobsService(deps: Deps, jobs: BotJob[] = BOT_JOBS) {
  const { JobLease } = deps.db.models;

  async function view(job: BotJob) {
    const lease = await JobLease.findByPk(job.name, { raw: true });
    const now = deps.bot.now();
    return {
      name: job.name,
      title: JOB_TITLES[job.name] ?? job.name,
      schedule: job.schedule(deps.config),
      running: !!lease?.leaseUntil && new Date(lease.leaseUntil).getTime() > now,
      lastRunAt: lease?.lastRunAt ? new Date(lease.lastRunAt).toISOString() : null,
      lastDurationMs: lease?.lastDurationMs ?? null,
      lastOutcome: lease?.lastOutcome ?? (lease?.lastResult ? (lease.lastResult.startsWith('error') ? 'error' : 'ok') : null),
      lastResult: lease?.lastResult ?? null,
    };
  }

  function find(name: string) {
    const job = jobs.find((j) => j.name === name);
    if (!job) throw notFound('没有这个定时任务');
    return job;
  }

  return {
    async list() {
      return Promise.all(jobs.map(view));
    },

    /** Runs a job now; 409 JOB_RUNNING when another run (here or on another instance) holds its lease. */
    async runNow(name: string) {
      const job = find(name);
      const handle = botHandles.get(deps);
      let ran: boolean;
      if (handle) ran = await handle.runJob(name);
      else {
        try {
          ran = (await withJobLease(deps.db.models, job.name, job.leaseMs, () => job.run(deps), deps.bot.now)).ran;
        } catch (err) {
          deps.log.error({ err, job: job.name }, 'manual job run failed');
          ran = true; // the failure is recorded on the lease row as the last outcome
        }
      }
      if (!ran) throw new AppError(409, 'JOB_RUNNING');
      return view(job);
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
