// An application through the H5 app in Debian's Chromium at a phone viewport: the officer opens
// 提交进件 from the customer page, fills the form, adds a photo and submits; the team lead sees it
// under 审批 → 待我审批 (with the badge), approves it, and the timeline shows who did what and when.
// Screenshots go to tests/artifacts/e2e.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { advanceTo, createCustomer } from '../helpers/fixtures';
import { H5_DIST } from '../../server/src/app';
import { SHOTS, PHONE, launchChromium } from '../helpers/browser';

const FILES = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-files-'));
let t: TestApp;
let server: http.Server;
let base: string;
let browser: Browser;
let officer: BrowserContext;
let lead: BrowserContext;
let page: Page;
let customerId: number;
let jpeg: Buffer; // a sample ID-card photo drawn by the browser (the server checks the bytes, not the name)
let applicationId: number;

async function shot(p: Page, name: string) {
  // Let toasts and closing popups finish first.
  await p.locator('.van-toast:visible, .van-overlay:visible').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  await p.waitForTimeout(350);
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

async function signIn(ctx: BrowserContext, name: string): Promise<Page> {
  const p = await ctx.newPage();
  await p.goto(`${base}/login`);
  await p.getByTestId(`dev-user-${await t.userId(name)}`).click();
  await p.waitForURL(`${base}/`);
  return p;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  t = await createTestApp({ env: { APPLICATION_FILES_DIR: FILES } });
  server = http.createServer(t.server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  const phone = PHONE;
  const painter = await browser.newPage();
  const dataUrl = await painter.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 428;
    c.height = 270;
    const g = c.getContext('2d')!;
    g.fillStyle = '#dbe8f5';
    g.fillRect(0, 0, c.width, c.height);
    g.fillStyle = '#1f3a5f';
    g.font = 'bold 26px sans-serif';
    g.fillText('居民身份证(示例)', 24, 52);
    g.font = '20px sans-serif';
    g.fillText('姓名 测试赵六', 24, 110);
    g.fillText('号码 110101********1234', 24, 150);
    return c.toDataURL('image/jpeg', 0.8);
  });
  jpeg = Buffer.from(dataUrl.split(',')[1], 'base64');
  await painter.close();
  officer = await browser.newContext(phone);
  lead = await browser.newContext(phone);
  // The customer exists and is at 已尽调 (registered and worked up earlier).
  const zhang = await t.loginAs('张伟');
  const c = await createCustomer(zhang, { name: '测试赵六', loanAmountFen: 80_000_000, loanTermMonths: 36, collateral: 'house', loanPurpose: '经营周转' });
  customerId = c.id;
  await advanceTo(zhang, c.id, ['intent', 'due_diligence']);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
  fs.rmSync(FILES, { recursive: true, force: true });
});

describe('an application through the H5 app (390×844)', () => {
  it('the officer opens 提交进件 from the customer page; the form starts from the customer’s loan needs', async () => {
    page = await signIn(officer, '张伟');
    await page.goto(`${base}/customers/${customerId}`);
    await page.getByTestId('new-application').click();
    await page.waitForURL(/\/applications\/new\?customerId=\d+/);
    await expect.poll(() => page.getByTestId('f-app-amount').locator('input').inputValue()).toBe('800000');
    expect(await page.getByTestId('f-product').locator('input').inputValue()).toBe('房抵贷');
  });

  it('fills the facts, takes a photo of the ID card and submits', async () => {
    await page.getByTestId('app-amount-500000').click();
    await page.getByTestId('app-term-24').click();
    await page.getByTestId('f-app-purpose').locator('input').fill('扩大经营,采购设备');
    await page.getByTestId('repay-equal_principal').click();
    await page.getByTestId('f-app-remarks').locator('textarea').fill('客户有稳定流水,房产无抵押');
    await page.getByTestId('doc-kind-id_card').click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('pick-camera').click();
    await (await chooser).setFiles({ name: '身份证正面.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.getByTestId('picked-item').first().waitFor();
    await shot(page, '20-application-form');
    await page.getByTestId('submit-application').click();
    await page.waitForURL(/\/approvals\/\d+$/);
    applicationId = Number(page.url().split('/').pop());
    await page.getByTestId('application-status').filter({ hasText: '审批中' }).waitFor();

    const app = await t.deps.db.models.Application.findByPk(applicationId);
    expect(app).toMatchObject({ status: 'pending', product: '房抵贷', termMonths: 24, purpose: '扩大经营,采购设备', repaymentMethod: 'equal_principal', round: 1 });
    expect(Number(app!.amountFen)).toBe(50_000_000);
    const docs = await t.deps.db.models.ApplicationDocument.findAll({ where: { applicationId } });
    expect(docs.map((d) => [d.fileName, d.kind, d.mime])).toEqual([['身份证正面.jpg', 'id_card', 'image/jpeg']]);
    expect((await t.deps.db.models.Customer.findByPk(customerId))!.stage).toBe('under_approval');
    await page.getByTestId('document-item').first().waitFor();
    await shot(page, '21-application-submitted');
  });

  it('the team lead sees it under 待我审批 with the badge and opens it', async () => {
    page = await signIn(lead, '吴婷');
    await page.getByTestId('tab-approvals').click();
    await page.waitForURL(`${base}/approvals`);
    await expect.poll(() => page.getByTestId('tab-approvals').innerText()).toContain('1');
    const item = page.getByTestId('application-item').filter({ hasText: '测试赵六' });
    await item.first().waitFor();
    expect(await item.first().innerText()).toContain('50万');
    await shot(page, '22-approvals-todo');
    await item.first().click();
    await page.waitForURL(`${base}/approvals/${applicationId}`);
    await page.getByTestId('decision-bar').waitFor();
  });

  it('rejecting without a reason is not possible; approving with a comment records the decision', async () => {
    await page.getByTestId('action-reject').click();
    await page.getByTestId('decision-confirm').click();
    await page.getByText('驳回必须填写原因').waitFor();
    await page.locator('.van-popup__close-icon').first().click();
    await page.getByTestId('decision-sheet').waitFor({ state: 'hidden' });

    await page.getByTestId('action-approve').click();
    await page.getByTestId('decision-comment').locator('textarea').fill('客户情况属实,同意');
    await page.getByTestId('decision-confirm').click();
    await page.getByTestId('timeline-item').filter({ hasText: '客户情况属实,同意' }).waitFor();

    const tasks = await t.deps.db.models.ApprovalTask.findAll({ where: { applicationId }, order: [['id', 'ASC']] });
    expect(tasks.map((x) => `${x.nodeId}:${x.status}`)).toEqual(['lead:approved', 'risk:pending', 'risk:pending']);
    expect(await page.getByTestId('decision-bar').count()).toBe(0);
  });

  it('the timeline shows every step with who, when and how long; screenshot', async () => {
    const items = page.getByTestId('timeline-item');
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual(['create', 'attach', 'submit', 'approve']);
    const approve = await items.filter({ hasText: '吴婷' }).last().innerText();
    expect(approve).toMatch(/同意/);
    expect(approve).toMatch(/用时/);
    expect(await page.getByTestId('timeline-waiting').count()).toBe(2);
    expect(await page.getByTestId('timeline-waiting').first().innerText()).toContain('风控审批');
    await page.getByTestId('approval-timeline').scrollIntoViewIfNeeded();
    await shot(page, '23-approval-timeline');
  });
});

describe('the admin edits the flow as a form (390×844)', () => {
  it('opens 我的 → 审批流程, changes the team lead SLA and adds a cc node; saving makes version 2', async () => {
    const admin = await browser.newContext(PHONE);
    const p = await signIn(admin, '王敏');
    await p.goto(`${base}/me`);
    await p.getByTestId('admin-flows').click();
    await p.waitForURL(`${base}/admin/flows`);
    const item = p.getByTestId('flow-item').first();
    expect(await item.innerText()).toContain('团队主管审批(直属上级) → 风控审批(风控专员)');
    await item.click();
    await p.waitForURL(/\/admin\/flows\/\d+$/);
    await p.getByTestId('flow-node').first().waitFor();
    expect(await p.locator('[data-testid="flow-node"]:not(.nested)').count()).toBe(5);
    await p.getByTestId('node-sla-1').locator('input').fill('2');
    await p.getByTestId('add-notify').click();
    await p.evaluate(() => window.scrollTo(0, 0));
    await shot(p, '24-flow-editor');
    await p.getByTestId('flow-save').click();
    await p.waitForURL(`${base}/admin/flows`);
    const flow = await t.deps.db.models.ApprovalFlow.findOne({ where: { isDefault: true } });
    expect(flow!.currentVersion).toBe(2);
    const v2 = await t.deps.db.models.ApprovalFlowVersion.findOne({ where: { flowId: flow!.id, version: 2 } });
    const nodes = v2!.definition.nodes;
    expect(nodes.map((n) => n.kind)).toEqual(['approval', 'approval', 'condition', 'notify', 'notify', 'end']);
    expect(nodes[0]).toMatchObject({ id: 'lead', slaHours: 2 });
    // The application submitted earlier keeps version 1.
    const app = await t.deps.db.models.Application.findByPk(applicationId);
    expect((await t.deps.db.models.ApprovalFlowVersion.findByPk(app!.flowVersionId!))!.version).toBe(1);
    await admin.close();
  });
});
