// npm run migrate: applies pending migrations to the configured database (SQLite or MySQL).
import { boot } from '../boot';

const deps = await boot({ seed: false });
console.log(`migrations applied (${deps.db.dialect})`);
await deps.db.close();
