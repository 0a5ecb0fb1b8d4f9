// The import rules of ../shared/design/ARCHITECTURE.md, checked in CI.
module.exports = {
  forbidden: [
    { name: 'web-not-connectors', severity: 'error', comment: 'the web never talks to a connector',
      from: { path: '^src/web' }, to: { path: '^(connectors|jobs|sim)/' } },
    { name: 'store-not-up', severity: 'error', comment: 'store is domain logic: no web, no connectors',
      from: { path: '^src/store' }, to: { path: '^(src/web|connectors|jobs|sim)/' } },
    { name: 'mirror-not-up', severity: 'error', from: { path: '^src/mirror' }, to: { path: '^(src/web|src/store|src/sync|connectors|jobs|sim)/' } },
    { name: 'sync-not-up', severity: 'error', from: { path: '^src/sync' }, to: { path: '^(src/web|src/store|connectors|jobs|sim)/' } },
    { name: 'db-is-the-bottom', severity: 'error', from: { path: '^src/db' }, to: { path: '^(src/(web|store|mirror|sync)|connectors|jobs|sim)/' } },
    { name: 'connectors-no-web-store', severity: 'error', comment: 'connectors use sync and mirror types only',
      from: { path: '^connectors' }, to: { path: '^(src/web|src/store|jobs|views)/' } },
    { name: 'no-sim-in-product', severity: 'error', comment: 'the simulator is a stand-in, the product never imports it',
      from: { path: '^(src|connectors|jobs)/', pathNot: '^src/demo' }, to: { path: '^sim/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: 'node_modules' },
  },
};
