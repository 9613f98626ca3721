// The jobs admin (C35): every bot job with schedule and last run (time, duration, outcome,
// summary); 立即运行 runs under the job's lease (409 while another run holds it), through the bot
// handle when the bot runs in this process; admins only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { attachBotHandle, createJobsService } from '../../server/src/modules/jobs/jobs.service';
import { BOT_JOBS } from '../../bot/src/jobs';

let app: TestApp;
let admin: Client;

beforeAll(async () => {
  app = await createTestApp();
  admin = await app.loginAs('王敏');
});
afterAll(async () => app?.close());

describe('jobs admin', () => {
  it('lists every bot job with its schedule; admins only', async () => {
    const res = await admin.get('/api/v1/admin/jobs');
    expect(res.status).toBe(200);
    expect(res.body.map((j: { name: string }) => j.name)).toEqual(BOT_JOBS.map((j) => j.name));
    expect(res.body.find((j: { name: string }) => j.name === 'ladder')).toMatchObject({ title: '跟进阶梯扫描', schedule: '*/15 * * * *', lastRunAt: null, running: false });
    expect((await (await app.loginAs('吴婷')).get('/api/v1/admin/jobs')).status).toBe(403);
    expect((await (await app.loginAs('张伟')).post('/api/v1/admin/jobs/ladder/run')).status).toBe(403);
  });

  it('runs a job now and records when, how long, the outcome and its summary', async () => {
    const res = await admin.post('/api/v1/admin/jobs/ladder/run');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'ladder', lastOutcome: 'ok', running: false });
    expect(res.body.lastResult).toMatch(/^跟进阶梯:/);
    expect(res.body.lastDurationMs).toBeGreaterThanOrEqual(0);
    expect(Date.now() - Date.parse(res.body.lastRunAt)).toBeLessThan(60_000);
  });

  it('409 JOB_RUNNING while another instance holds the lease; 404 for an unknown job', async () => {
    const { JobLease } = app.deps.db.models;
    await JobLease.update({ owner: 'other-instance', leaseUntil: new Date(Date.now() + 60_000) }, { where: { name: 'ladder' } });
    const before = await JobLease.findByPk('ladder', { raw: true });
    const res = await admin.post('/api/v1/admin/jobs/ladder/run');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('JOB_RUNNING');
    expect(await JobLease.findByPk('ladder', { raw: true })).toEqual(before);
    expect((await admin.get('/api/v1/admin/jobs')).body.find((j: { name: string }) => j.name === 'ladder').running).toBe(true);
    await JobLease.update({ owner: null, leaseUntil: null }, { where: { name: 'ladder' } });
    expect((await admin.post('/api/v1/admin/jobs/nope/run')).status).toBe(404);
  });

  it('a failing job is recorded as an error with its message', async () => {
    const failing = { name: 'test-failing', schedule: () => null, leaseMs: 60_000, run: async () => { throw new Error('数据库不可用'); } };
    const r = await createJobsService(app.deps, [failing]).runNow('test-failing');
    expect(r).toMatchObject({ lastOutcome: 'error', lastResult: 'error: 数据库不可用', running: false });
  });

  it('goes through the bot handle when the bot runs in this process', async () => {
    const calls: string[] = [];
    attachBotHandle(app.deps, { runJob: async (name) => (calls.push(name), false) });
    const res = await admin.post('/api/v1/admin/jobs/approval-sla/run');
    expect(calls).toEqual(['approval-sla']);
    expect(res.status).toBe(409); // the handle said another run holds the lease
  });
});
