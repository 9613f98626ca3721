// A scheduled bot job: one file per job under bot/src/jobs, listed in ./index.ts. The scheduler
// (node-cron, Asia/Shanghai) runs each under a job lease so it fires once across instances.
import type { Deps } from '../../../server/src/deps';

export interface BotJob {
  /** Stable name, also the job-lease key. */
  name: string;
  /** Cron expression from config, or null to leave the job off. */
  schedule(config: Deps['config']): string | null;
  /** Longest a run may take before another instance may take over (lease TTL). */
  leaseMs: number;
  /** Does the work; returns a short summary for the log and job_leases.last_result. */
  run(deps: Deps): Promise<string | void>;
}
