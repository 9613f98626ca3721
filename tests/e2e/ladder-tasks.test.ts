// 我的待办 on the 工作台, the 待补充资料 toggle, and the admin's 定时任务 / 跟进阶梯 pages in the H5
// (390×844). Screenshots go to tests/artifacts/e2e. E2E_H5_DIST serves another build of the H5.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, type TestApp } from '../helpers/test-app';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { H5_DIST } from '../../server/src/app';
import { h5Static } from '../../server/src/http/static';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';

const DIST = process.env.E2E_H5_DIST ?? H5_DIST;

let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let page: Page;
let customerId: number;
let taskId: number;

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp();
  const zw = await t.loginAs('张伟');
  customerId = (await zw.post('/api/v1/customers', customerInput({ name: '钱多多' }))).body.id;
  await t.deps.db.models.Customer.update({ nextFollowUpDate: shanghaiDate() }, { where: { id: customerId } });
  const lead = await t.loginAs('吴婷');
  const res = await lead.post('/api/v1/tasks', { userId: await t.userId('张伟'), title: '补充收入证明', customerId, dueAt: new Date(Date.now() - 60_000).toISOString() });
  expect(res.status).toBe(201);
  taskId = res.body.id;
  const h5 = new Koa().use(h5Static(DIST)).callback();
  server = http.createServer((req, res) => (req.url?.startsWith('/api/') ? t.server(req, res) : h5(req, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  const context = await browser.newContext(PHONE);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

async function loginAs(name: string) {
  await page.context().clearCookies();
  await page.goto(`${base}/login`);
  await page.getByTestId(`dev-user-${await t.userId(name)}`).click();
  await page.waitForURL(`${base}/`);
}

describe('ladder and tasks in the H5 (390×844)', () => {
  it('the officer sees 我的待办 grouped, completes the lead’s task and marks a customer 待补充资料', async () => {
    await loginAs('张伟');
    const overdue = page.getByTestId('tasks-overdue');
    await overdue.getByText('补充收入证明').waitFor();
    await page.getByTestId('tasks-today').getByText('跟进 钱多多').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'workbench-tasks.png') });
    await overdue.getByRole('button', { name: '完成' }).click();
    await overdue.getByText('补充收入证明').waitFor({ state: 'detached' });
    expect((await t.deps.db.models.Task.findByPk(taskId))!.status).toBe('done');

    await page.getByTestId('tasks-today').getByText('跟进 钱多多').click();
    await page.waitForURL(`${base}/customers/${customerId}`);
    await page.getByTestId('sub-status').click();
    await page.getByTestId('sub-status').getByText('待补充资料 ✓').waitFor();
    expect((await t.deps.db.models.Customer.findByPk(customerId))!.subStatus).toBe('awaiting_docs');
  });

  it('the admin runs the ladder job now and sees its outcome; the ladder steps are a form', async () => {
    await loginAs('王敏');
    await page.goto(`${base}/me`);
    await page.getByTestId('admin-jobs').click();
    await page.waitForURL(`${base}/admin/jobs`);
    const job = page.getByTestId('job-ladder');
    await job.getByText('未运行').waitFor();
    await job.getByRole('button', { name: '立即运行' }).click();
    await job.getByText('成功').waitFor();
    await job.getByText(/^跟进阶梯:/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'admin-jobs.png') });
    expect((await t.deps.db.models.JobLease.findByPk('ladder'))!.lastOutcome).toBe('ok');

    await page.goto(`${base}/admin/ladder`);
    const step = page.getByTestId('ladder-step-idle-7');
    await step.waitFor();
    await step.locator('.van-stepper__plus').click(); // 7 → 8 business days
    await step.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存').waitFor();
    expect((await t.deps.db.models.LadderStep.findOne({ where: { code: 'idle-7' } }))!.waitValue).toBe(8);
    await page.screenshot({ path: path.join(SHOTS, 'admin-ladder.png') });
  });
});
