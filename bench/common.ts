// Shared by the benchmark scripts: argument parsing, the configuration both the seeder and the
// load run use (so the encryption and blind-index keys match), and small formatting helpers.
import crypto from 'node:crypto';
import path from 'node:path';
import { loadConfig, type Config } from '../config';

export const BENCH_DIR = import.meta.dirname;
export const LAST_SEED_FILE = path.join(BENCH_DIR, '.last-seed.json');

/** Where MariaDB/MySQL listens, without a database name. */
export const MYSQL_ADMIN_URL = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');

/** `--name value` and `--flag` arguments; `--name=value` works too. */
export function parseArgs(argv: string[] = process.argv.slice(2)): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[a.slice(2)] = argv[++i];
    } else {
      out[a.slice(2)] = true;
    }
  }
  return out;
}

export function intArg(args: Record<string, string | true>, name: string, dflt: number): number {
  const v = args[name];
  if (v === undefined || v === true) return dflt;
  const n = Number(String(v).replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number (got ${v})`);
  return Math.floor(n);
}

export function strArg(args: Record<string, string | true>, name: string, dflt: string): string {
  const v = args[name];
  return v === undefined || v === true ? dflt : v;
}

export function dbName(args: Record<string, string | true>): string {
  const name = strArg(args, 'db', 'crm_bench');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`--db must be letters, digits and _ (got ${name})`);
  return name;
}

/**
 * The app configuration for the benchmark database. Development mode with the default dev keys
 * unless SESSION_SECRET / DATA_ENCRYPTION_KEY / DATA_HASH_KEY are set in the environment, in which
 * case the same values must be given to both the seeder and the load script.
 */
export function benchConfig(db: string, extra: Record<string, string> = {}): Config {
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `${MYSQL_ADMIN_URL}/${db}`,
    DEMO_DATA: 'false',
    AUTH_DEV_LOGIN: 'true',
  };
  for (const k of ['SESSION_SECRET', 'DATA_ENCRYPTION_KEY', 'DATA_HASH_KEY', 'DB_POOL_MAX']) {
    if (process.env[k]) env[k] = process.env[k]!;
  }
  return loadConfig({ ...env, ...extra }, '');
}

/** A short fingerprint of the blind-index key, so the load script can tell it matches the seed. */
export function keyFingerprint(config: Config): string {
  return crypto.createHash('sha256').update(config.crypto.hashKey).update(config.crypto.encryptionKey).digest('hex').slice(0, 12);
}

export { prng } from '../sql/seeds/demo';

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtSecs(ms: number): string {
  const s = ms / 1000;
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A plain-text table with right-aligned numbers. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c + ' '.repeat(width[i] - displayWidth(c)) : ' '.repeat(width[i] - displayWidth(c)) + c)).join('  ');
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return w;
}
