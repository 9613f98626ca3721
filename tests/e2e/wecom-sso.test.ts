// Silent sign-in inside WeCom, in Chromium with WeCom's user agent at a phone viewport, against
// the fake WeCom: opening the app redirects through the fake's OAuth page and lands signed in on
// 工作台 without any sign-in form; someone the CRM does not know sees the "请联系管理员开通" page;
// a desktop browser signs in with the WeCom QR login. Screenshots go to tests/artifacts/e2e.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { installWecomOauth, type WecomOauth } from '../fakes/wecom/oauth';
import { exec } from '../helpers/fixtures';
import { H5_DIST } from '../../server/src/app';
import { SHOTS, launchChromium } from '../helpers/browser';

const WECOM_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.0 MicroMessenger/7.0.1 Language/zh ColorScheme/Light';

let t: MessengerTestApp;
let oauth: WecomOauth;
let server: http.Server;
let base: string;
let browser: Browser;

async function phoneInWecom(): Promise<{ context: BrowserContext; page: Page; visited: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', userAgent: WECOM_UA,
  });
  const page = await context.newPage();
  const visited: string[] = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest()) visited.push(r.url());
  });
  return { context, page, visited };
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html'))) throw new Error('H5 not built: run npm run build:h5 first');
  fs.mkdirSync(SHOTS, { recursive: true });
  // Listen first: PUBLIC_URL (the OAuth redirect_uri) must be the address the browser uses.
  server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createMessengerTestApp({ wecom: true, env: { PUBLIC_URL: base, AUTH_DEV_LOGIN: 'false' } });
  server.on('request', t.server);
  oauth = installWecomOauth(t.wecom!);
  t.wecom!.addUser({ userid: 'ZhangWei', name: '张伟', department: [1] });
  t.wecom!.addUser({ userid: 'newcomer', name: '新同事', department: [1] });
  t.wecom!.addUser({ userid: 'WuTing', name: '吴婷', department: [1] });
  await exec(t, 'UPDATE users SET wecom_userid = ? WHERE name = ?', ['ZhangWei', '张伟']);
  await exec(t, 'UPDATE users SET wecom_userid = ? WHERE name = ?', ['WuTing', '吴婷']);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('inside WeCom (390×844)', () => {
  it('opening the app signs the member in silently and shows 工作台', async () => {
    oauth.currentUser = 'ZhangWei';
    const { context, page, visited } = await phoneInWecom();
    await page.goto(`${base}/`);
    await page.getByText('今日待跟进').first().waitFor();
    expect(page.url()).toBe(`${base}/`);
    await page.getByText('张伟').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'wecom-01-workbench.png') });
    // the round trip went through our start, the fake's authorize page and our callback
    expect(visited.some((u) => u.startsWith(`${base}/api/v1/auth/wecom/start?redirect=%2F`))).toBe(true);
    expect(visited.some((u) => u.startsWith(`${t.wecom!.url}/connect/oauth2/authorize?`))).toBe(true);
    expect(visited.some((u) => u.startsWith(`${base}/api/v1/auth/wecom/callback?code=`))).toBe(true);
    expect(visited.some((u) => u.includes('/login'))).toBe(false);
    expect(await page.getByTestId('messenger-only').count()).toBe(0);
    await context.close();
  });

  it('a deep link comes back to the page it pointed at', async () => {
    oauth.currentUser = 'ZhangWei';
    const { context, page } = await phoneInWecom();
    const signedIn = page.waitForResponse((r) => r.url().startsWith(`${base}/api/v1/auth/wecom/callback?`));
    await page.goto(`${base}/pool`);
    expect((await signedIn).headers().location).toBe('/pool');
    await page.waitForURL(`${base}/pool`);
    await page.getByText('公海').first().waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    expect(me.name).toBe('张伟');
    await context.close();
  });

  it('someone the CRM does not know sees 请联系管理员开通, not an error', async () => {
    oauth.currentUser = 'newcomer';
    const { context, page } = await phoneInWecom();
    await page.goto(`${base}/`);
    await page.waitForURL(/\/no-access\?reason=unknown/);
    await expect(page.getByTestId('no-access-text').innerText()).resolves.toBe('您的账号尚未开通信贷CRM,请联系管理员开通');
    await page.screenshot({ path: path.join(SHOTS, 'wecom-02-no-access.png') });
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(me).toBe(401);
    await context.close();
  });
});

let customerId = 0;

describe('desktop browser', () => {
  it('signs in with the WeCom QR login', async () => {
    oauth.currentUser = 'ZhangWei';
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    await page.goto(`${base}/customers`);
    await page.waitForURL(/\/login\?redirect=(%2F|\/)customers$/);
    await page.getByTestId('wecom-qr-login').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'wecom-03-login-qr.png') });
    await page.getByTestId('wecom-qr-login').click();
    await page.waitForURL(`${base}/customers`);
    await page.getByTestId('customer-search').waitFor();
    await context.close();
  });

  it('takes document photos with the file input (no messenger camera in a browser); no 发消息 here', async () => {
    oauth.currentUser = 'ZhangWei';
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByTestId('wecom-qr-login').click();
    await page.waitForURL(`${base}/`);
    customerId = await page.evaluate(async () => {
      const res = await fetch('/api/v1/customers', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        body: JSON.stringify({ name: '证件测试', phone: '13900001111', channel: 'douyin', city: '杭州', loanAmountFen: 30000000 }),
      });
      return (await res.json()).id as number;
    });
    expect(customerId).toBeGreaterThan(0);
    await page.goto(`${base}/customers/${customerId}`);
    await page.getByTestId('customer-header').waitFor();
    expect(await page.getByTestId('chat-owner').count()).toBe(0);
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('capture-documents').click();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await (await chooser).setFiles([{ name: 'id-front.png', mimeType: 'image/png', buffer: png }, { name: 'id-back.png', mimeType: 'image/png', buffer: png }]);
    await page.getByTestId('captured-documents').waitFor();
    expect(await page.getByTestId('captured-photo').count()).toBe(2);
    await page.getByTestId('captured-documents').evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    await page.screenshot({ path: path.join(SHOTS, 'wecom-04-document-photos.png') });
    await context.close();
  });
});

describe('a colleague inside WeCom', () => {
  it('sees 发消息 next to the owner of a customer', async () => {
    oauth.currentUser = 'WuTing';
    const { context, page } = await phoneInWecom();
    await page.goto(`${base}/customers/${customerId}`);
    await page.getByTestId('customer-header').waitFor();
    await page.getByTestId('chat-owner').waitFor();
    expect(await page.locator('.owner').innerText()).toContain('负责人 张伟');
    await page.screenshot({ path: path.join(SHOTS, 'wecom-05-chat-owner.png') });
    await context.close();
  });
});
