// Runs one autocannon scenario in a child process (forked by load.ts), so the load generator does
// not share the app's event loop. Latency is recorded per response here, because autocannon's own
// summary has no p95 and rounds to whole milliseconds.
import autocannon from 'autocannon';

export interface CannonJob {
  url: string;
  connections: number;
  duration: number;
  method: 'GET' | 'POST';
  /** Paths are used round-robin, one per request. */
  paths: string[];
  headers: Record<string, string>;
  /** POST /customers: a fresh, never-seeded phone number (16x…) in every body. */
  createBodies?: boolean;
}

export interface Stats {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

export function percentiles(latencies: number[], seconds: number, extra: { non2xx?: number; errors?: number; statusCodes?: Record<string, number> } = {}): Stats {
  const a = Float64Array.from(latencies).sort();
  const at = (q: number) => (a.length ? a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))] : NaN);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    requests: a.length,
    seconds: round(seconds),
    rps: round(a.length / seconds),
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(a.length ? a[a.length - 1] : NaN),
    mean: round(a.reduce((s, x) => s + x, 0) / (a.length || 1)),
    non2xx: extra.non2xx ?? 0,
    errors: extra.errors ?? 0,
    statusCodes: extra.statusCodes ?? {},
  };
}

function run(job: CannonJob): Promise<Stats> {
  let n = 0;
  const base = Math.floor(Math.random() * 800_000_000);
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.duration,
        timeout: 60,
        requests: [
          {
            method: job.method,
            headers: job.headers,
            setupRequest: (req) => {
              const i = n++;
              req.path = job.paths[i % job.paths.length];
              if (job.createBodies) {
                req.body = JSON.stringify({
                  name: '压测客户',
                  phone: `16${String(base + i).padStart(9, '0')}`,
                  channel: 'douyin',
                  city: '杭州',
                  loanAmountFen: 50_000_000,
                  loanTermMonths: 36,
                  loanPurpose: '经营周转',
                  collateral: 'house',
                  monthlyIncomeFen: 2_000_000,
                });
              }
              return req;
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const codes: Record<string, number> = {};
        for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) codes[code] = v.count;
        resolve(percentiles(latencies, result.duration, { non2xx: result.non2xx, errors: result.errors + result.timeouts, statusCodes: codes }));
      },
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
}

if (process.send) {
  process.once('message', (job: CannonJob) => {
    run(job).then(
      (stats) => process.send!({ ok: true, stats }, () => process.exit(0)),
      (err: Error) => process.send!({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(1)),
    );
  });
}
