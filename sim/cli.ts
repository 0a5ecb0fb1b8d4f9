// `npm run sim -- …`: run the accounting-system simulator, or drive a running one as an
// accountant would. Examples:
//   npm run sim -- serve --port 8089 --products 100000 --warehouses 12 --price-types 20 --counterparties 2000
//   npm run sim -- stock <offerId> WH01 15          npm run sim -- price <offerId> PT001 1234.50
//   npm run sim -- order-status ЗК-000001 Отгружен   npm run sim -- fault http500 --times 3
import { Command } from 'commander';
import { FAULT_KINDS } from './faults.ts';
import { startSimulator } from './index.ts';

const program = new Command('sim').description('accounting-system simulator (SOAP) and its control surface').showHelpAfterError();
const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a non-negative number, got "${v}"`);
  return n;
};

program
  .command('serve')
  .description('serve the SOAP service (WSDL at /soap?wsdl) and the control surface (/control/…)')
  .option('--port <n>', 'port (0 = any free one)', num, 8089)
  .option('--host <h>', 'bind address', '127.0.0.1')
  .option('--seed <n>', 'data seed', num, 42)
  .option('--products <n>', 'products', num, 240)
  .option('--warehouses <n>', 'warehouses (own + partner)', num, 4)
  .option('--partner-warehouses <n>', 'of which belong to partners', num, 1)
  .option('--price-types <n>', 'price types', num, 4)
  .option('--counterparties <n>', 'counterparties', num, 24)
  .option('--managers <n>', 'managers', num, 4)
  .option('--contract-prices <n>', 'individual prices per contract (average)', num, 5)
  .option('--user <name>', 'Basic-auth user the service demands')
  .option('--password <pw>', 'Basic-auth password')
  .option('--webhook-url <url>', 'announce changes to this store URL (e.g. http://127.0.0.1:3000/hooks/accounting/main)')
  .option('--webhook-secret <s>', 'HMAC secret shared with the store')
  .action(async (o) => {
    const sim = await startSimulator({
      port: o.port, host: o.host,
      dataset: {
        seed: o.seed, products: o.products, warehouses: o.warehouses, partnerWarehouses: o.partnerWarehouses, priceTypes: o.priceTypes,
        counterparties: o.counterparties, managers: o.managers, contractPrices: o.contractPrices,
      },
      credentials: o.user ? { username: o.user, password: o.password ?? '' } : null,
      webhook: o.webhookUrl ? { url: o.webhookUrl, secret: o.webhookSecret ?? '' } : null,
    });
    sim.webhook.onError = (m) => console.error(`simulator: ${m}`);
    console.log(`simulator: SOAP ${sim.url} (WSDL ${sim.url}?wsdl), control ${sim.controlUrl}/state`);
    console.log(JSON.stringify(sim.state.counts()));
    const stop = () => void sim.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

async function control(url: string, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${url.replace(/\/$/, '')}/control/${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`simulator answered ${res.status}: ${text}`);
  console.log(text);
}

const pairs = (list: string[] = []) =>
  Object.fromEntries(list.map((p) => {
    const [k, v] = p.split('=');
    if (!k || v === undefined) throw new Error(`expected KEY=VALUE, got "${p}"`);
    return [k, v];
  }));

const withUrl = (c: Command) => c.option('--url <url>', 'simulator base URL', 'http://127.0.0.1:8089');
withUrl(program.command('state').description('counts, feed cursor, faults, orders')).action((o) => control(o.url, 'GET', 'state'));
withUrl(program.command('stock <offerId> <warehouseId> <quantity>').description('set stock of an offer at a warehouse'))
  .action((offerId, warehouseId, quantity, o) => control(o.url, 'POST', 'stock', { offerId, warehouseId, quantity }));
withUrl(program.command('price <offerId> <priceTypeId> <value>').description('change a price'))
  .action((offerId, priceTypeId, value, o) => control(o.url, 'POST', 'price', { offerId, priceTypeId, value }));
withUrl(program.command('add-product <id> <name> <sku>').description('add a product (--price PT001=100 --stock WH01=5)'))
  .option('--price <pt=value...>', 'prices').option('--stock <wh=qty...>', 'stock')
  .action((id, name, sku, o) => control(o.url, 'POST', 'products', { id, name, sku, prices: pairs(o.price), stock: pairs(o.stock) }));
withUrl(program.command('link <counterpartyId> <headId>').description('link a counterparty to a head counterparty ("none" unlinks)'))
  .action((counterpartyId, headId, o) => control(o.url, 'POST', 'link', { counterpartyId, headId: headId === 'none' ? null : headId }));
withUrl(program.command('order-status <order> <status>').description('post an order status (order: id, number or the store’s number)'))
  .option('--note <text>', 'note', '')
  .action((order, status, o) => control(o.url, 'POST', 'order-status', { order, status, note: o.note }));
withUrl(program.command('fault <kind>').description(`inject a fault: ${FAULT_KINDS.join(', ')}; "clear" removes all`))
  .option('--ms <n>', 'latency in ms', num).option('--times <n>', 'affect only the next n requests', num).option('--ops <names>', 'comma-separated operations')
  .action((kind, o) =>
    kind === 'clear'
      ? control(o.url, 'DELETE', 'faults')
      : control(o.url, 'POST', 'faults', { kind, ms: o.ms, times: o.times, operations: o.ops?.split(',') }),
  );

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(`sim: ${err.message}`);
  process.exitCode = 1;
});
