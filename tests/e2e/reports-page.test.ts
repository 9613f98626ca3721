// The 数据 page and the report builder in the H5 at phone size (390×844): a team lead opens 数据
// from the tab bar, opens a drill-down, builds a report (officer × count, bar chart), shares it
// with the team and finds it on 我的看板. Screenshots go to tests/artifacts/e2e.
// E2E_H5_DIST serves another build of the H5.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customerInput, type TestApp } from '../helpers/test-app';
import { rows } from '../helpers/fixtures';
import { disburseLoan, pay } from '../helpers/loans';
import { formatFen } from '../../server/src/contracts/money';
import type { ApplicationsReport, LoansReport } from '../../server/src/contracts/reports';
import { H5_DIST } from '../../server/src/app';
import { h5Static } from '../../server/src/http/static';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { dashboardUrl } from '../../server/src/modules/reports/summary/summary.render';

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
  // A small book for the lead's team (杭州一部) and one customer of another team.
  const book: [string, string, string][] = [
    ['张伟', 'douyin', '杭州'], ['张伟', 'douyin', '杭州'], ['张伟', 'baidu', '宁波'], ['张伟', 'referral', '杭州'],
    ['刘洋', 'douyin', '杭州'], ['刘洋', 'street', '绍兴'], ['黄静', 'baidu', '杭州'], ['何丹', 'douyin', '杭州'],
  ];
  for (const [who, channel, city] of book) {
    const res = await (await t.loginAs(who)).post('/api/v1/customers', customerInput({ channel, city }));
    expect(res.status).toBe(201);
  }
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

/** The words an ECharts SVG draws (axis labels, legend), read from its <text> nodes. */
const svgTexts = (scope: ReturnType<Page['locator']>) => scope.locator('svg text').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));

async function loginAs(name: string) {
  await page.context().clearCookies();
  await page.goto(`${base}/login`);
  await page.getByTestId(`dev-user-${await t.userId(name)}`).click();
  await page.waitForURL(`${base}/`);
}

describe('数据 page and report builder (390×844)', () => {
  it('a team lead opens 数据 from the tab bar: period and scope pickers, KPI cards, funnel, trend, leaderboard', async () => {
    await loginAs('吴婷');
    await page.getByTestId('tab-data').click();
    await page.waitForURL(`${base}/data`);
    await page.getByTestId('kpi-cards').waitFor();
    for (const id of ['period-chips', 'funnel', 'trend', 'leaderboard', 'kpi-new', 'kpi-disbursed']) await expect(page.getByTestId(id).isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('period-month').getAttribute('class')).resolves.toContain('active');
    // The scope picker offers the lead's own team's people only.
    await page.getByTestId('scope-picker').waitFor();
    await page.getByTestId('scope-picker').locator('.van-dropdown-menu__item').last().click();
    const people = await page.locator('.van-dropdown-item__option:visible').allInnerTexts();
    expect(people.map((s) => s.trim())).toEqual(expect.arrayContaining(['全部人员', '张伟', '刘洋', '黄静']));
    expect(people.join()).not.toContain('何丹');
    await page.locator('.van-dropdown-item__option:visible').first().click();
    await page.getByTestId('period-week').click();
    await expect(page.getByTestId('period-week').getAttribute('class')).resolves.toContain('active');
    await page.getByTestId('period-month').click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'data-page.png') });
    await page.screenshot({ path: path.join(SHOTS, 'data-page-full.png'), fullPage: true });
  });

  it('a number opens the list behind it', async () => {
    await page.getByTestId('kpi-new').click();
    await page.waitForURL(/\/data\/drill\?metric=new_customers/);
    await page.getByTestId('drill-page').waitFor();
    await page.locator('[data-testid="drill-item"], [data-testid="state-empty"], [data-testid="state-error"]').first().waitFor();
    expect(await page.getByTestId('state-error').count()).toBe(0);
    await expect(page.locator('.van-nav-bar__title').innerText()).resolves.toBe('新增客户');
    // The lead's seven new customers (not 何丹's), stages in words.
    await expect(page.getByTestId('drill-total').innerText()).resolves.toContain('共 7 条');
    const first = await page.getByTestId('drill-item').first().innerText();
    expect(first).toContain('线索');
    expect(first).not.toMatch(/\blead\b/);
    await page.screenshot({ path: path.join(SHOTS, 'data-drill.png') });
    await page.goBack();
    await page.getByTestId('kpi-cards').waitFor();
  });

  it('the daily summary\'s link (/data?from=<day>&to=<day>) opens 数据 on that day, and 返回 from a drill keeps the period', async () => {
    const today = shanghaiDate();
    const yesterday = addDays(today, -1);
    // Yesterday: a custom range, and none of today's seven customers.
    await page.goto(`${base}${dashboardUrl(yesterday)}`);
    await page.getByTestId('kpi-cards').waitFor();
    await expect(page.getByTestId('period-custom').getAttribute('class')).resolves.toContain('active');
    await expect(page.getByTestId('period-custom').innerText()).resolves.toBe(`${yesterday.slice(5)} 至 ${yesterday.slice(5)}`);
    await expect.poll(() => page.getByTestId('kpi-new').innerText()).toMatch(/(^|\D)0(\D|$)/);
    // Today: the 今天 chip lights up and the numbers are today's.
    await page.goto(`${base}${dashboardUrl(today)}`);
    await page.getByTestId('kpi-cards').waitFor();
    await expect(page.getByTestId('period-today').getAttribute('class')).resolves.toContain('active');
    await expect.poll(() => page.getByTestId('kpi-new').innerText()).toMatch(/(^|\D)7(\D|$)/);
    // The drill-down behind it uses the same day; 返回 comes back to the same day.
    await page.getByTestId('kpi-new').click();
    await page.waitForURL(new RegExp(`/data/drill\\?.*from=${today}&to=${today}`));
    await expect(page.getByTestId('drill-total').innerText()).resolves.toContain('共 7 条');
    await page.goBack();
    await page.getByTestId('kpi-cards').waitFor();
    await expect(page.getByTestId('period-today').getAttribute('class')).resolves.toContain('active');
    // A week picked on the page is written back to the URL, so 返回 and a shared link keep it.
    await page.getByTestId('period-week').click();
    await page.waitForURL(/\/data\?from=\d{4}-\d{2}-\d{2}&to=/);
    // A mangled link falls back to 本月 rather than an error.
    await page.goto(`${base}/data?from=2026-13-45&to=x`);
    await page.getByTestId('kpi-cards').waitFor();
    await expect(page.getByTestId('period-month').getAttribute('class')).resolves.toContain('active');
    expect(await page.getByTestId('state-error').count()).toBe(0);
  });

  it('builds a report (officer × customers, bar), previews it in the lead’s scope and shares it to 我的看板', async () => {
    await page.getByTestId('link-builder').click();
    await page.waitForURL(`${base}/data/builder`);
    await page.getByTestId('ds-customers').click();
    await page.getByTestId('dim-channel').click(); // the default dimension off…
    await page.getByTestId('dim-officer').click(); // …officer on
    await page.getByTestId('measure-distinct-channel').click();
    await page.getByTestId('chart-bar').click();
    await page.getByTestId('preview').click();
    await page.getByTestId('preview-result').locator('svg').first().waitFor();
    await expect(page.getByTestId('preview-result').innerText()).resolves.toContain('范围:杭州一部');
    // The bar chart names the lead's officers and nobody from another team.
    const svgText = await svgTexts(page.getByTestId('preview-result'));
    expect(svgText).toEqual(expect.arrayContaining(['张伟', '刘洋', '黄静']));
    expect(svgText).not.toContain('何丹');
    await page.getByTestId('preview-result').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'report-builder-preview.png') });

    // A table shows the exact numbers.
    await page.getByTestId('chart-table').click();
    await page.getByTestId('preview').click();
    await page.getByTestId('report-table').waitFor();
    const table = await page.getByTestId('report-table').innerText();
    expect(table).toMatch(/张伟\s+4\s+3/);
    expect(table).toMatch(/刘洋\s+2\s+2/);
    await page.getByTestId('chart-bar').click();

    await page.getByTestId('report-name').locator('input').fill('团队新客户(按人)');
    await page.getByTestId('vis-shared').click();
    await page.getByTestId('save-report').click();
    await page.waitForURL(`${base}/data/dashboards`);
    const card = page.getByTestId('dashboard-card').filter({ hasText: '团队新客户(按人)' });
    await card.locator('svg').first().waitFor();
    await expect(card.getByTestId('tag-shared').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'dashboards.png') });

    // 编辑 reopens the builder with the saved choices and previews it.
    await card.getByText('编辑').click();
    await page.waitForURL(/\/data\/builder\?id=\d+/);
    await page.getByTestId('preview-result').locator('svg').first().waitFor();
    await expect(page.getByTestId('report-name').locator('input').inputValue()).resolves.toBe('团队新客户(按人)');
    await expect(page.getByTestId('dim-officer').getAttribute('class')).resolves.toContain('active');
    await expect(page.getByTestId('vis-shared').getAttribute('class')).resolves.toContain('active');
    await page.goBack();
    await page.waitForURL(`${base}/data/dashboards`);

    const saved = await rows(t, 'SELECT name, visibility, shared_department_id FROM saved_reports');
    const [dept] = await rows(t, "SELECT id FROM departments WHERE name = '杭州一部'");
    expect(saved).toEqual([{ name: '团队新客户(按人)', visibility: 'shared', shared_department_id: dept.id }]);
  });

  it('an officer reaches 数据 from 我的 (no tab) and sees the shared report in their own scope', async () => {
    await loginAs('张伟');
    expect(await page.getByTestId('tab-data').count()).toBe(0);
    await page.getByTestId('tab-me').click();
    await page.getByTestId('me-data').click();
    await page.waitForURL(`${base}/data`);
    await page.getByTestId('link-dashboards').click();
    await page.locator('.van-tab', { hasText: '共享给我' }).click();
    const card = page.getByTestId('dashboard-card').filter({ hasText: '团队新客户(按人)' });
    await card.locator('svg').first().waitFor();
    const names = await svgTexts(card);
    expect(names).toContain('张伟');
    expect(names).not.toContain('刘洋');
  });
  it('渠道ROI: a team lead sees the month\'s channels (no entry); the director enters a channel\'s cost and sees cost per lead and ROI', async () => {
    await loginAs('吴婷');
    await page.getByTestId('tab-data').click();
    await page.getByTestId('link-channel-costs').click();
    await page.waitForURL(`${base}/data/channel-costs`);
    const douyin = page.getByTestId('cost-row-douyin');
    await douyin.waitFor();
    // The lead's team brought three 抖音 leads (何丹's is another team's).
    await expect(douyin.innerText()).resolves.toContain('线索 3');
    await expect(douyin.getByTestId('cost').innerText()).resolves.toBe('月费用 未录入');
    expect(await page.getByTestId('enter-cost-douyin').count()).toBe(0);
    await expect(douyin.getByTestId('roi').innerText()).resolves.toBe('投产比 —'); // a team's leads against the company's spend would mislead

    await loginAs('陈刚');
    await page.goto(`${base}/data/channel-costs`);
    await page.getByTestId('cost-row-douyin').waitFor();
    await expect(page.getByTestId('cost-row-douyin').innerText()).resolves.toContain('线索 4');
    await page.getByTestId('enter-cost-douyin').click();
    await page.getByTestId('cost-amount').locator('input').fill('12.345');
    await page.getByTestId('cost-save').click();
    await expect(page.getByTestId('cost-editor').innerText()).resolves.toContain('最多两位小数');
    await page.getByTestId('cost-amount').locator('input').fill('300');
    await page.getByTestId('cost-save').click();
    await expect.poll(() => page.getByTestId('cost-row-douyin').getByTestId('cost').innerText()).toBe('月费用 300.00元');
    // The running month counts the cost for the days gone by (300 元 × day ÷ days in the month).
    const today = shanghaiDate();
    const days = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 0)).getUTCDate();
    const toDate = Math.round((30_000 * Number(today.slice(8, 10))) / days);
    const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}元`;
    const row = await page.getByTestId('cost-row-douyin').innerText();
    expect(row).toContain(`折算至今 ${yuan(toDate)}`);
    expect(row).toContain(`单条线索 ${yuan(Math.round(toDate / 4))}`);
    expect(row).toContain('投产比 1:0.00'); // nothing disbursed yet: 0 ÷ cost
    await page.locator('.van-toast').waitFor({ state: 'hidden' });
    await page.locator('.van-overlay').first().waitFor({ state: 'hidden' });
    await page.screenshot({ path: path.join(SHOTS, 'channel-costs.png') });
    const month = (await rows(t, 'SELECT channel, month, cost_fen FROM channel_costs')) as { channel: string; month: string; cost_fen: number | string }[];
    expect(month.map((r) => [r.channel, r.month, Number(r.cost_fen)])).toEqual([['douyin', shanghaiDate().slice(0, 7), 30_000]]);
  });
  it('the director\'s 数据: the whole company\'s numbers, and each card equals the drill-down behind it', async () => {
    await loginAs('陈刚');
    await page.goto(`${base}/data`);
    await page.getByTestId('kpi-cards').waitFor();
    await expect.poll(() => page.getByTestId('kpi-new').innerText()).toMatch(/^8\s/);
    await page.getByTestId('kpi-new').click();
    await page.waitForURL(/\/data\/drill\?metric=new_customers/);
    await expect.poll(() => page.getByTestId('drill-total').innerText()).toContain('共 8 条');
    // Phones masked as the director's lists show them (reveal on the customer); stages in words.
    const first = await page.getByTestId('drill-item').first().innerText();
    expect(first).toMatch(/\d{3}\*{4}\d{4}/);
    expect(first).toContain('线索');
    await page.goBack();
    await page.getByTestId('funnel-leads').click();
    await expect.poll(() => page.getByTestId('drill-total').innerText()).toContain('共 8 条');
  });

  it('the director\'s 数据 shows 进件与审批 and 贷后 with the API\'s numbers for the period (docs/screenshots/35)', async () => {
    // One application approved through two nodes and disbursed, with a partial payment today.
    const loan = await disburseLoan(t);
    expect((await pay(t, loan.id, 12_345)).status).toBe(201);
    await loginAs('陈刚');
    // Last month and this one so far (two months, so the month chart draws), spelled out in the link.
    const today = shanghaiDate();
    const period = { from: `${addDays(`${today.slice(0, 8)}01`, -1).slice(0, 8)}01`, to: today };
    await page.goto(`${base}/data?from=${period.from}&to=${period.to}`);
    const director = await t.loginAs('陈刚');
    const apps = (await director.get('/api/v1/reports/applications').query(period)).body as ApplicationsReport;
    const loans = (await director.get('/api/v1/reports/loans').query(period)).body as LoansReport;
    expect(apps.totals.approved).toBeGreaterThanOrEqual(1);
    expect(loans.months.length).toBe(2);
    expect(loans.months.some((m) => m.receivedFen >= 12_345)).toBe(true);

    const a = page.getByTestId('applications');
    await a.waitFor();
    await expect.poll(() => a.getByTestId('app-submitted').innerText()).toContain(String(apps.totals.submitted));
    await expect(a.getByTestId('app-approved').innerText()).resolves.toContain(String(apps.totals.approved));
    await expect(a.getByTestId('app-rejected').innerText()).resolves.toContain(String(apps.totals.rejected));
    const pct = (ppm: number | null) => (ppm === null ? '—' : `${(ppm / 10_000).toFixed(1)}%`);
    await expect(a.getByTestId('app-pass-rate').innerText()).resolves.toContain(pct(apps.totals.passRatePpm));
    await expect(a.getByTestId('app-cycle').innerText()).resolves.toContain(apps.cycle.avgDays === null ? '—' : `${apps.cycle.avgDays} 天`);
    const productRows = await a.getByTestId('app-by-product').getByTestId('app-row').allInnerTexts();
    expect(productRows.length).toBe(apps.byProduct.length);
    apps.byProduct.forEach((r, i) => expect(productRows[i].replace(/\s+/g, ' ')).toContain(`${r.label} ${r.submitted} ${r.approved} ${r.rejected} ${pct(r.passRatePpm)}`));
    const nodeRows = await a.getByTestId('node-row').allInnerTexts();
    expect(nodeRows.length).toBe(apps.nodes.length);
    expect(nodeRows.length).toBeGreaterThanOrEqual(1);
    apps.nodes.forEach((n, i) => expect(nodeRows[i]).toContain(n.nodeName));

    const l = page.getByTestId('loans-after');
    const monthRows = await l.getByTestId('month-row').allInnerTexts();
    expect(monthRows.length).toBe(loans.months.length);
    loans.months.forEach((m, i) => {
      for (const fen of [m.receivableFen, m.receivedFen, m.overdueFen]) expect(monthRows[i]).toContain(formatFen(fen));
    });
    const overdue = loans.buckets.filter((b) => b.bucket !== 'current');
    expect(await l.getByTestId('bucket-row').count()).toBe(overdue.length);

    await l.locator('svg').first().waitFor();
    await a.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    // Both sections at phone width, one picture (they are a little taller than the 844 px screen).
    const top = (await a.boundingBox())!;
    const bottom = (await l.boundingBox())!;
    const scrollY = await page.evaluate(() => window.scrollY);
    await page.screenshot({ path: path.join(SHOTS, '35-data-applications-loans.png'), fullPage: true, clip: { x: 0, y: top.y + scrollY - 8, width: PHONE.viewport.width, height: bottom.y + bottom.height - top.y + 16 } });
    fs.mkdirSync('docs/screenshots', { recursive: true });
    fs.copyFileSync(path.join(SHOTS, '35-data-applications-loans.png'), 'docs/screenshots/35-data-applications-loans.png');
    await page.screenshot({ path: path.join(SHOTS, '35-data-applications-loans-full.png'), fullPage: true });

    // The month's 实收 opens the payments behind it, same total; 通过 opens the approved applications.
    const last = loans.months[loans.months.length - 1];
    await l.getByTestId('month-row').last().getByTestId('month-receivedFen').click();
    await page.waitForURL(/\/data\/drill\?metric=loans\.received/);
    const received = (await director.get('/api/v1/reports/drill').query({ ...period, metric: 'loans.received', dim: 'month', key: last.month })).body as { total: number };
    await expect.poll(() => page.getByTestId('drill-total').innerText()).toContain(`共 ${received.total} 条`);
    await page.goBack();
    await page.getByTestId('applications').getByTestId('app-approved').click();
    await page.waitForURL(/\/data\/drill\?metric=applications\.approved/);
    await expect.poll(() => page.getByTestId('drill-total').innerText()).toContain(`共 ${apps.totals.approved} 条`);
  });
});
