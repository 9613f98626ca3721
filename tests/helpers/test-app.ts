// Each test file gets its own fresh database (a new MySQL schema, or a new SQLite file),
// migrated, with the demo organisation and channels but no customers.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { loadConfig, type Config } from '../../config';
import { buildDeps, createApp } from '../../server/src/app';
import { migrateUp } from '../../server/src/db/migrator';
import { seedDemo } from '../../sql/seeds/demo';
import type { Deps } from '../../server/src/deps';
import pino from 'pino';
import { idCheckChar } from '../../server/src/contracts/identity';

export const TEST_DB = (process.env.TEST_DB ?? 'sqlite') as 'mysql' | 'sqlite';
const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestApp {
  deps: Deps;
  config: Config;
  server: ReturnType<ReturnType<typeof createApp>['callback']>;
  /** A signed-in client for the demo employee with this name (e.g. '张伟'). */
  loginAs(name: string): Promise<Client>;
  anonymous(): Client;
  userId(name: string): Promise<number>;
  close(): Promise<void>;
}

export interface Client {
  agent: TestAgent;
  get(url: string): request.Test;
  post(url: string, body?: object): request.Test;
  patch(url: string, body?: object): request.Test;
}

function client(agent: TestAgent): Client {
  const xhr = { 'X-Requested-With': 'XMLHttpRequest' };
  return {
    agent,
    get: (url) => agent.get(url),
    post: (url, body) => agent.post(url).set(xhr).send(body ?? {}),
    patch: (url, body) => agent.patch(url).set(xhr).send(body ?? {}),
  };
}

export async function createTestApp(
  opts: { env?: Record<string, string>; seed?: boolean; build?: Omit<Parameters<typeof buildDeps>[1], 'log'> } = {},
): Promise<TestApp> {
  const name = `crm_t_${crypto.randomBytes(5).toString('hex')}`;
  let dbUrl = '';
  let sqlitePath = '';
  if (TEST_DB === 'mysql') {
    const conn = await mysql.createConnection(MYSQL_ADMIN_URL);
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.end();
    dbUrl = `${MYSQL_ADMIN_URL}/${name}`;
  } else {
    sqlitePath = path.join(os.tmpdir(), `${name}.sqlite`);
  }
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: dbUrl, SQLITE_PATH: sqlitePath || 'unused.sqlite', DEMO_DATA: 'false', ...opts.env },
    '',
  );
  const deps = buildDeps(config, { ...opts.build, log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  await migrateUp(deps.db.sequelize);
  if (opts.seed !== false) await seedDemo(deps, { customers: 0 });
  const app = createApp(deps);
  const server = app.callback();

  const userId = async (userName: string) => {
    const u = await deps.db.models.User.findOne({ where: { name: userName } });
    if (!u) throw new Error(`no demo user ${userName}`);
    return u.id;
  };

  return {
    deps,
    config,
    server,
    userId,
    anonymous: () => client(request.agent(server)),
    async loginAs(userName) {
      const c = client(request.agent(server));
      const res = await c.post('/api/v1/auth/dev-login', { userId: await userId(userName) });
      if (res.status !== 200) throw new Error(`login as ${userName} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return c;
    },
    async close() {
      await deps.db.close();
      if (TEST_DB === 'mysql') {
        const conn = await mysql.createConnection(MYSQL_ADMIN_URL);
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await conn.end();
      } else {
        for (const f of [sqlitePath, `${sqlitePath}-wal`, `${sqlitePath}-shm`]) fs.rmSync(f, { force: true });
      }
    },
  };
}

/** A valid mainland mobile number, unique enough within a test file. */
let phoneSeq = 0;
export function newPhone(): string {
  phoneSeq++;
  return `139${String(process.pid % 1000).padStart(3, '0')}${String(phoneSeq).padStart(5, '0')}`;
}

/** A valid 18-character ID number (checksum computed) for a birthday. */
export function makeIdNumber(birth = '19900307', area = '110101', seq = '123'): string {
  const first17 = `${area}${birth}${seq}`;
  return first17 + idCheckChar(first17);
}

export function customerInput(overrides: Record<string, unknown> = {}) {
  return { name: '测试客户', phone: newPhone(), channel: 'douyin', city: '杭州', loanAmountFen: 50000000, loanTermMonths: 36, collateral: 'house', monthlyIncomeFen: 2000000, ...overrides };
}
