// The import rules of ARCHITECTURE.md ("Import rules"), one rule each; `npm run depcheck` fails
// on any `error`. Layers, top to bottom:
//   composition roots  bin/, src/main.ts, src/app/{cli,roles}   (wire everything; nothing imports them)
//   demo               src/demo                                 (only the roots import it)
//   web                src/web
//   jobs, sources      jobs/, src/sources                       (the worker's side)
//   connectors         connectors/<kind>
//   store              src/store/<module>
//   sync, mail         src/sync, src/mail
//   mirror             src/mirror                               (the contract)
//   infra              src/infra                                (config, log, db, redis, queue, mail transport)
// test/ and bench/ are harnesses: they may import anything, the product never imports them.
// The test test/architecture/depcheck.test.ts breaks every rule below in a scratch copy.

/** Everything the product is made of (not test/ or bench/). */
const PRODUCT = '^(src|connectors|jobs|sim|migrations|bin)/';

module.exports = {
  forbidden: [
    // ── the web: pages over the store and the mirror; never the machinery behind them
    { name: 'web-not-db', severity: 'error',
      comment: 'the web reads and writes through src/store and src/mirror read models, never src/infra/db or knex directly',
      from: { path: '^src/web/' }, to: { path: ['^src/infra/db/', '(^|/)node_modules/knex/'] } },
    { name: 'web-not-queue', severity: 'error',
      comment: 'the web asks for work through the store (src/store/console/sync-requests.ts, src/mail) or a port in ConsoleServices (the queue board); it never touches BullMQ or src/infra/queue',
      from: { path: '^src/web/' }, to: { path: ['^src/infra/queue/', '(^|/)node_modules/(bullmq|@bull-board)/'] } },
    { name: 'web-not-sync', severity: 'error', comment: 'the web never writes the mirror: src/sync is the sync side',
      from: { path: '^src/web/' }, to: { path: '^src/sync/' } },
    { name: 'web-not-connectors', severity: 'error',
      comment: 'the web never talks to a connector or the source service; connector features come in as ConsoleServices or mounted routers',
      from: { path: '^src/web/' }, to: { path: '^(connectors|src/sources)/' } },
    { name: 'web-not-jobs', severity: 'error', comment: 'the web enqueues through the store; job processors are the worker\'s',
      from: { path: '^src/web/' }, to: { path: '^jobs/' } },

    // ── the store: domain logic over its own tables and the mirror
    { name: 'store-not-up', severity: 'error', comment: 'store modules are domain logic: no web, connectors, jobs, sync or source service',
      from: { path: '^src/store/' }, to: { path: '^(src/web|connectors|jobs|src/sync|src/sources)/' } },

    // ── connectors: one folder per accounting-system kind, each on its own
    { name: 'connector-not-other-connector', severity: 'error', comment: 'a connector is self-contained: a new accounting system is a new folder',
      from: { path: '^connectors/([^/]+)/' }, to: { path: '^connectors/', pathNot: '^connectors/$1/' } },
    { name: 'connector-only-sync-mirror-infra', severity: 'error',
      comment: 'a connector uses src/sync, src/mirror and src/infra only: no web, store, source service, mail or job (an exported router is mounted by the roles)',
      from: { path: '^connectors/' }, to: { path: ['^src/(?!sync/|mirror/|infra/)', '^(jobs|views)/'] } },

    // ── jobs and the source service: the worker's side
    { name: 'jobs-not-web', severity: 'error', comment: 'jobs render nothing and import no routes',
      from: { path: '^jobs/' }, to: { path: '^src/web/' } },
    { name: 'sources-not-up', severity: 'error', comment: 'the SOAP source service serves jobs, the CLI and roles; it imports no web and no job',
      from: { path: '^src/sources/' }, to: { path: '^(src/web|jobs)/' } },

    // ── the lower layers
    { name: 'sync-not-up', severity: 'error', comment: 'sync applies records to the mirror; it knows no store, web, connector or job',
      from: { path: '^src/sync/' }, to: { path: '^(src/(web|store|sources|mail)|connectors|jobs)/' } },
    { name: 'mail-not-up', severity: 'error', comment: 'src/mail renders and queues e-mail over src/infra and the mirror contract (e.g. status labels); it knows no store, web, sync or connector',
      from: { path: '^src/mail/' }, to: { path: '^(src/(web|store|sync|sources)|connectors|jobs)/' } },
    { name: 'mirror-not-up', severity: 'error', comment: 'the mirror is the contract between sync and storefront: it imports only src/infra',
      from: { path: '^src/mirror/' }, to: { path: '^(src/(web|store|sync|sources|mail)|connectors|jobs)/' } },
    { name: 'infra-is-the-bottom', severity: 'error', comment: 'src/infra imports nothing above it',
      from: { path: '^src/infra/' }, to: { path: '^(src/(?!infra/)|connectors|jobs|sim|migrations|bin)' } },
    { name: 'migrations-self-contained', severity: 'error', comment: 'a migration is frozen: it imports only knex and earlier migrations, never code that keeps changing',
      from: { path: '^migrations/' }, to: { path: '^(src|connectors|jobs|sim|bench|bin|test)/' } },

    // ── composition roots and the demo
    { name: 'app-only-from-entry', severity: 'error', comment: 'src/app (CLI commands, process roles) is imported only by src/main.ts and bin/',
      from: { path: PRODUCT, pathNot: '^(src/main\\.ts$|src/app/|bin/)' }, to: { path: '^src/app/' } },
    { name: 'roles-not-cli', severity: 'error', comment: 'CLI commands start roles; roles never import CLI commands',
      from: { path: '^src/app/roles/' }, to: { path: '^src/app/cli/' } },
    { name: 'demo-only-from-roots', severity: 'error', comment: 'the demo (simulator wiring, demo accounts, SMTP capture, dev inbox) is wired only by the composition roots',
      from: { path: PRODUCT, pathNot: '^(src/main\\.ts$|src/app/|src/demo/)' }, to: { path: '^src/demo/' } },
    { name: 'no-sim-in-product', severity: 'error', comment: 'the simulator is a stand-in for the accounting system; only the demo wires it',
      from: { path: PRODUCT, pathNot: '^(src/demo|sim)/' }, to: { path: '^sim/' } },
    { name: 'sim-standalone', severity: 'error', comment: 'the simulator plays the accounting system, which knows nothing of the store (it may borrow a connector codec)',
      from: { path: '^sim/' }, to: { path: '^(src|jobs|bin|migrations)/' } },
    { name: 'product-not-harness', severity: 'error', comment: 'tests and benchmarks may import anything; the product imports neither',
      from: { path: PRODUCT }, to: { path: '^(test|bench)/' } },

    { name: 'no-circular', severity: 'error', comment: 'imports point one way', from: {}, to: { circular: true } },
    { name: 'no-orphans', severity: 'warn', comment: 'a module nothing imports and that imports nothing is probably dead',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '(^|/)\\.[^/]+\\.(js|cjs|mjs|ts|json)$', '^migrations/', '^bench/[^/]+\\.bench\\.ts$'] }, to: {} },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
