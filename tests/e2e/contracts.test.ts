// 产品管理 and the 合同 card in the H5 at phone size (390×844): the admin edits a product's range
// (a crossed range is refused on the form, in Chinese), an officer generates the contract of an
// approved application and uploads the signed scan, and the team lead — a second person —
// confirms it; the customer is then 已签约. Screenshots go to tests/artifacts/e2e.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, makeIdNumber, type Client, type TestApp } from '../helpers/test-app';
import { H5_DIST } from '../../server/src/app';
import { h5Static } from '../../server/src/http/static';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';
import { DOCX_MIME } from '../../server/src/contracts/contracts';
import { sampleContractTemplate } from '../../sql/seeds/contract-template';

const DIST = process.env.E2E_H5_DIST ?? H5_DIST;
const FILES = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-contracts-'));

let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let page: Page;
let productId: number;
let applicationId: number;
let customerId: number;

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp({ env: { APPLICATION_FILES_DIR: FILES } });
  const admin = await t.loginAs('王敏');
  const p = await admin.post('/api/v1/products', {
    code: 'HZB-HOUSE', name: '杭银房易贷', lenderKind: 'bank', lenderName: '杭州银行', type: 'house', rateMinPpm: 34_500, rateMaxPpm: 48_000,
    termMinMonths: 12, termMaxMonths: 120, amountMinFen: 10_000_000, amountMaxFen: 500_000_000, repaymentMethods: ['equal_installment', 'equal_principal'],
    requiredDocuments: ['id_card', 'property'], eligibility: { match: 'all', conditions: [{ field: 'customer.collateral', op: 'eq', value: 'house' }] },
  });
  expect(p.status).toBe(201);
  productId = p.body.id;
  const tpl = await admin.agent.post(`/api/v1/products/${productId}/contract-templates?name=${encodeURIComponent('借款居间服务合同')}`).set('X-Requested-With', 'XMLHttpRequest').set('Content-Type', DOCX_MIME).send(sampleContractTemplate());
  expect(tpl.status).toBe(201);
  const zw = await t.loginAs('张伟');
  const c = await zw.post('/api/v1/customers', customerInput({ name: '孙晓梅', collateral: 'house', idNumber: makeIdNumber('19850310', '330106', '318') }));
  customerId = c.body.id;
  for (const to of ['intent', 'due_diligence']) expect((await zw.post(`/api/v1/customers/${customerId}/stage`, { to })).status).toBe(200);
  const app = await zw.post('/api/v1/applications', { customerId, productId, amountFen: 30_000_000, termMonths: 12, purpose: '经营周转', repaymentMethod: 'equal_installment', submit: true });
  expect(app.status, JSON.stringify(app.body)).toBe(201);
  applicationId = app.body.id;
  const approve = async (c: Client) => expect((await c.post(`/api/v1/applications/${applicationId}/decide`, { action: 'approve' })).status).toBe(200);
  await approve(await t.loginAs('吴婷'));
  await approve(await t.loginAs('李娜'));
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
  fs.rmSync(FILES, { recursive: true, force: true });
});

async function loginAs(name: string) {
  await page.context().clearCookies();
  await page.goto(`${base}/login`);
  await page.getByTestId(`dev-user-${await t.userId(name)}`).click();
  await page.waitForURL(`${base}/`);
}

describe('产品管理 and 合同 in the H5 (390×844)', () => {
  it('the admin edits a product; a crossed range is refused on the form', async () => {
    await loginAs('王敏');
    await page.goto(`${base}/me`);
    await page.getByTestId('admin-products').click();
    await page.waitForURL(`${base}/admin/products`);
    await expect.poll(() => page.getByTestId('product-item').count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'admin-products.png') });
    await page.getByTestId('product-item').first().click();
    await page.waitForURL(`${base}/admin/products/${productId}`);
    await expect.poll(() => page.getByTestId('p-rate-min').locator('input').inputValue(), { timeout: 10_000 }).toBe('3.45');
    expect(await page.getByTestId('template-item').count()).toBe(1);
    await page.getByTestId('p-amount-min').locator('input').fill('6000000'); // above the 500万 maximum
    await page.getByTestId('p-save').click();
    await expect.poll(() => page.locator('.van-toast').first().innerText().catch(() => ''), { timeout: 10_000 }).toContain('最高额度不能低于最低额度');
    await page.getByTestId('p-amount-min').locator('input').fill('200000');
    await page.getByTestId('p-save').click();
    await expect.poll(async () => Number((await t.deps.db.models.Product.findByPk(productId))!.amountMinFen), { timeout: 10_000 }).toBe(20_000_000);
    await page.screenshot({ path: path.join(SHOTS, 'admin-product-edit.png'), fullPage: true });
  });

  it('the officer generates the contract and uploads the scan; the team lead confirms; the customer is 已签约', async () => {
    await loginAs('张伟');
    await page.goto(`${base}/approvals/${applicationId}`);
    const card = page.getByTestId('contracts');
    await card.scrollIntoViewIfNeeded();
    await card.getByTestId('generate-contract').click();
    await expect.poll(() => card.getByTestId('contract-item').count(), { timeout: 10_000 }).toBe(1);
    expect(await card.getByTestId('contract-item').innerText()).toContain('待签署');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), card.getByTestId('upload-signed').click()]);
    await chooser.setFiles({ name: '签署件.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% scan\n'.repeat(20)) });
    await expect.poll(() => card.getByTestId('contract-item').innerText(), { timeout: 10_000 }).toContain('待确认');
    await page.locator('.van-toast').last().waitFor({ state: 'hidden' });
    await card.screenshot({ path: path.join(SHOTS, 'contract-awaiting.png') });

    await loginAs('吴婷');
    await page.goto(`${base}/approvals/${applicationId}`);
    await card.scrollIntoViewIfNeeded();
    page.once('dialog', () => undefined);
    await card.getByTestId('confirm-signed').click();
    await page.locator('.van-dialog__confirm').click();
    await expect.poll(() => card.getByTestId('contract-item').innerText(), { timeout: 10_000 }).toContain('已签署');
    await page.locator('.van-toast').last().waitFor({ state: 'hidden' });
    await card.screenshot({ path: path.join(SHOTS, 'contract-signed.png') });
    expect((await t.deps.db.models.Customer.findByPk(customerId))!.stage).toBe('signed');
  });
});
