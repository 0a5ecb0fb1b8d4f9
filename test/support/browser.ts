// Headless Chromium for the e2e files: one launch setup, sign-in, and the condition "this page
// is live" (htmx bound, streams open) instead of waiting a while after load.
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
  await pageReady(page);
  return { context, page };
}

/**
 * The page is live: htmx has processed every element carrying hx-* attributes (a click before
 * that would submit the plain form instead), and every SSE element's EventSource is open. The
 * server answers a live stream only once it listens for the events it forwards, so from here on
 * none is lost.
 */
export async function pageReady(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    // No named inner functions: the test loader would wrap them in a helper the page lacks.
    () => {
      if (!(window as unknown as { htmx?: unknown }).htmx) return false;
      for (const el of document.querySelectorAll('[hx-get],[hx-post],[hx-boost],[sse-connect]')) {
        const data = (el as unknown as { 'htmx-internal-data'?: { initHash?: number; sseEventSource?: EventSource } })['htmx-internal-data'];
        if (data?.initHash === undefined) return false;
        if (el.hasAttribute('sse-connect') && data.sseEventSource?.readyState !== 1) return false;
      }
      return true;
    },
    undefined,
    { timeout },
  );
}
