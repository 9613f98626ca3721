import { defineConfig } from 'vitest/config';

// Integration tests run twice: against MySQL (MariaDB here) and against the embedded SQLite.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'mysql', include: ['tests/integration/**/*.test.ts'], env: { TEST_DB: 'mysql' } } },
      { extends: true, test: { name: 'sqlite', include: ['tests/integration/**/*.test.ts'], env: { TEST_DB: 'sqlite' } } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});
