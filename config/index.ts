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
  /** Loan application documents: where they are stored and how large one may be. */
  applications: { filesDir: string; maxFileBytes: number };
  /** The broker named on generated contracts. */
  company: { name: string; creditCode: string; address: string; phone: string };
  messengers: { wecom: boolean; dingtalk: boolean };
  /** WeCom self-built app, or null when WECOM_CORP_ID is empty. */
  wecom: WecomConfig | null;
  /** DingTalk internal app, or null when DINGTALK_CLIENT_ID is empty. */
  dingtalk: DingtalkConfig | null;
  /** admins: messenger user ids that every sync makes CRM admins (the first admin of a new install). */
  orgSync: { cron: string; defaultRole: Role; admins: string[] };
  bot: { enabled: boolean; dispatchIntervalMs: number; maxAttempts: number };
  sms: SmsConfig;
  /** Daily summary in chat (C22): when it runs (cron, Asia/Shanghai) and whether at all. */
  dailySummary: { enabled: boolean; cron: string };
  version: string;
}

export type SmsPurposeKey = 'repayment_due' | 'overdue' | 'missing_documents';

/** One SMS template: the provider's code/id and its parameters (template key → our variable), in order. */
export interface SmsTemplateConfig {
  code: string;
  params: { key: string; variable: string }[];
}

export interface SmsConfig {
  provider: 'console' | 'aliyun' | 'tencent';
  aliyun: { accessKeyId: string; accessKeySecret: string; signName: string; endpoint: string } | null;
  tencent: { secretId: string; secretKey: string; sdkAppId: string; signName: string; region: string; endpoint: string } | null;
  /** Per purpose; null when not configured (the console provider then renders its built-in text). */
  templates: Record<SmsPurposeKey, SmsTemplateConfig | null>;
  daysBefore: number;
  /** Allowed sending window in Asia/Shanghai, minutes after midnight [from, to). */
  allowedFromMinute: number;
  allowedToMinute: number;
}

function smsTemplate(v: string): SmsTemplateConfig | null {
  if (!v) return null;
  const i = v.indexOf(':');
  const list = v.slice(i + 1);
  return {
    code: v.slice(0, i),
    params: list === '' ? [] : list.split(',').map((p) => (p.includes('=') ? { key: p.split('=')[0]!, variable: p.split('=')[1]! } : { key: p, variable: p })),
  };
}

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

type Role = 'officer' | 'team_lead' | 'branch_manager' | 'risk' | 'director' | 'finance' | 'admin';

export interface WecomConfig {
  corpId: string;
  agentId: number;
  secret: string;
  /** Callback Token and EncodingAESKey; empty when callbacks are not set up. */
  callbackToken: string;
  encodingAesKey: string;
  apiBase: string;
  oauthBase: string;
  loginBase: string;
}

export interface DingtalkConfig {
  corpId: string;
  agentId: number;
  clientId: string;
  clientSecret: string;
  oapiBase: string;
  apiBase: string;
  /** HTTP event subscription Token and aes_key; empty when not set up. */
  callbackToken: string;
  callbackAesKey: string;
  /** Stream mode for card callbacks and robot messages. */
  stream: boolean;
  /** Interactive card template (卡片平台); empty → action_card work notifications with H5 links. */
  cardTemplateId: string;
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
    applications: { filesDir: path.resolve(c.APPLICATION_FILES_DIR), maxFileBytes: c.APPLICATION_MAX_FILE_MB * 1024 * 1024 },
    company: { name: c.COMPANY_NAME, creditCode: c.COMPANY_CREDIT_CODE, address: c.COMPANY_ADDRESS, phone: c.COMPANY_PHONE },
    messengers,
    wecom: messengers.wecom
      ? {
          corpId: c.WECOM_CORP_ID,
          agentId: Number(c.WECOM_AGENT_ID),
          secret: c.WECOM_SECRET,
          callbackToken: c.WECOM_CALLBACK_TOKEN,
          encodingAesKey: c.WECOM_ENCODING_AES_KEY,
          apiBase: c.WECOM_API_BASE.replace(/\/$/, ''),
          oauthBase: c.WECOM_OAUTH_BASE.replace(/\/$/, ''),
          loginBase: c.WECOM_LOGIN_BASE.replace(/\/$/, ''),
        }
      : null,
    dingtalk: messengers.dingtalk
      ? {
          corpId: c.DINGTALK_CORP_ID,
          agentId: Number(c.DINGTALK_AGENT_ID),
          clientId: c.DINGTALK_CLIENT_ID,
          clientSecret: c.DINGTALK_CLIENT_SECRET,
          oapiBase: c.DINGTALK_OAPI_BASE.replace(/\/$/, ''),
          apiBase: c.DINGTALK_API_BASE.replace(/\/$/, ''),
          callbackToken: c.DINGTALK_CALLBACK_TOKEN,
          callbackAesKey: c.DINGTALK_CALLBACK_AES_KEY,
          stream: c.DINGTALK_STREAM ?? false,
          cardTemplateId: c.DINGTALK_CARD_TEMPLATE_ID,
        }
      : null,
    orgSync: {
      cron: c.ORG_SYNC_CRON.trim(),
      defaultRole: c.ORG_SYNC_DEFAULT_ROLE,
      admins: c.ORG_SYNC_ADMINS.split(',').map((s) => s.trim()).filter(Boolean),
    },
    // The bot (outbox dispatcher and scheduled jobs) runs inside the server process unless turned off;
    // tests build apps without it and drive the dispatcher by hand.
    bot: { enabled: c.BOT_ENABLED ?? c.NODE_ENV !== 'test', dispatchIntervalMs: c.BOT_DISPATCH_INTERVAL_MS, maxAttempts: c.BOT_MAX_ATTEMPTS },
    sms: {
      provider: c.SMS_PROVIDER,
      aliyun: c.SMS_PROVIDER === 'aliyun'
        ? { accessKeyId: c.ALIYUN_SMS_ACCESS_KEY_ID, accessKeySecret: c.ALIYUN_SMS_ACCESS_KEY_SECRET, signName: c.ALIYUN_SMS_SIGN_NAME, endpoint: c.ALIYUN_SMS_ENDPOINT.replace(/\/$/, '') }
        : null,
      tencent: c.SMS_PROVIDER === 'tencent'
        ? { secretId: c.TENCENT_SMS_SECRET_ID, secretKey: c.TENCENT_SMS_SECRET_KEY, sdkAppId: c.TENCENT_SMS_SDK_APP_ID, signName: c.TENCENT_SMS_SIGN_NAME, region: c.TENCENT_SMS_REGION, endpoint: c.TENCENT_SMS_ENDPOINT.replace(/\/$/, '') }
        : null,
      templates: {
        repayment_due: smsTemplate(c.SMS_TEMPLATE_REPAYMENT_DUE),
        overdue: smsTemplate(c.SMS_TEMPLATE_OVERDUE),
        missing_documents: smsTemplate(c.SMS_TEMPLATE_MISSING_DOCUMENTS),
      },
      daysBefore: c.SMS_DAYS_BEFORE,
      allowedFromMinute: minuteOf(c.SMS_ALLOWED_HOURS.slice(0, 5)),
      allowedToMinute: minuteOf(c.SMS_ALLOWED_HOURS.slice(6)),
    },
    dailySummary: { enabled: c.DAILY_SUMMARY_ENABLED ?? true, cron: c.DAILY_SUMMARY_CRON.trim() },
    version: readVersion(),
  } satisfies Config);
}
