// Plays 1C against a running Counterpart: generates a CommerceML package and pushes it through
// the exchange protocol, then takes the orders (query → success).
//   npm run sim:1c -- [--url http://127.0.0.1:3000/exchange/1c] [--login demo-1c]
//                     [--password demo-1c-password] [--products 200] [--version 2.10] [--no-zip]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OneCClient } from './client.ts';
import { type CmlVersion, generatePackage, VERSIONS } from './generator.ts';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000/exchange/1c' },
    login: { type: 'string', default: 'demo-1c' },
    password: { type: 'string', default: 'demo-1c-password' },
    products: { type: 'string', default: '200' },
    version: { type: 'string', default: '2.10' },
    'no-zip': { type: 'boolean', default: false },
  },
});
if (!VERSIONS.includes(a.version as CmlVersion)) throw new Error(`--version must be one of ${VERSIONS.join(', ')}`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-push-'));
try {
  const pkg = await generatePackage(dir, { products: Number(a.products), version: a.version as CmlVersion, characteristicsEvery: 10 });
  console.log(`generated ${pkg.files.length} file(s), ${(pkg.bytes / 1e6).toFixed(1)} MB, ${pkg.counts.offers} offers`);
  const client = new OneCClient(a.url, { login: a.login, password: a.password, version: a.version });
  const t = Date.now();
  const r = await client.pushCatalog(pkg.files, { zip: !a['no-zip'] });
  for (const [name, ans] of Object.entries(r.answers)) console.log(`${name}: ${ans.status}\n  ${ans.lines.join('\n  ')}`);
  if (r.failed) {
    console.error(`exchange failed: ${r.failed.status} ${r.failed.lines.join(' ')}`);
    process.exitCode = 1;
  } else {
    console.log(`catalog exchange done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const sale = new OneCClient(a.url, { login: a.login, password: a.password, version: a.version });
    await sale.checkauth('sale');
    await sale.init('sale');
    const q = await sale.call('sale', 'query');
    const orders = (q.raw.toString('utf8').match(/<Документ>/g) ?? []).length;
    await sale.call('sale', 'success');
    console.log(`orders taken: ${orders}`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
