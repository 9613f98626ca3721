import { z } from 'zod';
import { DEV_SECRET_MARK } from './defaults';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => (v === '' ? undefined : ['true', '1', 'yes'].includes(v)));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const base64Key = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, {
  message: 'must be 32 bytes encoded as base64 (openssl rand -base64 32)',
});

const databaseUrl = z
  .string()
  .refine((v) => v === '' || /^mysql:\/\/[^/]+\/[^/?]+/.test(v), {
    message: 'must look like mysql://user:pass@host:3306/dbname (or be empty for the embedded SQLite)',
  });

/** Raw env strings → typed settings. Every variable is documented in README.md. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']),
    HOST: z.string().min(1),
    PORT: int(0, 65535),
    PUBLIC_URL: z.string().url(),
    DATABASE_URL: databaseUrl,
    SQLITE_PATH: z.string().min(1),
    DB_POOL_MAX: int(1, 200),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    TRUST_PROXY: bool,
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
    SESSION_TTL_HOURS: int(1, 24 * 30),
    DATA_ENCRYPTION_KEY: base64Key,
    DATA_HASH_KEY: z.string().min(32, 'must be at least 32 characters'),
    AUTH_DEV_LOGIN: bool,
    DEMO_DATA: bool,
    INTAKE_MAX_SKEW_SECONDS: int(10, 3600),
    WECOM_CORP_ID: z.string(),
    DINGTALK_CLIENT_ID: z.string(),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    const devKey = Buffer.from(c.DATA_ENCRYPTION_KEY, 'base64').toString('utf8').startsWith(DEV_SECRET_MARK);
    for (const [key, isDev] of [
      ['SESSION_SECRET', c.SESSION_SECRET.startsWith(DEV_SECRET_MARK)],
      ['DATA_HASH_KEY', c.DATA_HASH_KEY.startsWith(DEV_SECRET_MARK)],
      ['DATA_ENCRYPTION_KEY', devKey],
    ] as const) {
      if (isDev) ctx.addIssue({ code: 'custom', path: [key], message: 'must be set in production (the default is for development only)' });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
