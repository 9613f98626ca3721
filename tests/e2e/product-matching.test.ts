// 匹配产品 in the H5 at phone size (390×844): on the customer page the qualified products best
// first and, unfolded, the others with their failed conditions; in the application form a
// product is picked from the match. Screenshots go to tests/artifacts/e2e.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, makeIdNumber, type TestApp } from '../helpers/test-app';
import { H5_DIST } from '../../server/src/app';
import { h5Static } from '../../server/src/http/static';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';
import { DEMO_PRODUCTS } from '../../sql/seeds/demo-products';

const DIST = process.env.E2E_H5_DIST ?? H5_DIST;

let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let page: Page;
let customerId: number;

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp();
  const admin = await t.loginAs('王敏');
  for (const p of DEMO_PRODUCTS) expect((await admin.post('/api/v1/products', p)).status).toBe(201);
  const zw = await t.loginAs('张伟');
  const born = `${new Date().getUTCFullYear() - 35}0618`;
  const res = await zw.post('/api/v1/customers', customerInput({
    name: '钱多多', city: '杭州', collateral: 'house', loanAmountFen: 80_000_000, loanTermMonths: 36, monthlyIncomeFen: 1_500_000,
    idNumber: makeIdNumber(born, '330106', '521'), occupation: 'business_owner', creditStatus: 'good',
  }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  customerId = res.body.id;
  for (const to of ['intent', 'due_diligence']) expect((await zw.post(`/api/v1/customers/${customerId}/stage`, { to })).status).toBe(200);
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

describe('匹配产品 in the H5 (390×844)', () => {
  it('the customer page lists qualified products by rate and explains the others', async () => {
    await loginAs('张伟');
    await page.goto(`${base}/customers/${customerId}`);
    const box = page.getByTestId('product-matches');
    await box.scrollIntoViewIfNeeded();
    await expect.poll(() => box.getByTestId('match-item').count(), { timeout: 10_000 }).toBe(2);
    const names = await box.getByTestId('match-item').locator('.name').allTextContents();
    expect(names).toEqual(['杭银房易贷', '宁银经营快贷']); // 3.45 % before 3.9 %
    await box.getByTestId('toggle-others').click();
    await expect.poll(() => box.getByTestId('unmatched-item').count(), { timeout: 10_000 }).toBe(4); // the disabled 过桥贷 is not offered
    const others = await box.getByTestId('unmatched-item').allTextContents();
    expect(others.join('\n')).toContain('申请金额 800,000.00 元,高于产品最高额度 300,000.00 元');
    expect(others.join('\n')).toContain('抵押/担保方式为「房产」,要求为「车辆」');
    await box.screenshot({ path: path.join(SHOTS, 'product-matches.png') });
    await page.screenshot({ path: path.join(SHOTS, 'product-matches-page.png'), fullPage: false });
  });

  it('申请 on a matched product opens the application form with it picked; 选择 switches it', async () => {
    await page.goto(`${base}/customers/${customerId}`);
    const matches = page.getByTestId('product-matches');
    await matches.scrollIntoViewIfNeeded();
    await expect.poll(() => matches.getByTestId('match-item').count(), { timeout: 10_000 }).toBe(2);
    await matches.getByTestId('match-item').nth(1).locator('[data-testid^="apply-product-"]').click(); // 宁银经营快贷
    await page.waitForURL(/\/applications\/new\?customerId=\d+&productId=\d+/);
    await expect.poll(() => page.getByTestId('picked-product').textContent(), { timeout: 10_000 }).toContain('宁银经营快贷');
    const box = page.getByTestId('product-matches');
    await box.scrollIntoViewIfNeeded();
    await expect.poll(() => box.getByTestId('match-item').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await box.getByTestId('match-item').first().getByRole('button').click();
    await expect.poll(() => page.getByTestId('picked-product').textContent(), { timeout: 10_000 }).toContain('杭银房易贷');
    expect(await page.getByTestId('f-product').locator('input').inputValue()).toBe('杭银房易贷');
    await page.getByTestId('f-app-purpose').locator('input').fill('经营周转');
    await box.screenshot({ path: path.join(SHOTS, 'application-pick-product.png') });
    await page.getByTestId('save-draft').click();
    await page.waitForURL(/\/approvals\/\d+/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const [row] = (await t.deps.db.sequelize.query('SELECT product, product_id FROM applications WHERE id = ?', { replacements: [id], type: 'SELECT' })) as { product: string; product_id: number }[];
    expect(row.product).toBe('杭银房易贷');
    expect(Number(row.product_id)).toBeGreaterThan(0);
  });
});
