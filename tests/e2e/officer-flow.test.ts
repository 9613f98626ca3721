// A loan officer's day in the H5 app, in Debian's Chromium at a phone viewport:
// dev sign-in, register a customer, find it by phone tail, add a follow-up, and see the
// duplicate warning when the same phone is typed again. Screenshots go to tests/artifacts/e2e.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newPhone, type TestApp } from '../helpers/test-app';
import { H5_DIST } from '../../server/src/app';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';


let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let page: Page;

async function shot(name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp();
  server = http.createServer(t.server);
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

describe('officer flow in the H5 app (390×844)', () => {
  const phone = newPhone();

  it('signs in as an officer through the dev sign-in page', async () => {
    const zhangId = await t.userId('张伟');
    await page.goto(`${base}/login`);
    await page.getByTestId(`dev-user-${zhangId}`).click();
    await page.waitForURL(`${base}/`);
    await page.getByText('今日待跟进').first().waitFor();
    await shot('01-workbench');
  });

  it('registers a customer in one form', async () => {
    await page.getByTestId('new-customer').first().click();
    await page.getByTestId('f-name').locator('input').fill('测试王五');
    await page.getByTestId('f-phone').locator('input').fill(phone);
    await page.getByTestId('f-city').locator('input').fill('杭州');
    await page.getByTestId('channel-douyin').click();
    await page.getByTestId('f-amount').locator('input').fill('800000');
    await page.getByTestId('f-income').locator('input').fill('30000');
    await shot('02-new-customer');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/customers\/\d+$/);
    await page.getByText('测试王五').first().waitFor();
    const row = await t.deps.db.models.Customer.findOne({ where: { name: '测试王五' } });
    expect(row?.ownerId).toBe(await t.userId('张伟'));
    expect(Number(row?.loanAmountFen)).toBe(80_000_000);
    expect(Number(row?.monthlyIncomeFen)).toBe(3_000_000);
    await shot('03-customer-detail');
  });

  it('adds a follow-up from the customer page', async () => {
    await page.getByTestId('add-follow-up').first().click();
    await page.getByTestId('fu-content').locator('textarea').fill('电话沟通,客户下周带房产证来面签');
    await shot('04-follow-up');
    await page.getByTestId('fu-save').click();
    await page.getByTestId('follow-up-item').filter({ hasText: '下周带房产证' }).first().waitFor();
    const c = await t.deps.db.models.Customer.findOne({ where: { name: '测试王五' } });
    expect(await t.deps.db.models.FollowUp.count({ where: { customerId: c!.id } })).toBe(1);
    expect(c!.lastFollowUpAt).not.toBeNull();
    await shot('05-follow-up-saved');
  });

  it('finds the customer by the last 4 digits of the phone', async () => {
    await page.goto(`${base}/customers`);
    await page.getByTestId('customer-search').locator('input').fill(phone.slice(-4));
    await page.getByTestId('customer-search').locator('input').press('Enter');
    const item = page.getByTestId('customer-item').filter({ hasText: '测试王五' });
    await item.first().waitFor();
    expect(await page.getByTestId('customer-item').count()).toBe(1);
    await shot('06-search-by-tail');
  });

  it('warns about a duplicate as soon as the same phone is typed', async () => {
    await page.goto(`${base}/customers/new`);
    await page.getByTestId('f-phone').locator('input').fill(phone);
    await page.getByTestId('f-phone').locator('input').blur();
    const warning = page.getByTestId('dup-warning');
    await warning.waitFor();
    const text = await warning.innerText();
    expect(text).toMatch(/已被 张伟 于 \d{4}-\d{2}-\d{2} 登记/);
    expect(text).not.toContain(phone);
    await shot('07-duplicate-warning');
  });
});
