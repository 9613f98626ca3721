// npm run seed: migrates, then fills an empty database with the demo organisation and customers.
import { boot } from '../boot';

const deps = await boot({ seed: true });
console.log('demo data ready');
await deps.db.close();
