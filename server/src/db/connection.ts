// Opens the database: MySQL when DATABASE_URL is set, otherwise the embedded SQLite file.
import fs from 'node:fs';
import path from 'node:path';
import { Sequelize, Transaction } from 'sequelize';
import type { Config } from '../../../config';
import { defineModels, type Models } from './models';

export interface Db {
  sequelize: Sequelize;
  dialect: 'mysql' | 'sqlite';
  models: Models;
  /** Runs fn in a transaction (serialised on SQLite, which allows one writer at a time). */
  transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
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
    close: () => sequelize.close(),
  };
}
