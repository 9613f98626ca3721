// 催收 and 返佣 in the H5 (390×844): the overdue list by bucket, a loan's records, recording a call
// with a promise to pay, write-off as finance, and the statements page with its export link.
// Screenshots go to tests/artifacts/e2e. E2E_H5_DIST serves another build of the H5.
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
import { insertLoan, setStage } from '../helpers/collections';
import { createOverdueService } from '../../server/src/modules/collections/overdue.service';

const DIST = process.env.E2E_H5_DIST ?? H5_DIST;
const today = shanghaiDate();

let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let page: Page;
let worst: number;

async function overdueLoan(name: string, daysLate: number, principalFen: number, channel = 'douyin') {
  const zw = await t.loginAs('张伟');
  const id = (await zw.post('/api/v1/customers', customerInput({ name, channel }))).body.id as number;
  await setStage(t, id, 'repaying');
  const per = Math.round(principalFen / 3);
  return insertLoan(t, {
    customerId: id, principalFen: per * 3, disbursedOn: addDays(today, -daysLate - 30), penaltyDailyRatePpm: 500,
    installments: [
      { dueOn: addDays(today, -daysLate), principalFen: per, interestFen: 30_000 },
      { dueOn: addDays(today, -daysLate + 30), principalFen: per, interestFen: 30_000 },
      { dueOn: addDays(today, -daysLate + 60), principalFen: per, interestFen: 30_000 },
    ],
  });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp();
  const finance = await t.loginAs('孙丽');
  await finance.post('/api/v1/commissions/rules', { name: '抖音渠道 1.2%', beneficiary: 'channel', channel: 'douyin', kind: 'percent', ratePpm: 12_000, clawbackMonths: 6, validFrom: '2026-01-01' });
  await finance.post('/api/v1/commissions/rules', { name: '百度阶梯', beneficiary: 'channel', channel: 'baidu', kind: 'tiered', tiers: [{ minVolumeFen: 0, ratePpm: 8_000 }, { minVolumeFen: 100_000_000, ratePpm: 10_000 }], validFrom: '2026-01-01' });
  worst = await overdueLoan('周大福', 95, 30_000_000);
  await overdueLoan('陈小春', 45, 12_000_000, 'baidu');
  await overdueLoan('李明', 12, 6_000_000);
  await overdueLoan('王芳', 3, 9_000_000, 'baidu');
  await createOverdueService(t.deps).run();
  const zw = await t.loginAs('张伟');
  await zw.post(`/api/v1/collections/loans/${worst}/records`, { action: 'phone', result: '客户接听,称生意周转困难', promiseDate: addDays(today, 3), promiseAmountFen: 500_000, nextActionOn: addDays(today, 4) });
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

describe('催收 and 返佣 in the H5 (390×844)', () => {
  it('the officer opens 催收 from 我的, filters by bucket, records a call with a promise', async () => {
    await loginAs('张伟');
    await page.goto(`${base}/me`);
    await page.getByTestId('me-collections').click();
    await page.waitForURL(`${base}/collections`);
    await page.getByTestId(`overdue-${worst}`).getByText('M3+ · 95天').waitFor();
    await page.getByTestId('overdue-summary').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'collections.png') });
    await page.getByTestId('bucket-M2').click();
    await page.getByText('陈小春').waitFor();
    await page.getByText('周大福').waitFor({ state: 'detached' });
    await page.getByTestId('bucket-M2').click(); // back to all
    await page.getByTestId(`overdue-${worst}`).click();
    await page.waitForURL(`${base}/collections/loans/${worst}`);
    await page.getByText('客户接听,称生意周转困难').waitFor();
    await page.getByTestId('add-record').click();
    await page.getByTestId('action-visit').click();
    await page.getByTestId('collection-submit').click();
    await page.getByText('请填写催收结果').waitFor(); // validated before sending
    await page.getByTestId('collection-result').locator('textarea').fill('上门见到本人,答应下周先还一期');
    await page.getByTestId('promise-toggle').click();
    await page.getByTestId('promise-date-3days').click();
    await page.getByTestId('promise-amount').locator('input').fill('3100.50');
    await page.getByTestId('collection-form').screenshot({ path: path.join(SHOTS, 'collection-record-form.png') });
    await page.getByTestId('collection-submit').click();
    await page.getByText('上门见到本人,答应下周先还一期').waitFor();
    const recs = await t.deps.db.models.CollectionRecord.findAll({ where: { loanId: worst }, order: [['id', 'ASC']], raw: true });
    expect(recs.map((r) => [r.action, Number(r.promiseAmountFen), r.promiseDate])).toEqual([['phone', 500_000, addDays(today, 3)], ['visit', 310_050, addDays(today, 3)]]);
    await page.screenshot({ path: path.join(SHOTS, 'collection-loan.png'), fullPage: true });
    expect(await page.getByTestId('write-off').count()).toBe(0); // an officer may not write off
  });

  it('finance writes the loan off and reads the month’s 返佣对账单', async () => {
    await loginAs('孙丽');
    await page.goto(`${base}/collections/loans/${worst}`);
    await page.getByTestId('write-off').click();
    await page.getByTestId('write-off-reason').locator('textarea').fill('客户失联,逾期超过 90 天');
    await page.getByRole('button', { name: '确认核销' }).click();
    await page.getByTestId('write-off').waitFor({ state: 'detached' });
    await page.getByTestId('loan-summary').getByText('已核销').waitFor();
    expect((await t.deps.db.models.Loan.findByPk(worst))!.status).toBe('written_off');

    await page.goto(`${base}/me`);
    await page.getByTestId('me-commission-rules').click();
    await page.getByText('抖音渠道 1.2%').waitFor();
    await page.getByTestId('add-rule').click();
    await page.getByTestId('rule-submit').click();
    await page.getByText('请填写规则名称').waitFor(); // checked by the server's schema before sending
    await page.getByTestId('rule-name').locator('input').fill('信贷员每笔 300 元');
    await page.getByTestId('rule-beneficiary-officer').click();
    await page.getByTestId('rule-kind-fixed').click();
    await page.getByTestId('rule-fixed').locator('input').fill('300');
    await page.getByTestId('commission-rule-form').screenshot({ path: path.join(SHOTS, 'commission-rule-form.png') });
    await page.getByTestId('rule-submit').click();
    await page.getByText('信贷员每笔 300 元').waitFor();
    const created = await t.deps.db.models.CommissionRule.findOne({ where: { name: '信贷员每笔 300 元' }, raw: true });
    expect(created).toMatchObject({ beneficiary: 'officer', kind: 'fixed', channel: null });
    expect(Number(created!.fixedFen)).toBe(30_000);
    await page.screenshot({ path: path.join(SHOTS, 'commission-rules.png') });
    await page.goto(`${base}/me`);
    await page.getByTestId('me-commission-statements').click();
    // Loans were disbursed in earlier months: step back until a statement shows.
    for (let i = 0; i < 5 && !(await page.getByTestId('statement-baidu').count()); i++) {
      await page.getByTestId('month-prev').click();
      await page.waitForTimeout(400);
    }
    await page.getByTestId('statement-baidu').click();
    await page.getByTestId('statement-detail').waitFor();
    const href = await page.getByTestId('statement-export').getAttribute('href');
    expect(href).toMatch(/\/api\/v1\/commissions\/statements\/channel\/baidu\/export\?period=\d{4}-\d{2}$/);
    const res = await page.request.get(`${base}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('spreadsheetml');
    await page.screenshot({ path: path.join(SHOTS, 'commission-statement.png') });
  });
});
