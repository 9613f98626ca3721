// A newcomer's tour of issue #6 on the full demo data (390×844): finance 放款 → the loan page →
// 登记还款 and 催收; an officer's customer → 匹配产品 → 申请; the customer's 历史 timeline with its
// SMS; admin 产品管理 and 短信. Screenshots go to tests/artifacts/e2e (demo-*.png).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { rows } from '../helpers/fixtures';
import { H5_DIST } from '../../server/src/app';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';
import { seedDemo } from '../../sql/seeds/demo';

const FILES = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-demo-tour-'));
let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;

async function shot(p: Page, name: string, fullPage = false) {
  await p.locator('.van-toast:visible, .van-overlay:visible').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  await p.waitForTimeout(400);
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

async function loginAs(name: string) {
  await ctx.clearCookies();
  await page.goto(`${base}/login`);
  await page.getByTestId(`dev-user-${await t.userId(name)}`).click();
  await page.waitForURL(`${base}/`);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp({ seed: false, env: { APPLICATION_FILES_DIR: FILES } });
  await seedDemo(t.deps, { customers: 300 });
  server = http.createServer(t.server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  ctx = await browser.newContext(PHONE);
  page = await ctx.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
  fs.rmSync(FILES, { recursive: true, force: true });
});

describe('the demo, as a newcomer clicks through it', () => {
  it('finance: 放款 from the signed contract → loan page → 登记还款', async () => {
    const [signed] = await rows(t, "SELECT application_id FROM contracts WHERE status = 'signed'");
    await loginAs('孙丽');
    await page.goto(`${base}/me`);
    await page.getByTestId('me-disburse').click();
    const item = page.getByTestId(`disbursable-${signed!.application_id}`);
    await expect.poll(() => item.isVisible(), { timeout: 15_000 }).toBe(true);
    await shot(page, 'demo-disburse-list');
    await item.click();
    await page.getByTestId('disb-lender-no').locator('input').fill('JJ2026112499001');
    await shot(page, 'demo-disburse-form');
    await page.getByTestId('disb-submit').click();
    await expect.poll(() => page.getByTestId('inst-1').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('loan-status').textContent()).toContain('还款中');
    await shot(page, 'demo-loan');
    await page.getByTestId('record-payment').click();
    await page.getByTestId('pay-amount').locator('input').fill('100');
    await shot(page, 'demo-payment-form');
    await page.getByTestId('pay-submit').click();
    await expect.poll(() => page.getByTestId('inst-1').textContent(), { timeout: 15_000 }).toContain('部分还款');
    await shot(page, 'demo-loan-paid');
  });

  it('finance: 贷款台账 and 催收 list the demo loans, the overdue ones on 催收', async () => {
    await page.goto(`${base}/loans`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('还款中');
    await shot(page, 'demo-loans');
    await page.goto(`${base}/collections`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toMatch(/M1|M2|M3/);
    await shot(page, 'demo-collections');
  });

  it('officer: a customer → 匹配产品 → 申请 opens 提交进件 with the product picked', async () => {
    // The first demo customer in 意向/尽调 for whom at least one catalogue product qualifies.
    const candidates = await rows(t, "SELECT c.id, u.name FROM customers c JOIN users u ON u.id = c.owner_id WHERE c.stage IN ('intent', 'due_diligence') AND u.role = 'officer' ORDER BY c.id");
    let c: (typeof candidates)[number] | undefined;
    for (const x of candidates) {
      const r = await (await t.loginAs(String(x.name))).get(`/api/v1/customers/${x.id}/product-matches`);
      if (r.body.qualifiedCount > 0) { c = x; break; }
    }
    expect(c, 'a demo customer with a matching product').toBeTruthy();
    await loginAs(String(c!.name));
    await page.goto(`${base}/customers/${c!.id}`);
    const box = page.getByTestId('product-matches');
    await expect.poll(() => box.isVisible(), { timeout: 15_000 }).toBe(true);
    await box.scrollIntoViewIfNeeded();
    await shot(page, 'demo-matches');
    const apply = box.locator('[data-testid^="apply-product-"]').first();
    await expect.poll(() => apply.isVisible(), { timeout: 15_000 }).toBe(true);
    await apply.click();
    await expect.poll(() => page.getByTestId('picked-product').textContent(), { timeout: 15_000 }).toBeTruthy();
    await shot(page, 'demo-apply');
  });

  it('the customer with SMS shows them on 短信 and on the 历史 timeline', async () => {
    const [m] = await rows(t, "SELECT s.customer_id, u.name FROM sms_messages s JOIN customers c ON c.id = s.customer_id JOIN users u ON u.id = c.owner_id WHERE s.status = 'sent' ORDER BY s.id LIMIT 1");
    await loginAs(String(m!.name));
    await page.goto(`${base}/customers/${m!.customer_id}`);
    await page.locator('.van-tab', { hasText: '历史' }).click();
    const item = page.getByTestId('sms-history-item').first();
    await expect.poll(() => item.innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/还款提醒|逾期提醒/);
    expect(await item.innerText()).toContain('已提交');
    await item.scrollIntoViewIfNeeded();
    await shot(page, 'demo-history-sms');
  });

  it('admin: 产品管理 and 短信', async () => {
    await loginAs('王敏');
    await page.goto(`${base}/admin/products`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toMatch(/银行|消费金融|小贷/);
    await shot(page, 'demo-admin-products');
    await page.goto(`${base}/admin/sms`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toMatch(/还款提醒|逾期提醒/);
    await shot(page, 'demo-admin-sms');
  });
});
