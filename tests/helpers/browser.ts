// Shared set-up of the browser tests: Debian's Chromium (never a downloaded browser), launched
// headless, and the phone the H5 is designed for (390×844, zh-CN, Asia/Shanghai).
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const SHOTS = path.resolve('tests/artifacts/e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Context options of a phone at the H5's design size. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
