// Layered configuration: defaults < .env file < environment variables, validated once, frozen.
// Nothing else in the code base reads process.env.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { defaults } from './defaults';
import { configSchema } from './schema';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  db: { dialect: 'mysql' | 'sqlite'; url: string; sqlitePath: string; poolMax: number };
  logLevel: string;
  trustProxy: boolean;
  session: { secret: string; ttlHours: number; secure: boolean };
  crypto: { encryptionKey: Buffer; hashKey: string };
  auth: { devLogin: boolean };
  demoData: boolean;
  intake: { maxSkewSeconds: number };
  messengers: { wecom: boolean; dingtalk: boolean };
  version: string;
}

export class ConfigError extends Error {}

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8'));
    return String(pkg.version);
  } catch {
    return '0.0.0';
  }
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) {
    if (v && typeof v === 'object' && !Buffer.isBuffer(v)) deepFreeze(v);
  }
  return Object.freeze(o);
}

/**
 * Builds the configuration from an environment. Throws ConfigError naming every bad variable.
 * `envFile` defaults to `.env` in the working directory when it exists.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = path.resolve('.env')): Config {
  const fromFile = envFile && fs.existsSync(envFile) ? parseDotenv(fs.readFileSync(envFile)) : {};
  const raw: Record<string, string> = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const v = env[key] ?? fromFile[key];
    if (v !== undefined) raw[key] = v;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(raw[String(i.path[0])] ?? '')})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const messengers = { wecom: c.WECOM_CORP_ID !== '', dingtalk: c.DINGTALK_CLIENT_ID !== '' };
  const isProd = c.NODE_ENV === 'production';
  const dialect = c.DATABASE_URL ? 'mysql' : 'sqlite';
  return deepFreeze({
    env: c.NODE_ENV,
    host: c.HOST,
    port: c.PORT,
    publicUrl: c.PUBLIC_URL.replace(/\/$/, ''),
    db: { dialect, url: c.DATABASE_URL, sqlitePath: c.SQLITE_PATH, poolMax: c.DB_POOL_MAX },
    logLevel: c.LOG_LEVEL,
    trustProxy: c.TRUST_PROXY ?? false,
    session: { secret: c.SESSION_SECRET, ttlHours: c.SESSION_TTL_HOURS, secure: c.PUBLIC_URL.startsWith('https://') },
    crypto: { encryptionKey: Buffer.from(c.DATA_ENCRYPTION_KEY, 'base64'), hashKey: c.DATA_HASH_KEY },
    // Dev sign-in: explicit setting wins; otherwise on only outside production with no messenger configured.
    auth: { devLogin: c.AUTH_DEV_LOGIN ?? (!isProd && !messengers.wecom && !messengers.dingtalk) },
    // Demo data: explicit setting wins; otherwise seeded into an empty embedded database outside production.
    demoData: c.DEMO_DATA ?? (!isProd && dialect === 'sqlite'),
    intake: { maxSkewSeconds: c.INTAKE_MAX_SKEW_SECONDS },
    messengers,
    version: readVersion(),
  } satisfies Config);
}
