// 放款与还款 through the H5 in Debian's Chromium at a phone viewport: finance opens 我的 → 放款登记,
// picks an approved and signed application, fills the disbursement form, lands on the loan page
// with its schedule; records a partial payment; the customer page lists the loan. Screenshots go
// to tests/artifacts/e2e (copied to docs/screenshots for the README).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { rows } from '../helpers/fixtures';
import { approvedAndSigned } from '../helpers/loans';
import { H5_DIST } from '../../server/src/app';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';

let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let applicationId: number;
let customerId: number;

async function shot(p: Page, name: string) {
  await p.locator('.van-toast:visible, .van-overlay:visible').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  await p.waitForTimeout(350);
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp();
  server = http.createServer(t.server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ({ applicationId, customerId } = await approvedAndSigned(t, { amountFen: 20_000_000 }));
  await t.deps.db.sequelize.query("UPDATE customers SET name = '周晓明' WHERE id = ?", { replacements: [customerId] });
  browser = await launchChromium();
  ctx = await browser.newContext(PHONE);
  page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByTestId(`dev-user-${await t.userId('孙丽')}`).click();
  await page.waitForURL(`${base}/`);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('finance records a disbursement and a payment on the phone', () => {
  it('放款登记: the form creates the loan and its schedule', async () => {
    await page.goto(`${base}/me`);
    await page.getByTestId('me-disburse').click();
    await page.getByTestId(`disbursable-${applicationId}`).click();
    await page.getByTestId('disb-lender-no').locator('input').fill('JJ2026112400018');
    await page.getByTestId('disb-rate').locator('input').fill('');
    await page.getByTestId('disb-rate').locator('input').fill('7.2');
    await shot(page, '60-disburse-form');
    await page.getByTestId('disb-submit').click();
    await page.waitForURL(/\/loans\/\d+$/);
    await expect.poll(() => page.getByTestId('inst-36').isVisible(), { timeout: 15_000 }).toBe(true);
    const [loan] = await rows(t, 'SELECT id, principal_fen, annual_rate_ppm, term_months, lender_loan_no FROM loans WHERE application_id = ?', [applicationId]);
    expect(loan).toMatchObject({ annual_rate_ppm: 72_000, term_months: 36, lender_loan_no: 'JJ2026112400018' });
    expect(Number(loan!.principal_fen)).toBe(20_000_000);
    expect(await page.getByTestId('loan-status').textContent()).toContain('还款中');
    // 20万 at 7.2 % over 36 months: 6,193.72 a month (6,193.7244…); the first interest is 1,200.00.
    await expect.poll(() => page.getByTestId('inst-1').textContent(), { timeout: 15_000 }).toContain('1,200.00');
    expect(await page.getByTestId('inst-1').textContent()).toContain('4,993.72');
    await shot(page, '61-loan-schedule');
  });

  it('登记还款: a partial payment is allocated and shown in the ledger', async () => {
    await page.getByTestId('record-payment').click();
    await page.getByTestId('pay-amount').locator('input').fill('1000');
    await page.getByTestId('pay-submit').click();
    await expect.poll(async () => (await rows(t, "SELECT COUNT(*) AS n FROM loan_entries WHERE kind = 'payment'"))[0]!.n, { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('inst-1').textContent(), { timeout: 15_000 }).toContain('部分还款');
    const [entry] = await rows(t, "SELECT amount_fen, interest_fen, principal_fen FROM loan_entries WHERE kind = 'payment'");
    expect([Number(entry!.amount_fen), Number(entry!.interest_fen), Number(entry!.principal_fen)]).toEqual([100_000, 100_000, 0]);
    // More than the current installment is refused next to the amount.
    await page.getByTestId('record-payment').click();
    await page.getByTestId('pay-amount').locator('input').fill('100000');
    await page.getByTestId('pay-submit').click();
    await expect.poll(() => page.locator('.van-field__error-message').first().textContent(), { timeout: 15_000 }).toContain('最多可还');
    await shot(page, '62-payment-refused');
    await page.locator('.van-popup__close-icon').first().click();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await shot(page, '63-loan-ledger');
  });

  it('提前结清: the quote shows principal, accrued interest and what is waived', async () => {
    const [loan] = await rows(t, 'SELECT id FROM loans WHERE application_id = ?', [applicationId]);
    await page.goto(`${base}/loans/${loan!.id}`);
    await page.getByTestId('early-settle').click();
    await expect.poll(() => page.getByTestId('settle-quote').textContent(), { timeout: 15_000 }).toContain('结清金额');
    // Disbursed today: nothing has accrued, so today's settlement is the principal (the 1,000 元 of interest
    // already paid for the current period is kept, as the README states).
    expect(await page.getByTestId('settle-quote').textContent()).toContain('200,000.00');
    await shot(page, '64-settlement-quote');
    await page.locator('.van-popup__close-icon').first().click();
  });

  it('还款导入: a statement is previewed row by row, then imported', async () => {
    const [loan] = await rows(t, 'SELECT lender_loan_no FROM loans WHERE application_id = ?', [applicationId]);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('明细');
    ws.addRow(['借据号', '还款日期', '还款金额']);
    // Excel dates carry no zone: exceljs writes and reads them as UTC midnight of the calendar day.
    const today = new Date(`${shanghaiDate()}T00:00:00Z`);
    ws.addRow([loan!.lender_loan_no, today, 193.72]);
    ws.addRow(['JJ-UNKNOWN', today, 100]);
    const file = path.join(SHOTS, 'statement.xlsx');
    await wb.xlsx.writeFile(file);
    await page.goto(`${base}/me`);
    await page.getByTestId('me-import').click();
    await page.getByTestId('import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('import-summary').textContent(), { timeout: 15_000 }).toContain('1 行可导入');
    expect(await page.getByTestId('import-row-3').textContent()).toContain('找不到');
    await shot(page, '65-import-preview');
    await page.getByTestId('import-confirm').click();
    await expect.poll(() => page.getByTestId('import-done').textContent(), { timeout: 15_000 }).toContain('已导入 1 笔');
    expect(Number((await rows(t, "SELECT COUNT(*) AS n FROM loan_entries WHERE source = 'import'"))[0]!.n)).toBe(1);
  });

  it('the customer page lists the loan', async () => {
    await page.goto(`${base}/customers/${customerId}`);
    await expect.poll(() => page.getByTestId('customer-loans').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('customer-loans').textContent()).toContain('200,000.00');
  });
});
