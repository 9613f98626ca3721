// Clicks through the H5 app in Debian's Chromium at 390×844 and saves screenshots.
// Usage: BASE=http://localhost:3100 OUT=/tmp/h5shots npx tsx h5/scripts/screenshots.ts
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { parseIdNumber } from '../../server/src/contracts/identity';

const BASE = process.env.BASE ?? 'http://localhost:3100';
const OUT = process.env.OUT ?? '/tmp/h5shots';
fs.mkdirSync(OUT, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

/** A valid, most likely unregistered resident ID number. */
function freshId(): string {
  const first17 = `3301061988${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}1${Math.floor(Math.random() * 9)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  return [...'0123456789X'].map((c) => first17 + c).find((id) => !('problem' in parseIdNumber(id)))!;
}

async function phone(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await ctx.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log('  [console]', m.text()));
  page.on('pageerror', (e) => console.log('  [pageerror]', e.message));
  return page;
}
const shot = async (page: Page, name: string, fullPage = false) => {
  await page.waitForTimeout(350);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
  console.log('shot', name);
};
async function login(page: Page, name: string) {
  await page.goto(`${BASE}/login`);
  await page.locator('[data-testid^="dev-user-"]', { hasText: name }).first().click();
  await page.waitForURL(`${BASE}/`);
}

// A phone already registered, seen in plain by the admin.
const admin = await (await browser.newContext()).request;
await admin.post(`${BASE}/api/v1/auth/dev-login`, { data: { userId: 1 }, headers: { 'X-Requested-With': 'XMLHttpRequest' } });
const existing = (await (await admin.get(`${BASE}/api/v1/customers?limit=1`)).json()).items[0];
console.log('existing customer', existing.name, existing.phone);

const page = await phone();
await page.goto(`${BASE}/login`);
await page.getByTestId('dev-user-11').waitFor();
await shot(page, '00-login', true);
await login(page, '张伟');
await page.getByText('今日待跟进').first().waitFor();
await shot(page, '01-workbench');
await shot(page, '01b-workbench-full', true);

await page.getByTestId('tab-customers').click();
await page.getByTestId('customer-item').first().waitFor();
await shot(page, '02-customers');
const mine = (await page.getByTestId('customer-item').first().innerText()).match(/\d{3}\*\*\*\*(\d{4})/)?.[1] ?? '0000';
await page.getByTestId('customer-search').locator('input').fill(mine);
await page.getByTestId('customer-search').locator('input').press('Enter');
await page.waitForTimeout(800);
await shot(page, '03-search-tail');
await page.getByTestId('customer-search').locator('input').fill('');
await page.getByTestId('filter-stage').click().catch(() => page.locator('.van-dropdown-menu__item').first().click());
await shot(page, '03b-filter-stage');
await page.keyboard.press('Escape');
await page.goto(`${BASE}/pool`);
await page.waitForTimeout(800);
await shot(page, '04-pool');

await page.goto(`${BASE}/customers/new`);
await page.getByTestId('submit').click();
await page.waitForTimeout(300);
await shot(page, '05a-new-empty-submit');
await page.evaluate(() => window.scrollTo(0, 0));
await page.getByTestId('f-phone').locator('input').fill(existing.phone);
await page.getByTestId('f-phone').locator('input').blur();
await page.getByTestId('dup-warning').waitFor();
await shot(page, '05-new-dup');
const fresh = `139${String(Date.now()).slice(-8)}`;
await page.getByTestId('f-name').locator('input').fill('截图王五');
await page.getByTestId('f-phone').locator('input').fill(fresh);
await page.getByTestId('f-idNumber').locator('input').fill(freshId());
await page.getByTestId('f-city').locator('input').fill('杭州');
await page.getByTestId('channel-douyin').click();
await page.getByTestId('f-amount').locator('input').fill('800000');
await page.getByTestId('term-36').click();
await page.getByTestId('collateral-house').click();
await page.getByTestId('f-income').locator('input').fill('30000');
await shot(page, '06-new-filled', true);
await page.getByTestId('submit').click();
await page.waitForURL(/\/customers\/\d+$/);
await page.getByTestId('customer-name').waitFor();
await shot(page, '07-detail');
await page.getByTestId('reveal-phone').click();
await page.waitForTimeout(500);
await shot(page, '07b-detail-revealed');

await page.getByTestId('add-follow-up').click();
await page.getByTestId('fu-content').locator('textarea').fill('电话沟通,客户下周带房产证来面签');
await shot(page, '08-follow-up');
await page.getByTestId('fu-save').click();
await page.getByTestId('follow-up-item').first().waitFor();
await shot(page, '09-follow-up-saved');

await page.getByTestId('edit-customer').click();
await page.getByTestId('amount-500000').click();
await shot(page, '09b-edit');
await page.getByTestId('submit').click();
await page.waitForURL(/\/customers\/\d+$/);
await page.getByTestId('customer-name').waitFor();
await shot(page, '09c-after-edit');
await page.getByTestId('change-stage').click();
await shot(page, '10-stage-sheet');
await page.locator('.van-action-sheet__item', { hasText: '意向' }).click();
await page.getByTestId('stage-reason').locator('textarea').fill('客户确认需求');
await shot(page, '11-stage-reason');
await page.locator('.van-dialog__confirm:visible').click();
await page.waitForTimeout(800);
await page.locator('.van-tab', { hasText: '历史' }).click();
await page.getByTestId('stage-history-item').first().waitFor();
await shot(page, '12-history');

await page.getByTestId('release').click();
await page.locator('.chip', { hasText: '暂无贷款需求' }).click();
await shot(page, '12b-release');
await page.locator('.van-dialog__confirm:visible').click();
await page.getByTestId('claim').waitFor();
await shot(page, '12c-in-pool');
await page.getByTestId('claim').click();
await page.locator('.van-dialog__confirm:visible').click();
await page.getByTestId('add-follow-up').waitFor();
await shot(page, '12d-claimed');
await page.goto(`${BASE}/pool`);
await page.locator('[data-testid^="claim-"]').first().click();
await page.locator('.van-dialog__confirm:visible').click();
await page.waitForTimeout(600);
await shot(page, '12e-pool-claimed');

await page.goto(`${BASE}/me`);
await page.getByTestId('logout').waitFor();
await shot(page, '13-me');
await page.goto(`${BASE}/approvals`);
await shot(page, '14-approvals');

// Team lead: assign sheet.
const lead = await phone();
await login(lead, '吴婷');
await lead.goto(`${BASE}/customers`);
await lead.getByTestId('customer-item').first().click();
await lead.getByTestId('assign').click();
await lead.locator('[data-testid^="assignee-"]').first().waitFor();
await shot(lead, '15-assign');

// Admin: staff and transfer.
const adm = await phone();
await login(adm, '王敏');
await adm.goto(`${BASE}/admin/staff`);
await adm.getByTestId('staff-18').waitFor();
await shot(adm, '16-staff');
await adm.getByTestId('staff-18').click();
await adm.locator('[data-testid^="receiver-"]').first().waitFor();
await shot(adm, '17-transfer');

// Desktop browser: the app as a centred column.
const desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })).newPage();
await desk.goto(`${BASE}/login`);
await desk.locator('[data-testid^="dev-user-"]', { hasText: '张伟' }).first().click();
await desk.waitForURL(`${BASE}/`);
await desk.getByText('今日待跟进').first().waitFor();
await shot(desk, '18-desktop-workbench');
await desk.goto(`${BASE}/customers/${existing.id}`).catch(() => {});
await desk.goto(`${BASE}/customers`);
await desk.getByTestId('customer-item').first().click();
await desk.getByTestId('add-follow-up').click();
await shot(desk, '19-desktop-follow-up');

await browser.close();
