// Headless Chromium for the e2e files: one launch setup, sign-in, and the condition "this page's
// live streams are open" (instead of waiting a while after load).
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}

/** A new context signed in as email, on `next` (the login form's redirect target). */
export async function signInPage(browser: Browser, base: string, email: string, password: string, next = '/', viewport = { width: 1300, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => u.pathname === next.split('?')[0]), page.click('form[action="/login"] button[type=submit]')]);
  return { context, page };
}

/**
 * Every htmx SSE element of the page has its EventSource open. The server answers a live stream
 * only once it listens for the events it forwards, so from here on none is lost.
 */
export async function streamsOpen(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const els = [...document.querySelectorAll('[sse-connect]')];
      if (!(window as unknown as { htmx?: unknown }).htmx || !els.length) return false;
      // htmx keeps the extension's EventSource in the element's internal data
      return els.every((el) => (el as unknown as { 'htmx-internal-data'?: { sseEventSource?: EventSource } })['htmx-internal-data']?.sseEventSource?.readyState === 1);
    },
    undefined,
    { timeout },
  );
}
