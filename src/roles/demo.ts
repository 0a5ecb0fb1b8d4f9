// The demo pieces `npm start` adds: the accounting-system simulator (a SOAP source with a first
// full sync), the CommerceML exchange source and, from other issues, the SMTP capture.
import type { Runtime } from '../runtime.ts';
import type { Mount } from '../web/app.ts';
import { ensureCommerceMLDemoSource } from './demo-commerceml.ts';
import { startDemoSimulator } from './demo-simulator.ts';

export async function startDemo(rt: Runtime): Promise<Mount[]> {
  await startDemoSimulator(rt);
  await ensureCommerceMLDemoSource(rt);
  return [];
}
