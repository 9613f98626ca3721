// npm run reports:rebuild: recomputes the report rollups from the raw tables, in batches
// (after an import that bypassed the domain events, an org move, or to check them).
// Run while writes are quiet: changes committed during the rebuild may be missed.
import { boot } from '../boot';
import { createRollupService } from '../modules/reports/rollup.service';

const deps = await boot({ seed: false });
const started = Date.now();
let last = 0;
const counts = await createRollupService(deps).rebuild({
  batch: Number(process.env.REPORTS_REBUILD_BATCH ?? 2000),
  onProgress: (what, done) => {
    if (Date.now() - last < 2000) return;
    last = Date.now();
    console.log(`  ${what}: ${done.toLocaleString('en')} …`);
  },
});
console.log(`report rollups rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s (${deps.db.dialect}):`, counts);
await deps.db.close();
