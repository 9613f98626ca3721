// Start-up shared by the server and the CLI: validated config, database, migrations, demo data.
import { ConfigError, loadConfig, type Config } from '../../config';
import { buildDeps } from './app';
import { migrateUp } from './db/migrator';
import { seedDemo } from '../../sql/seeds/demo';
import type { Deps } from './deps';

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`\n${err.message}\n\nSee README.md → Configuration.`);
      process.exit(1);
    }
    throw err;
  }
}

export async function boot(opts: { seed?: boolean } = {}): Promise<Deps> {
  const config = loadConfigOrExit();
  const deps = buildDeps(config);
  await migrateUp(deps.db.sequelize, deps.log);
  if (opts.seed ?? config.demoData) {
    const r = await seedDemo(deps);
    if (r.seeded) deps.log.info('demo data seeded');
  }
  return deps;
}
