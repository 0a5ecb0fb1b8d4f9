// DATABASE_REPLICA_URL: the catalog, product pages and price lists (and the as-of stamp in the
// footer) read through the replica; everything else through the primary. The "replica" here is a
// second role on the run's database: SELECT only, read-only transactions, and row-level security
// hiding what a lagging replica would not have yet (a new product, a source's newer row) — so a
// page shows which connection it read through.
import { expect } from 'chai';
import { resetConfigForTests } from '../../src/infra/config.ts';
import { createRuntime, type Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import type { StoreFixture } from '../support/mirror-fixtures.ts';
import { testRuntime } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';
import { emailOf, PASSWORD, seedWorld } from '../support/world.ts';

const LAGGING = '(не реплицирован)';

describe('ops: DATABASE_REPLICA_URL — catalog, product and price-list reads through a read replica', function () {
  this.timeout(60_000);
  let rt: Runtime;
  let replicaRt: Runtime;
  let fx: StoreFixture;
  let hiddenOffer: number;
  const role = `cp_replica_${process.pid}`;
  const servers: { base: string; close(): Promise<void> }[] = [];
  let viaReplica: WebClient;
  let viaPrimary: WebClient;

  before(async () => {
    rt = await testRuntime();
    fx = await seedWorld(rt);
    const s = { source_id: fx.sourceId };
    // Written to the primary only "a moment ago": the replica's rows below do not show them.
    const [p] = await rt.db('products').insert({ ...s, external_id: 'p-new', sku: 'SKU-NEW', name: `Новинка ${LAGGING}`, unit: 'pcs' }).returning('id');
    const [o] = await rt.db('offers').insert({ ...s, external_id: 'p-new', product_id: p.id, sku: 'SKU-NEW' }).returning('id');
    hiddenOffer = o.id;
    await rt.db('prices').insert({ ...s, offer_id: o.id, price_type_id: fx.priceTypes.base, value: '999.00' });
    await rt.db('stock').insert({ ...s, offer_id: o.id, warehouse_id: fx.warehouses.main, quantity: '5' });
    // a second source whose data is older: on the primary the stamp is its as_of
    await rt.db('sources').insert({ name: 'lagging-erp', kind: 'soap', as_of: '2026-11-01T09:00:00Z' });

    const dbName = new URL(process.env.DATABASE_URL!).pathname.slice(1);
    await rt.db.raw(`CREATE ROLE ${role} LOGIN`);
    await rt.db.raw(`GRANT CONNECT ON DATABASE ${dbName} TO ${role}`);
    await rt.db.raw(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await rt.db.raw(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    await rt.db.raw(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    for (const [table, visible] of [['products', `name NOT LIKE '%${LAGGING}%'`], ['sources', `name <> 'lagging-erp'`]] as const) {
      await rt.db.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await rt.db.raw(`CREATE POLICY replica_lag ON ${table} FOR SELECT TO ${role} USING (${visible})`);
    }

    const url = new URL(process.env.DATABASE_URL!);
    url.username = role;
    process.env.DATABASE_REPLICA_URL = url.toString();
    resetConfigForTests();
    try {
      replicaRt = await createRuntime();
    } finally {
      delete process.env.DATABASE_REPLICA_URL;
      resetConfigForTests();
    }
    for (const r of [replicaRt, rt]) servers.push(await listen(createApp(r)));
    viaReplica = new WebClient(servers[0]!.base);
    viaPrimary = new WebClient(servers[1]!.base);
    // signing in writes the session: through the primary, or it would fail
    for (const c of [viaReplica, viaPrimary]) await c.login(emailOf(fx, 'a'), PASSWORD);
  });

  after(async () => {
    for (const s of servers) await s.close();
    await replicaRt?.shutdown();
    for (const table of ['products', 'sources']) {
      await rt.db.raw(`DROP POLICY IF EXISTS replica_lag ON ${table}`);
      await rt.db.raw(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    if ((await rt.db.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [role])).rows.length) await rt.db.raw(`DROP OWNED BY ${role}`);
    await rt.db.raw(`DROP ROLE IF EXISTS ${role}`);
  });

  it('the runtime reads through the replica role, which cannot write', async () => {
    expect(replicaRt.readDb).to.not.equal(replicaRt.db);
    expect((await replicaRt.readDb.raw('SELECT current_user AS u')).rows[0].u).to.equal(role);
    expect((await replicaRt.db.raw('SELECT current_user AS u')).rows[0].u).to.equal('postgres');
    let refused: Error | undefined;
    await replicaRt.readDb('products').update({ name: 'x' }).catch((err: Error) => (refused = err));
    expect(refused?.message).to.match(/read-only transaction|permission denied/);
    // without the setting both are one pool
    expect(rt.readDb).to.equal(rt.db);
  });

  it('the catalog and its as-of stamp come from the replica; the primary shows what the replica lags behind', async () => {
    const replicaPage = await viaReplica.get('/catalog');
    expect(replicaPage.status).to.equal(200);
    expect(replicaPage.text).to.contain('Drill Bosch GSB 13').and.not.contain('Новинка');
    expect(replicaPage.text).to.contain('27.11.2026').and.not.contain('01.11.2026');
    const primaryPage = await viaPrimary.get('/catalog');
    expect(primaryPage.text).to.contain('Новинка').and.contain('01.11.2026');
    // and the queries were the replica role's: its backends' last statements read the mirror
    const { rows } = await rt.db.raw(`SELECT query FROM pg_stat_activity WHERE usename = ?`, [role]);
    expect(rows.length).to.be.above(0);
    expect(rows.map((r: { query: string }) => r.query).join('\n')).to.match(/offers|products|product_groups|sources|warehouses|prices|price_types|stock|contracts/);
  });

  it('product pages and the price list read through the replica too', async () => {
    expect((await viaReplica.get(`/product/${hiddenOffer}`)).status).to.equal(404);
    expect((await viaPrimary.get(`/product/${hiddenOffer}`)).status).to.equal(200);
    expect((await viaReplica.get(`/product/${fx.offers[0]}`)).status).to.equal(200);
    const csv = await viaReplica.get('/pricelist.csv');
    expect(csv.status).to.equal(200);
    expect(csv.text).to.contain('SKU-001').and.not.contain('SKU-NEW');
    expect((await viaPrimary.get('/pricelist.csv')).text).to.contain('SKU-NEW');
  });

  it('the buyer’s own writes still go to the primary (a cart line through the replica-reading web)', async () => {
    const page = await viaReplica.get(`/product/${fx.offers[2]}`);
    expect(page.status).to.equal(200);
    const res = await viaReplica.post('/cart/add', { offerId: String(fx.offers[2]), qty: '2' });
    expect(res.status).to.equal(303);
    expect(await rt.db('cart_lines').where({ offer_id: fx.offers[2] }).first('quantity')).to.deep.equal({ quantity: '2.000' });
  });
});
