// 短信 in the H5 (390×844): the officer sees a customer's reminder SMS with status and provider
// answer on the customer page and switches the customer's SMS off (confirmed, then 已退订); the admin
// opens 我的 → 短信, sees the provider and templates, filters by status and resends a message whose
// number was fixed. Screenshots go to tests/artifacts/e2e (copied to docs/screenshots for the README).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, type TestApp } from '../helpers/test-app';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { H5_DIST } from '../../server/src/app';
import { h5Static } from '../../server/src/http/static';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';
import { seedLoan } from '../helpers/sms';
import { createSmsService } from '../../server/src/modules/sms/sms.service';
import { createSmsReminders } from '../../server/src/modules/sms/sms.reminders';

const DIST = process.env.E2E_H5_DIST ?? H5_DIST;

let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let page: Page;
let customerId: number;
let invalidId: number;

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp();
  const zw = await t.loginAs('张伟');
  const owner = await t.userId('张伟');
  customerId = (await zw.post('/api/v1/customers', customerInput({ name: '孙悦' }))).body.id;
  const other = (await zw.post('/api/v1/customers', customerInput({ name: '周航' }))).body.id;
  const today = shanghaiDate();
  await seedLoan(t, customerId, owner, [{ dueOn: addDays(today, 3) }, { dueOn: addDays(today, 33) }]);
  await seedLoan(t, other, owner, [{ dueOn: addDays(today, -1), status: 'overdue' }]);
  const sms = createSmsService(t.deps);
  await createSmsReminders(t.deps, sms).scan();
  await sms.sendDue({ now: Date.parse(`${today}T10:00:00+08:00`) }); // the console provider: 已提交
  // 周航's overdue SMS was refused as an invalid number; the number has since been corrected.
  const { SmsMessage, SmsCustomer } = t.deps.db.models;
  const row = (await SmsMessage.findOne({ where: { customerId: other } }))!;
  await row.update({ status: 'invalid', provider: 'aliyun', providerCode: 'isv.MOBILE_NUMBER_ILLEGAL', providerMessage: '非法手机号', sentAt: null });
  await SmsCustomer.update({ smsInvalidPhoneHash: 'f'.repeat(64) }, { where: { id: other } });
  invalidId = Number(row.id);
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

describe('SMS in the H5 (390×844)', () => {
  it('the officer sees the reminder on the customer page and switches the customer’s SMS off', async () => {
    await loginAs('张伟');
    await page.goto(`${base}/customers/${customerId}`);
    await page.locator('.van-tab', { hasText: '短信' }).click();
    const box = page.getByTestId('customer-sms');
    await expect.poll(() => box.innerText()).toContain('还款提醒');
    const text = await box.innerText();
    expect(text).toContain('已提交');
    expect(text).toContain('孙悦您好,您的贷款第1期应还 1,234.56 元将于');
    expect(text).toContain('控制台模式,未实际发送');
    await page.waitForTimeout(500); // the tab's swipe animation
    await page.screenshot({ path: path.join(SHOTS, 'sms-customer.png') });
    // The same message is on the customer's 历史 timeline with its status and the provider's answer.
    await page.locator('.van-tab', { hasText: '历史' }).click();
    const hist = page.getByTestId('sms-history-item').first();
    await expect.poll(() => hist.innerText().catch(() => '')).toContain('还款提醒');
    expect(await hist.innerText()).toContain('已提交');
    expect(await hist.innerText()).toContain('控制台模式,未实际发送');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, 'sms-history.png') });
    await page.locator('.van-tab', { hasText: '短信' }).click();
    await page.getByTestId('sms-opt-in').click();
    await page.locator('.van-dialog__confirm').click();
    await expect.poll(() => box.innerText()).toContain('客户已退订,不再发送');
    expect((await t.deps.db.models.SmsCustomer.findByPk(customerId, { raw: true }))!.smsOptOut).toBeTruthy();
  });

  it('the admin opens 短信 from 我的, filters 号码无效 and resends the fixed one', async () => {
    await loginAs('王敏');
    await page.goto(`${base}/me`);
    await page.getByTestId('admin-sms').click();
    await page.waitForURL(`${base}/admin/sms`);
    await expect.poll(() => page.getByTestId('sms-settings').innerText()).toContain('控制台(不实际发送)');
    expect(await page.getByTestId('sms-settings').innerText()).toContain('09:00-20:00');
    await expect.poll(() => page.getByTestId(`admin-sms-${invalidId}`).innerText()).toContain('号码无效');
    await page.screenshot({ path: path.join(SHOTS, 'sms-admin.png'), fullPage: true });
    await page.getByTestId('sms-filters').locator('.van-dropdown-menu__item').nth(1).click();
    await page.locator('.van-dropdown-item__option', { hasText: '号码无效' }).click();
    await expect.poll(() => page.locator('[data-testid^="admin-sms-"]').count()).toBe(1);
    await page.getByTestId(`resend-${invalidId}`).click();
    await expect.poll(() => page.getByTestId(`admin-sms-${invalidId}`).innerText()).toContain('待发送');
    expect((await t.deps.db.models.SmsMessage.findByPk(invalidId, { raw: true }))!.status).toBe('queued');
  });
});
