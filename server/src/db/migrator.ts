// Schema migrations live in sql/migrations, one timestamped file per change, written against
// Sequelize's QueryInterface so the same file runs on SQLite and MySQL.
import path from 'node:path';
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';

export type MigrationContext = { queryInterface: QueryInterface; sequelize: Sequelize };

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../sql/migrations');

export function createMigrator(sequelize: Sequelize, logger?: { info(o: object, msg?: string): void }) {
  return new Umzug<MigrationContext>({
    migrations: {
      glob: ['*.ts', { cwd: MIGRATIONS_DIR, ignore: ['*.d.ts'] }],
      resolve: ({ name, path: file, context }) => ({
        name: name.replace(/\.ts$/, ''),
        up: async () => (await import(file!)).up(context),
        down: async () => (await import(file!)).down(context),
      }),
    },
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: logger ? { info: (m) => logger.info(m as object, 'migration'), warn: console.warn, error: console.error, debug: () => {} } : undefined,
  });
}

export async function migrateUp(sequelize: Sequelize, logger?: { info(o: object, msg?: string): void }) {
  return createMigrator(sequelize, logger).up();
}
