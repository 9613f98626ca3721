// The bot inside the server process: the outbox dispatcher loop (every
// config.bot.dispatchIntervalMs; again at once while passes come back full) and the scheduled
// jobs of BOT_JOBS on node-cron in Asia/Shanghai, each under a job lease so that with several
// instances a job fires once. stop() lets a running pass finish (its claim would otherwise
// only come free when the lease runs out).
import cron, { type ScheduledTask } from 'node-cron';
import type { Deps } from '../../server/src/deps';
import { withJobLease } from '../../server/src/db/job-lease';
import { BOT_JOBS } from './jobs';
import type { BotJob } from './jobs/job';
import { createDispatcher, type DispatcherOptions } from './outbox/dispatcher';
import { startDingtalkStream } from './stream/dingtalk-stream';

export interface BotHandle {
  /** Runs a job now, exactly as its schedule would (under its lease; false when another run holds it). */
  runJob(name: string): Promise<boolean>;
  /** Names of the jobs scheduled (those whose schedule is set and valid). */
  readonly scheduled: string[];
  stop(): Promise<void>;
}

export function startBot(deps: Deps, opts: { dispatcher?: DispatcherOptions; jobs?: BotJob[] } = {}): BotHandle {
  const { config, log } = deps;
  const dispatcher = createDispatcher(deps, opts.dispatcher);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function pass() {
    try {
      // A full claim means more is waiting: keep going (bounded, so the loop yields now and then).
      for (let i = 0; i < 20 && !stopped; i++) {
        const s = await dispatcher.runOnce();
        if (s.claimed > 0) log.debug({ ...s }, 'bot dispatch pass');
        if (s.claimed < dispatcher.batchSize) break;
      }
    } catch (err) {
      log.error({ err }, 'bot dispatch pass failed');
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = null;
        schedule();
      });
    }, config.bot.dispatchIntervalMs);
  }
  schedule();

  const jobs = opts.jobs ?? BOT_JOBS;
  async function runJob(job: BotJob): Promise<boolean> {
    try {
      const r = await withJobLease(deps.db.models, job.name, job.leaseMs, () => job.run(deps));
      if (r.ran) log.info({ job: job.name, result: r.result ?? null }, 'bot job finished');
      else log.debug({ job: job.name }, 'bot job skipped: another instance holds its lease');
      return r.ran;
    } catch (err) {
      log.error({ err, job: job.name }, 'bot job failed');
      return true;
    }
  }

  const tasks: ScheduledTask[] = [];
  for (const job of jobs) {
    const expr = job.schedule(config);
    if (!expr) continue;
    if (!cron.validate(expr)) {
      log.error({ job: job.name, expr }, 'bot job has an invalid cron expression; not scheduled');
      continue;
    }
    tasks.push(cron.schedule(expr, () => runJob(job), { timezone: 'Asia/Shanghai', name: `bot:${job.name}`, noOverlap: true }));
  }
  // DingTalk Stream (DINGTALK_STREAM=true): card taps and robot messages over one WebSocket.
  const stream = startDingtalkStream(deps);
  log.info({ dispatchIntervalMs: config.bot.dispatchIntervalMs, jobs: tasks.map((t) => t.name), dingtalkStream: stream !== null }, 'bot started');

  return {
    scheduled: tasks.map((t) => String(t.name).replace(/^bot:/, '')),
    async runJob(name) {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no bot job ${name}`);
      return runJob(job);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const t of tasks) await t.stop();
      stream?.stop();
      await running;
    },
  };
}
