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

const baseUrl = z.string().url().refine((v) => /^https?:\/\//.test(v), { message: 'must be an http(s) URL' });

// WeCom/DingTalk EncodingAESKey: 43 base64 characters (32 bytes once "=" is appended).
const aesKey = z.string().refine((v) => v === '' || (/^[A-Za-z0-9+/]{43}$/.test(v) && Buffer.from(`${v}=`, 'base64').length === 32), {
  message: 'must be the 43-character EncodingAESKey from the admin console',
});

// SMS template: "<template code or id>:<param>,<param>…"; each param is one of our variables
// (SMS_TEMPLATE_VARIABLES) or "<template key>=<variable>" when the template names it differently.
export const SMS_TEMPLATE_VARIABLES = ['name', 'dueDate', 'amount', 'loanNo', 'days', 'seq'] as const;
const smsTemplate = z.string().refine(
  (v) => {
    if (v === '') return true;
    const m = /^([A-Za-z0-9_]{1,64}):(.*)$/.exec(v);
    if (!m) return false;
    const params = m[2] === '' ? [] : m[2].split(',');
    return params.every((p) => {
      const [key, variable] = p.includes('=') ? p.split('=') : [p, p];
      return /^[A-Za-z0-9_]{1,32}$/.test(key ?? '') && (SMS_TEMPLATE_VARIABLES as readonly string[]).includes(variable ?? '');
    });
  },
  { message: `must look like SMS_123456789:name,dueDate,amount (variables: ${SMS_TEMPLATE_VARIABLES.join(', ')}; rename with key=variable)` },
);

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
    APPLICATION_FILES_DIR: z.string().min(1),
    APPLICATION_MAX_FILE_MB: int(1, 100),
    COMPANY_NAME: z.string().trim().min(1).max(100),
    COMPANY_CREDIT_CODE: z.string().trim().max(32),
    COMPANY_ADDRESS: z.string().trim().max(200),
    COMPANY_PHONE: z.string().trim().max(32),
    WECOM_CORP_ID: z.string(),
    WECOM_AGENT_ID: z.string().regex(/^\d*$/, 'must be the numeric AgentId of the self-built app'),
    WECOM_SECRET: z.string(),
    WECOM_CALLBACK_TOKEN: z.string().max(32, 'at most 32 characters'),
    WECOM_ENCODING_AES_KEY: aesKey,
    WECOM_API_BASE: baseUrl,
    WECOM_OAUTH_BASE: baseUrl,
    WECOM_LOGIN_BASE: baseUrl,
    DINGTALK_CORP_ID: z.string(),
    DINGTALK_AGENT_ID: z.string().regex(/^\d*$/, 'must be the numeric AgentId of the app'),
    DINGTALK_CLIENT_ID: z.string(),
    DINGTALK_CLIENT_SECRET: z.string(),
    DINGTALK_OAPI_BASE: baseUrl,
    DINGTALK_API_BASE: baseUrl,
    DINGTALK_CALLBACK_TOKEN: z.string(),
    DINGTALK_CALLBACK_AES_KEY: aesKey,
    DINGTALK_STREAM: bool,
    DINGTALK_CARD_TEMPLATE_ID: z.string(),
    ORG_SYNC_CRON: z.string().refine((v) => v === '' || v.trim().split(/\s+/).length === 5 || v.trim().split(/\s+/).length === 6, {
      message: 'must be a cron expression (5 or 6 fields) or empty to turn the nightly sync off',
    }),
    ORG_SYNC_DEFAULT_ROLE: z.enum(['officer', 'team_lead', 'branch_manager', 'risk', 'director', 'finance', 'admin']),
    ORG_SYNC_ADMINS: z.string().regex(/^[\w.@\-, ]*$/, 'must be a comma-separated list of WeCom/DingTalk user ids'),
    BOT_ENABLED: bool,
    BOT_DISPATCH_INTERVAL_MS: int(100, 600_000),
    BOT_MAX_ATTEMPTS: int(1, 50),
    SMS_PROVIDER: z.enum(['console', 'aliyun', 'tencent']),
    ALIYUN_SMS_ACCESS_KEY_ID: z.string(),
    ALIYUN_SMS_ACCESS_KEY_SECRET: z.string(),
    ALIYUN_SMS_SIGN_NAME: z.string(),
    ALIYUN_SMS_ENDPOINT: baseUrl,
    TENCENT_SMS_SECRET_ID: z.string(),
    TENCENT_SMS_SECRET_KEY: z.string(),
    TENCENT_SMS_SDK_APP_ID: z.string().regex(/^\d*$/, 'must be the numeric SmsSdkAppId (SDK AppID) of the SMS application'),
    TENCENT_SMS_SIGN_NAME: z.string(),
    TENCENT_SMS_REGION: z.string().regex(/^[a-z]+-[a-z]+$/, 'must be a region such as ap-guangzhou'),
    TENCENT_SMS_ENDPOINT: baseUrl,
    SMS_TEMPLATE_REPAYMENT_DUE: smsTemplate,
    SMS_TEMPLATE_OVERDUE: smsTemplate,
    SMS_TEMPLATE_MISSING_DOCUMENTS: smsTemplate,
    SMS_DAYS_BEFORE: int(1, 30),
    SMS_ALLOWED_HOURS: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must look like 09:00-20:00 (Asia/Shanghai)')
      .refine((v) => v.slice(0, 5) < v.slice(6), { message: 'the start must be before the end (09:00-20:00)' }),
    DAILY_SUMMARY_CRON: z.string().refine((v) => v.trim().split(/\s+/).length === 5 || v.trim().split(/\s+/).length === 6, {
      message: 'must be a cron expression (5 or 6 fields, Asia/Shanghai), e.g. 30 18 * * 1-5',
    }),
    DAILY_SUMMARY_ENABLED: bool,
  })
  .superRefine((c, ctx) => {
    // A configured messenger needs its credentials: name each missing one.
    const need = (when: boolean, keys: (keyof typeof c)[], why: string) => {
      if (!when) return;
      for (const k of keys) if (!c[k]) ctx.addIssue({ code: 'custom', path: [k], message: `required ${why}` });
    };
    need(c.WECOM_CORP_ID !== '', ['WECOM_AGENT_ID', 'WECOM_SECRET'], 'when WECOM_CORP_ID is set');
    need(c.WECOM_ENCODING_AES_KEY !== '', ['WECOM_CALLBACK_TOKEN', 'WECOM_CORP_ID'], 'when WECOM_ENCODING_AES_KEY is set');
    need(c.DINGTALK_CLIENT_ID !== '', ['DINGTALK_CLIENT_SECRET', 'DINGTALK_CORP_ID', 'DINGTALK_AGENT_ID'], 'when DINGTALK_CLIENT_ID is set');
    need(c.DINGTALK_CALLBACK_AES_KEY !== '', ['DINGTALK_CALLBACK_TOKEN', 'DINGTALK_CLIENT_ID'], 'when DINGTALK_CALLBACK_AES_KEY is set');
    need(c.SMS_PROVIDER === 'aliyun', ['ALIYUN_SMS_ACCESS_KEY_ID', 'ALIYUN_SMS_ACCESS_KEY_SECRET', 'ALIYUN_SMS_SIGN_NAME', 'SMS_TEMPLATE_REPAYMENT_DUE', 'SMS_TEMPLATE_OVERDUE', 'SMS_TEMPLATE_MISSING_DOCUMENTS'], 'when SMS_PROVIDER=aliyun');
    need(c.SMS_PROVIDER === 'tencent', ['TENCENT_SMS_SECRET_ID', 'TENCENT_SMS_SECRET_KEY', 'TENCENT_SMS_SDK_APP_ID', 'TENCENT_SMS_SIGN_NAME', 'SMS_TEMPLATE_REPAYMENT_DUE', 'SMS_TEMPLATE_OVERDUE', 'SMS_TEMPLATE_MISSING_DOCUMENTS'], 'when SMS_PROVIDER=tencent');
    if (c.SMS_PROVIDER === 'tencent') {
      // Tencent template ids are numbers; Aliyun template codes look like SMS_123456789.
      for (const k of ['SMS_TEMPLATE_REPAYMENT_DUE', 'SMS_TEMPLATE_OVERDUE', 'SMS_TEMPLATE_MISSING_DOCUMENTS'] as const) {
        if (c[k] && !/^\d+:/.test(c[k])) ctx.addIssue({ code: 'custom', path: [k], message: 'must start with the numeric Tencent template ID (e.g. 1234567:name,dueDate,amount)' });
      }
    }
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
