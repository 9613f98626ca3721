// npm run bench -- [--customers 100000] [--reseed] [seed and load options]
// Seeds the benchmark database when it is missing, when --reseed is given, or when the last seed
// of that database had a different --customers; then runs the load. Arguments go to both scripts.
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { dbName, intArg, LAST_SEED_FILE, MYSQL_ADMIN_URL, parseArgs } from './common';
import { seed } from './seed';
import { load } from './load';

const argv = process.argv.slice(2);
const args = parseArgs(argv);
const db = dbName(args);

async function needsSeed(): Promise<string | null> {
  if (args.reseed) return '--reseed';
  const conn = await mysql.createConnection(MYSQL_ADMIN_URL);
  try {
    const [rows] = await conn.query('SHOW DATABASES LIKE ?', [db]);
    if ((rows as unknown[]).length === 0) return `database ${db} is missing`;
    const [tables] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [db, 'customers']);
    if (Number((tables as { n: number }[])[0].n) === 0) return `database ${db} has no customers table`;
  } finally {
    await conn.end();
  }
  if (args.customers !== undefined && fs.existsSync(LAST_SEED_FILE)) {
    const side = (JSON.parse(fs.readFileSync(LAST_SEED_FILE, 'utf8')) as Record<string, { customers: number } | undefined>)[db];
    const wanted = intArg(args, 'customers', 100_000);
    if (side && side.customers !== wanted) return `${db} holds ${side.customers} seeded customers, ${wanted} asked for`;
  }
  return null;
}

try {
  const why = await needsSeed();
  if (why) {
    console.log(`seeding: ${why}`);
    await seed(argv);
  } else {
    console.log(`using the existing database ${db} (pass --reseed to rebuild it)`);
  }
  await load(argv);
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
