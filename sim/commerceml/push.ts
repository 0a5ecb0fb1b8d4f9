// Plays 1C against a running Counterpart: generates a CommerceML package and pushes it through
// the exchange protocol, then takes the orders (query → success).
//   npm run sim:1c -- --help
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OneCClient } from './client.ts';
import { type CmlVersion, generatePackage, VERSIONS } from './generator.ts';

const USAGE = `Plays 1C against a running Counterpart: pushes a generated CommerceML package, then takes the orders.

usage: npm run sim:1c -- [options]
  --url URL          the exchange endpoint (default http://127.0.0.1:3000/exchange/1c)
  --login NAME       the exchange login (default demo-1c)
  --password TEXT    its password (default demo-1c-password)
  --products N       products in the package (default 200)
  --version V        CommerceML version: ${VERSIONS.join(', ')} (default 2.10)
  --no-zip           upload the XML files one by one instead of one archive
  -h, --help         this text`;

const OPTIONS = {
  url: { type: 'string', default: 'http://127.0.0.1:3000/exchange/1c' },
  login: { type: 'string', default: 'demo-1c' },
  password: { type: 'string', default: 'demo-1c-password' },
  products: { type: 'string', default: '200' },
  version: { type: 'string', default: '2.10' },
  'no-zip': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>;
try {
  parsed = parseArgs({ options: OPTIONS });
} catch (err) {
  // an unknown or malformed option: say what is wrong and how the tool is called, no stack trace
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
const a = parsed.values;
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!VERSIONS.includes(a.version as CmlVersion) || !/^\d+$/.test(a.products)) {
  console.error(`--version must be one of ${VERSIONS.join(', ')} and --products a whole number\n\n${USAGE}`);
  process.exit(2);
}
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
