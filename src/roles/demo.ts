// The demo pieces `npm start` adds: later issues plug the accounting-system simulator and the
// SMTP capture in here.
import type { Runtime } from '../runtime.ts';
import type { Mount } from '../web/app.ts';

export async function startDemo(_rt: Runtime): Promise<Mount[]> {
  return [];
}
