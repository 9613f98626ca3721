// 请假与休假 in the H5 (390×844): a team lead opens it from 我的, sees their own team only, puts an
// officer on leave for today with a note (the badge shows 休假中), and the admin's 员工与离职交接
// list shows the same badge. Screenshots go to tests/artifacts/e2e.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
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

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp();
  const h5 = new Koa().use(h5Static(DIST)).callback();
  server = http.createServer((req, res) => (req.url?.startsWith('/api/') ? t.server(req, res) : h5(req, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await (await browser.newContext(PHONE)).newPage();
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

describe('staff leave in the H5', () => {
  it('a team lead puts an officer of their team on leave today; the admin sees it on the staff list', async () => {
    await loginAs('吴婷');
    await page.goto(`${base}/me`);
    await page.getByTestId('staff-leave').click();
    await page.waitForURL(`${base}/staff/leave`);
    const zw = await t.userId('张伟');
    await page.getByTestId(`leave-${zw}`).waitFor();
    expect(await page.getByText('何丹').count()).toBe(0); // another team
    await page.getByTestId(`leave-${zw}`).click();
    await page.getByTestId('leave-switch').click();
    await page.getByTestId('leave-today').click();
    await page.getByTestId('leave-note').locator('input').fill('年假');
    await page.screenshot({ path: path.join(SHOTS, 'staff-leave-sheet.png') });
    await page.getByTestId('leave-save').click();
    const today = shanghaiDate().slice(5);
    await page.getByTestId(`leave-tag-${zw}`).getByText(`休假中 ${today}`).waitFor();
    await page.getByTestId('leave-sheet').waitFor({ state: 'hidden' });
    await page.screenshot({ path: path.join(SHOTS, 'staff-leave.png') });
    const u = (await t.deps.db.models.User.findByPk(zw, { raw: true }))!;
    expect(u).toMatchObject({ leaveFrom: shanghaiDate(), leaveUntil: shanghaiDate(), leaveNote: '年假' });
    expect(!!u.onLeave).toBe(true);

    await loginAs('王敏');
    await page.goto(`${base}/admin/staff`);
    await page.getByTestId(`staff-${zw}`).getByText(`休假中 ${today}`).waitFor();
  });
});
