// Opens the database: MySQL when DATABASE_URL is set, otherwise the embedded SQLite file.
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, Sequelize, Transaction } from 'sequelize';
import type { Config } from '../../../config';
import { defineModels, type Models } from './models';
import type { Sql } from './sql';

export interface Db {
  sequelize: Sequelize;
  dialect: 'mysql' | 'sqlite';
  models: Models;
  /** Runs fn in a transaction (serialised on SQLite, which allows one writer at a time). */
  transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  /**
   * Runs one hand-written SELECT and returns its rows as plain objects (columns typed as Sequelize
   * types them). For hot read paths: on MySQL it borrows a connection from Sequelize's pool and
   * queries it directly, skipping the per-query work of Model.findAll and sequelize.query.
   */
  select<T>(q: Sql): Promise<T[]>;
  close(): Promise<void>;
}

/** A tiny FIFO mutex: SQLite has one writer, so its transactions queue in-process instead of failing busy. */
function createMutex() {
  let tail: Promise<void> = Promise.resolve();
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const prev = tail;
    let release!: () => void;
    tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}

/** The part of a mysql2 connection (as Sequelize's pool hands it out) that select uses. */
interface PooledConnection {
  query(opts: { sql: string; values: unknown[]; typeCast: TypeCast }, cb: (err: Error | null, rows: unknown) => void): void;
  format(sql: string, values: unknown[]): string;
}
type TypeCast = (field: { type: string; string(): string | null }, next: () => unknown) => unknown;
interface ConnectionManager {
  getConnection(opts: { type: 'SELECT' }): Promise<PooledConnection>;
  releaseConnection(c: PooledConnection): void;
}

/**
 * Column types as findAll({ raw: true }) returns them: DATE as its 'YYYY-MM-DD' text (Sequelize's
 * DATEONLY), everything else by mysql2 itself with the connection's options (time zone +00:00, big
 * numbers). mysql2 parses DATETIME straight from the wire to the same Date that Sequelize's own cast
 * makes through a time-zone lookup and Date-from-string, at a fraction of the cost.
 */
const typeCast: TypeCast = (field, next) => (field.type === 'DATE' ? field.string() : next());

/** Db.select on MySQL. The SQL is logged where Sequelize logs its own (dev logging, the benchmark's capture). */
function mysqlSelect(sequelize: Sequelize) {
  const { connectionManager: pool, options } = sequelize as unknown as { connectionManager: ConnectionManager; options: { logging?: unknown } };
  return async <T>(q: Sql): Promise<T[]> => {
    const conn = await pool.getConnection({ type: 'SELECT' });
    try {
      const log = options.logging;
      if (typeof log === 'function') log(`Executing (default): ${conn.format(q.text, q.params)}`);
      return await new Promise<T[]>((resolve, reject) => conn.query({ sql: q.text, values: q.params, typeCast }, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
    } finally {
      pool.releaseConnection(conn);
    }
  };
}

export function createDb(config: Pick<Config, 'db'>, opts: { logging?: boolean } = {}): Db {
  const { db } = config;
  let sequelize: Sequelize;
  if (db.dialect === 'mysql') {
    sequelize = new Sequelize(db.url, {
      dialect: 'mysql',
      logging: opts.logging ? console.log : false,
      timezone: '+00:00',
      pool: { max: db.poolMax, min: 0, idle: 10_000, acquire: 30_000 },
      dialectOptions: { supportBigNumbers: true, bigNumberStrings: false, charset: 'utf8mb4', dateStrings: false },
      define: { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    });
  } else {
    const file = db.sqlitePath === ':memory:' ? ':memory:' : path.resolve(db.sqlitePath);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    sequelize = new Sequelize({
      dialect: 'sqlite',
      storage: file,
      logging: opts.logging ? console.log : false,
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
    sequelize.addHook('afterConnect', async (conn: unknown) => {
      const c = conn as { run(sql: string, cb: (err: Error | null) => void): void; configure(o: 'busyTimeout', ms: number): void };
      c.configure('busyTimeout', 10_000);
      for (const sql of ['PRAGMA journal_mode = WAL', 'PRAGMA foreign_keys = ON', 'PRAGMA synchronous = NORMAL']) {
        await new Promise<void>((res, rej) => c.run(sql, (err) => (err ? rej(err) : res())));
      }
    });
  }
  const models = defineModels(sequelize);
  const serial = db.dialect === 'sqlite' ? createMutex() : null;
  return {
    sequelize,
    dialect: db.dialect,
    models,
    transaction: (fn) => (serial ? serial(() => sequelize.transaction(fn)) : sequelize.transaction(fn)),
    select: db.dialect === 'mysql' ? mysqlSelect(sequelize) : <T>(q: Sql) => sequelize.query(q.text, { replacements: q.params, type: QueryTypes.SELECT, raw: true }) as Promise<T[]>,
    close: () => sequelize.close(),
  };
}
