// Paces the messenger API calls of one org sync so a large org stays within the platform limits
// (WeCom W7: 10,000 calls/min and 150,000/h per API per corp; DingTalk: about 20 calls/s per API
// per app) and survives the limits it hits anyway: a rate-limit answer (WeCom 45009, DingTalk
// throttling) waits for the window to pass, a transient failure (busy, 5xx, network) backs off,
// both a bounded number of times. Permanent errors escape at once.
import { MessengerError } from '../messenger/messenger-error';

/** Time source and sleep of a sync; tests pass a test clock whose sleep advances it. */
export interface SyncClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: SyncClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PacerOptions {
  /** Call budgets per API path over sliding windows, e.g. 9,000 per 60,000 ms. */
  windows: { limit: number; ms: number }[];
  /** How long to wait after a rate-limit answer before trying again. */
  rateLimitWaitMs: number;
  maxRateLimitRetries: number;
  /** Back-off before each retry of a transient failure. */
  transientDelaysMs: number[];
}

export interface CallPacer {
  call<T>(api: string, fn: () => Promise<T>): Promise<T>;
  /** Calls made so far, retries included. */
  readonly calls: number;
}

export function createCallPacer(opts: PacerOptions, clock: SyncClock): CallPacer {
  const stamps = new Map<string, number[]>();
  const longest = Math.max(...opts.windows.map((w) => w.ms));
  let calls = 0;

  /** Index of the first stamp inside (now - ms, now]: stamps are ascending. */
  function firstInside(list: number[], since: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] > since) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  async function reserve(api: string) {
    let list = stamps.get(api);
    if (!list) stamps.set(api, (list = []));
    for (;;) {
      const now = clock.now();
      const expired = firstInside(list, now - longest);
      if (expired > 0) list.splice(0, expired);
      let wait = 0;
      for (const w of opts.windows) {
        const inside = list.length - firstInside(list, now - w.ms);
        // Full: wait until the oldest call that keeps it full has left the window.
        if (inside >= w.limit) wait = Math.max(wait, list[list.length - w.limit] + w.ms - now);
      }
      if (wait <= 0) {
        list.push(now);
        return;
      }
      await clock.sleep(wait);
    }
  }

  return {
    async call<T>(api: string, fn: () => Promise<T>): Promise<T> {
      let limited = 0;
      let transient = 0;
      for (;;) {
        await reserve(api);
        calls++;
        try {
          return await fn();
        } catch (err) {
          if (!(err instanceof MessengerError)) throw err;
          if (err.kind === 'rate_limited' && limited < opts.maxRateLimitRetries) {
            limited++;
            await clock.sleep(opts.rateLimitWaitMs);
            continue;
          }
          if (err.kind === 'transient' && transient < opts.transientDelaysMs.length) {
            await clock.sleep(opts.transientDelaysMs[transient++]);
            continue;
          }
          throw err;
        }
      }
    },
    get calls() {
      return calls;
    },
  };
}
