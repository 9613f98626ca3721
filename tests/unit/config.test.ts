// Layered, validated, frozen configuration: defaults < .env file < environment variables.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

const prodSecrets = {
  NODE_ENV: 'production',
  SESSION_SECRET: 'a-real-session-secret-of-enough-length-42',
  DATA_HASH_KEY: 'a-real-hash-key-of-enough-length-0123456789',
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64'),
};

function errorOf(env: Record<string, string>, file = ''): string {
  try {
    loadConfig(env, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('defaults', () => {
  it('run a trial on SQLite with dev sign-in and demo data', () => {
    const c = loadConfig({}, '');
    expect(c).toMatchObject({
      env: 'development', host: '0.0.0.0', port: 3000, publicUrl: 'http://localhost:3000', logLevel: 'info', trustProxy: false,
      db: { dialect: 'sqlite', url: '', sqlitePath: 'data/crm.sqlite', poolMax: 10 },
      session: { ttlHours: 12, secure: false }, auth: { devLogin: true }, demoData: true, intake: { maxSkewSeconds: 300 },
      messengers: { wecom: false, dingtalk: false },
    });
    expect(c.crypto.encryptionKey).toHaveLength(32);
    expect(c.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('are frozen, nested objects included', () => {
    const c = loadConfig({}, '');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.db)).toBe(true);
    expect(() => {
      (c.db as { dialect: string }).dialect = 'mysql';
    }).toThrow();
  });

  it('ignore variables the schema does not know', () => {
    expect(loadConfig({ SOMETHING_ELSE: 'x' } as never, '')).toMatchObject({ port: 3000 });
  });
});

describe('invalid settings name the variable', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'postgres://u@h/db' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://host-without-db' }, 'DATABASE_URL'],
    [{ DB_POOL_MAX: '0' }, 'DB_POOL_MAX'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ SESSION_TTL_HOURS: '0' }, 'SESSION_TTL_HOURS'],
    [{ DATA_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }, 'DATA_ENCRYPTION_KEY'],
    [{ DATA_HASH_KEY: 'short' }, 'DATA_HASH_KEY'],
    [{ AUTH_DEV_LOGIN: 'maybe' }, 'AUTH_DEV_LOGIN'],
    [{ INTAKE_MAX_SKEW_SECONDS: '5' }, 'INTAKE_MAX_SKEW_SECONDS'],
  ])('%j → names %s', (env, name) => {
    const msg = errorOf(env as Record<string, string>);
    expect(msg).toContain(`${name}:`);
    expect(msg).toContain(`(got ${JSON.stringify(Object.values(env)[0])})`);
  });

  it('lists every bad variable at once', () => {
    const msg = errorOf({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(msg).toContain('PORT:');
    expect(msg).toContain('LOG_LEVEL:');
  });
});

describe('production', () => {
  it('refuses the development secrets, naming each', () => {
    const msg = errorOf({ NODE_ENV: 'production' });
    for (const name of ['SESSION_SECRET', 'DATA_HASH_KEY', 'DATA_ENCRYPTION_KEY']) expect(msg).toContain(`${name}: must be set in production`);
    const one = errorOf({ ...prodSecrets, DATA_HASH_KEY: 'dev-only-hash-key-change-me-0123456789abcdef' });
    expect(one).toContain('DATA_HASH_KEY');
    expect(one).not.toContain('SESSION_SECRET');
  });

  it('with real secrets: no dev sign-in, no demo data, secure cookies on https', () => {
    const c = loadConfig({ ...prodSecrets, PUBLIC_URL: 'https://crm.example.com/' }, '');
    expect(c).toMatchObject({ env: 'production', auth: { devLogin: false }, demoData: false, publicUrl: 'https://crm.example.com', session: { secure: true } });
    expect(loadConfig({ ...prodSecrets, AUTH_DEV_LOGIN: 'true' }, '').auth.devLogin).toBe(true);
  });
});

describe('database and messengers', () => {
  it('DATABASE_URL selects MySQL and turns demo data off by default', () => {
    const c = loadConfig({ DATABASE_URL: 'mysql://crm:pw@db.internal:3306/crm' }, '');
    expect(c.db).toMatchObject({ dialect: 'mysql', url: 'mysql://crm:pw@db.internal:3306/crm' });
    expect(c.demoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'mysql://crm:pw@db:3306/crm', DEMO_DATA: 'yes' }, '').demoData).toBe(true);
  });

  const WECOM = { WECOM_CORP_ID: 'ww123', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 's3cret' };
  const DING = { DINGTALK_CLIENT_ID: 'ding123', DINGTALK_CLIENT_SECRET: 's3cret', DINGTALK_CORP_ID: 'dingcorp', DINGTALK_AGENT_ID: '300' };

  it('a configured messenger turns dev sign-in off unless explicitly on', () => {
    expect(loadConfig(WECOM, '')).toMatchObject({ messengers: { wecom: true, dingtalk: false }, auth: { devLogin: false } });
    expect(loadConfig(DING, '').auth.devLogin).toBe(false);
    expect(loadConfig({ ...DING, AUTH_DEV_LOGIN: '1' }, '').auth.devLogin).toBe(true);
    expect(loadConfig({ AUTH_DEV_LOGIN: 'no' }, '').auth.devLogin).toBe(false);
  });

  it('a configured messenger needs its credentials, each missing one named', () => {
    const msg = errorOf({ WECOM_CORP_ID: 'ww123' });
    expect(msg).toContain('WECOM_AGENT_ID: required when WECOM_CORP_ID is set');
    expect(msg).toContain('WECOM_SECRET: required');
    expect(errorOf({ DINGTALK_CLIENT_ID: 'ding123' })).toContain('DINGTALK_CLIENT_SECRET: required');
    expect(errorOf({ ...WECOM, WECOM_AGENT_ID: 'abc' })).toContain('WECOM_AGENT_ID: must be the numeric AgentId');
    expect(errorOf({ ...WECOM, WECOM_ENCODING_AES_KEY: 'short', WECOM_CALLBACK_TOKEN: 't' })).toContain('WECOM_ENCODING_AES_KEY: must be the 43-character');
    expect(errorOf({ ...WECOM, WECOM_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' })).toContain('WECOM_CALLBACK_TOKEN: required');
    expect(errorOf({ WECOM_API_BASE: 'not a url' })).toContain('WECOM_API_BASE');
  });

  it('exposes typed messenger settings with trimmed base URLs, and null when not configured', () => {
    const c = loadConfig({ ...WECOM, ...DING, WECOM_API_BASE: 'http://127.0.0.1:9999/', DINGTALK_STREAM: 'true' }, '');
    expect(c.wecom).toMatchObject({ corpId: 'ww123', agentId: 1000002, secret: 's3cret', apiBase: 'http://127.0.0.1:9999', oauthBase: 'https://open.weixin.qq.com' });
    expect(c.dingtalk).toMatchObject({ clientId: 'ding123', agentId: 300, stream: true, oapiBase: 'https://oapi.dingtalk.com', apiBase: 'https://api.dingtalk.com' });
    const none = loadConfig({}, '');
    expect(none.wecom).toBeNull();
    expect(none.dingtalk).toBeNull();
    expect(none.bot.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }, '').bot.enabled).toBe(false);
    expect(errorOf({ ORG_SYNC_CRON: 'every night' })).toContain('ORG_SYNC_CRON');
  });
});

describe('layering', () => {
  it('an env file overrides defaults and an environment variable overrides the file', () => {
    const file = path.join(tmp, '.env');
    fs.writeFileSync(file, 'PORT=4000\nLOG_LEVEL=warn\nSESSION_TTL_HOURS=24\n');
    expect(loadConfig({}, file)).toMatchObject({ port: 4000, logLevel: 'warn', session: { ttlHours: 24 } });
    expect(loadConfig({ PORT: '5000' }, file)).toMatchObject({ port: 5000, logLevel: 'warn' });
    expect(errorOf({}, (fs.writeFileSync(file, 'PORT=eighty\n'), file))).toContain('PORT:');
  });

  it('a missing env file is fine', () => {
    expect(loadConfig({}, path.join(tmp, 'does-not-exist.env')).port).toBe(3000);
  });
});
