import { defineConfig } from 'vitest/config';

// Integration tests run twice: against MySQL (MariaDB here) and against the embedded SQLite.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Most of a test's time is spent waiting on MariaDB, HTTP and Chromium, so three forks on a
    // 2-core box (vitest's default there is one) more than halve the suite's wall time.
    maxWorkers: 3,
    minWorkers: 1,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'mysql', include: ['tests/integration/**/*.test.ts'], env: { TEST_DB: 'mysql' } } },
      { extends: true, test: { name: 'sqlite', include: ['tests/integration/**/*.test.ts'], env: { TEST_DB: 'sqlite' } } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});
