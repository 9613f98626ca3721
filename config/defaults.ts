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
  WECOM_CORP_ID: '',
  DINGTALK_CLIENT_ID: '',
} as const;
