// The demo pieces `npm start` adds: the accounting-system simulator (a SOAP source with a first
// full sync) and the SMTP capture: when SMTP_URL is unset, the store's mail goes to an
// in-process SMTP server on 127.0.0.1 whose inbox is a page at /dev/mail, linked from the home page;
// then the demo's sign-ins and what the demo buyer finds in the cabinet (content.ts).
import { log } from '../infra/log.ts';
import { inboxRoutes } from './inbox-routes.ts';
import { startSmtpCapture } from './smtp-capture.ts';
import { useSmtpUrl } from '../mail/index.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { Mount } from '../web/app.ts';
import { ensureCommerceMLDemoSource } from './commerceml.ts';
import { ensureDemoAccounts } from './accounts.ts';
import { ensureDemoContent } from './content.ts';
import { DEMO_SOURCE, startDemoSimulator } from './simulator.ts';

export async function startDemo(rt: Runtime): Promise<Mount[]> {
  const mounts: Mount[] = [];
  if (!rt.config.SMTP_URL) {
    const capture = await startSmtpCapture({ host: '127.0.0.1', port: 0 });
    rt.onShutdown('smtp capture', capture.stop);
    useSmtpUrl(rt, capture.url);
    mounts.push({ path: '/dev/mail', router: inboxRoutes(capture, '/dev/mail'), link: 'Mail inbox (local SMTP capture)' });
    log.info({ smtp: capture.url }, 'SMTP capture started; inbox at /dev/mail');
  }
  await ensureCommerceMLDemoSource(rt);
  const sim = await startDemoSimulator(rt);
  // The cabinet a newcomer signs in to: news, orders with their history, a conversation (made once).
  await ensureDemoAccounts(rt);
  await ensureDemoContent(rt, sim, DEMO_SOURCE);
  return mounts;
}
