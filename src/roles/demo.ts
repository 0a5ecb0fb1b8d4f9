// The demo pieces `npm start` adds: later issues plug the accounting-system simulator and the
// SMTP capture in here.
import type { Runtime } from '../runtime.ts';
import type { Mount } from '../web/app.ts';
import { ensureCommerceMLDemoSource } from './demo-commerceml.ts';

export async function startDemo(rt: Runtime): Promise<Mount[]> {
  await ensureCommerceMLDemoSource(rt);
  return [];
}
