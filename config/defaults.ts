// Defaults for every setting. Values here are safe for a trial on one machine;
// production must override the secrets (the schema refuses the dev ones there).
export const DEV_SECRET_MARK = 'dev-only-';

export const defaults = {
  NODE_ENV: 'development',
  HOST: '0.0.0.0',
  PORT: '3000',
  PUBLIC_URL: 'http://localhost:3000',
  DATABASE_URL: '',
  SQLITE_PATH: 'data/crm.sqlite',
  DB_POOL_MAX: '10',
  LOG_LEVEL: 'info',
  TRUST_PROXY: 'false',
  SESSION_SECRET: `${DEV_SECRET_MARK}session-secret-change-me-0123456789`,
  SESSION_TTL_HOURS: '12',
  // 32 bytes, base64. Dev only: production refuses keys carrying the dev mark.
  DATA_ENCRYPTION_KEY: 'ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=',
  DATA_HASH_KEY: `${DEV_SECRET_MARK}hash-key-change-me-0123456789abcdef`,
  AUTH_DEV_LOGIN: '',
  DEMO_DATA: '',
  INTAKE_MAX_SKEW_SECONDS: '300',
  // Loan application documents: stored on disk under this directory (relative to the working directory).
  APPLICATION_FILES_DIR: 'data/files',
  APPLICATION_MAX_FILE_MB: '10',
  // WeCom (企业微信) self-built app; leave WECOM_CORP_ID empty to run without WeCom.
  WECOM_CORP_ID: '',
  WECOM_AGENT_ID: '',
  WECOM_SECRET: '',
  WECOM_CALLBACK_TOKEN: '',
  WECOM_ENCODING_AES_KEY: '',
  WECOM_API_BASE: 'https://qyapi.weixin.qq.com',
  WECOM_OAUTH_BASE: 'https://open.weixin.qq.com',
  WECOM_LOGIN_BASE: 'https://login.work.weixin.qq.com',
  // DingTalk (钉钉) internal app; leave DINGTALK_CLIENT_ID empty to run without DingTalk.
  DINGTALK_CORP_ID: '',
  DINGTALK_AGENT_ID: '',
  DINGTALK_CLIENT_ID: '',
  DINGTALK_CLIENT_SECRET: '',
  DINGTALK_OAPI_BASE: 'https://oapi.dingtalk.com',
  DINGTALK_API_BASE: 'https://api.dingtalk.com',
  DINGTALK_CALLBACK_TOKEN: '',
  DINGTALK_CALLBACK_AES_KEY: '',
  DINGTALK_STREAM: '',
  DINGTALK_CARD_TEMPLATE_ID: '',
  // Org sync and the bot.
  ORG_SYNC_CRON: '30 2 * * *',
  ORG_SYNC_DEFAULT_ROLE: 'officer',
  ORG_SYNC_ADMINS: '',
  BOT_ENABLED: '',
  BOT_DISPATCH_INTERVAL_MS: '1000',
  BOT_MAX_ATTEMPTS: '8',
  // Daily summary in chat (C22): managers and team robots, Asia/Shanghai, Mon–Fri by default.
  DAILY_SUMMARY_CRON: '30 18 * * 1-5',
  DAILY_SUMMARY_ENABLED: 'true',
} as const;
