// DEMO ONLY: a CommerceML source a newcomer can point a 1C "exchange with a website" node at
// (`npm start`, then URL http://<host>:<port>/exchange/1c, login demo-1c, password
// demo-1c-password). The password is hashed here at start; real sources keep theirs in an
// environment variable (settings.passwordEnv) or as an argon2 hash — never these demo values.
import { hash } from '@node-rs/argon2';
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';
import { initialOutbound } from '../mirror/outbound.ts';

export const DEMO_1C_LOGIN = 'demo-1c';
export const DEMO_1C_PASSWORD = 'demo-1c-password';

export async function ensureCommerceMLDemoSource(rt: Runtime): Promise<void> {
  const existing = await rt.db('sources').where({ name: 'cml-demo' }).first('id', 'demo');
  if (existing && !existing.demo) throw new Error('a source named "cml-demo" exists and is not the demo\'s: the demo does not take it over');
  // A production start retired the demo's login (src/app/roles/production.ts): the demo restores it.
  const settings = { login: DEMO_1C_LOGIN, passwordHash: await hash(DEMO_1C_PASSWORD), ordersEncoding: 'utf-8-bom', zip: true };
  if (!existing) {
    await rt.db('sources').insert({ name: 'cml-demo', kind: 'commerceml', title: '1C (CommerceML demo)', settings: JSON.stringify(settings), outbound: initialOutbound('commerceml'), demo: true });
  } else {
    await rt.db('sources').where({ id: existing.id }).update({ disabled_at: null, settings: rt.db.raw("settings || ?::jsonb", [JSON.stringify(settings)]) });
  }
  log.info(
    { url: `${rt.config.COMMERCEML_PATH}`, login: DEMO_1C_LOGIN, password: DEMO_1C_PASSWORD },
    'demo-only 1C exchange source "cml-demo": point a 1C exchange node at this path',
  );
}
