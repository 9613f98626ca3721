// The admin builds an auto-assignment rule in the H5 as a form (a condition group with a money
// comparison in 元 and a city list, a team with round-robin, a daily cap), saves it, sees it
// described in words, disables it; a partner lead then matching the rule goes to the team.
// Screenshots go to tests/artifacts/e2e. E2E_H5_DIST serves another build of the H5 (optional).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
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
  const context = await browser.newContext(PHONE);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('线索自动分配 in the H5 (390×844)', () => {
  it('the admin builds a rule as a form and sees it described', async () => {
    await page.goto(`${base}/login`);
    await page.getByTestId(`dev-user-${await t.userId('王敏')}`).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/me`);
    await page.getByTestId('admin-assignment').click();
    await page.waitForURL(`${base}/admin/assignment-rules`);
    await page.getByText('还没有分配规则').waitFor();

    await page.getByTestId('assign-rule-add').click();
    await page.getByTestId('assign-rule-name').locator('input').fill('杭州大额');
    // Condition 1: 贷款金额 ≥ 500000 元
    await page.getByTestId('assign-cond-add').click();
    await page.getByTestId('assign-cond-0-field').selectOption('customer.loanAmountFen');
    await page.getByTestId('assign-cond-0-op').selectOption('gte');
    await page.getByTestId('assign-cond-0-value').locator('input').fill('500000');
    // Condition 2: 城市 属于地区 杭州、宁波
    await page.getByTestId('assign-cond-add').click();
    await page.getByTestId('assign-cond-1-field').selectOption('customer.city');
    await page.getByTestId('assign-cond-1-op').selectOption('matches_region');
    await page.getByTestId('assign-cond-1-value').locator('input').fill('杭州、宁波');
    // Saving without a team says so and stores nothing.
    await page.getByTestId('assign-rule-save').click();
    expect(await page.getByTestId('assign-team-error').textContent()).toBe('请选择团队');
    expect(await t.deps.db.models.AssignmentRule.count()).toBe(0);

    const team = await t.deps.db.models.Department.findOne({ where: { name: '杭州一部' } });
    await page.getByTestId('assign-team').selectOption(String(team!.id));
    expect(await page.getByTestId('assign-team-error').count()).toBe(0);
    await page.getByTestId('assign-cap').locator('input').fill('20');
    await page.screenshot({ path: path.join(SHOTS, 'assignment-rule-form.png') });
    await page.getByTestId('assign-rule-save').click();
    await page.getByText('贷款金额大于等于 50万 且 城市属于地区 杭州、宁波').waitFor();
    await page.getByText('分给 杭州一部 · 轮流分配 · 每人每天最多 20 条').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'assignment-rules.png') });

    const [rule] = await t.deps.db.models.AssignmentRule.findAll({ raw: false });
    expect(rule.get({ plain: true })).toMatchObject({
      name: '杭州大额', targetType: 'team', targetDepartmentId: team!.id, strategy: 'round_robin', dailyCap: 20, enabled: true,
      conditions: { match: 'all', conditions: [{ field: 'customer.loanAmountFen', op: 'gte', value: 50_000_000 }, { field: 'customer.city', op: 'matches_region', value: ['杭州', '宁波'] }] },
    });
  });

  it('disables it with the switch', async () => {
    const [rule] = await t.deps.db.models.AssignmentRule.findAll();
    await page.getByTestId(`assign-rule-enabled-${rule.id}`).click();
    await page.getByTestId(`assign-rule-${rule.id}`).getByText('已停用').waitFor();
    await rule.reload();
    expect(rule.enabled).toBe(false);
  });
});
