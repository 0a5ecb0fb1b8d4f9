// `counterpart source add NAME --kind soap --mapping FILE [--endpoint URL] [--title T]`,
// `counterpart source add NAME --kind commerceml --login L --password-env VAR`, `counterpart source list`:
// registering a source without SQL. Everything is checked before the row is written — the
// mapping as `mapping validate` checks it, the settings as a sync reads them.
import path from 'node:path';
import type { Command } from 'commander';
import { parseSettings as parseCommerceMLSettings } from '../../../connectors/commerceml/settings.ts';
import { loadMapping, parseSoapSettings } from '../../../connectors/soap/index.ts';
import { secretFromEnv } from '../../infra/config.ts';
import { repoRoot } from '../../infra/paths.ts';
import { announceSourcesChanged } from '../../infra/queue/schedules-signal.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { ensureSource } from '../../sync/index.ts';

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

interface AddOptions {
  kind: string;
  mapping?: string;
  endpoint?: string;
  title?: string;
  login?: string;
  passwordEnv?: string;
}

/** The settings row of a new source, or an error naming the option that is wrong. */
export async function sourceSettings(o: AddOptions): Promise<{ kind: 'soap' | 'commerceml'; settings: Record<string, unknown>; warnings: string[] }> {
  const warnings: string[] = [];
  if (o.kind === 'soap') {
    if (!o.mapping) throw new Error('--mapping FILE is required for a soap source');
    const file = path.resolve(o.mapping);
    const loaded = await loadMapping(file); // a MappingError lists file:line: path: problem
    // Kept relative to the project when the file lives in it, so the row survives a move of the checkout.
    const rel = path.relative(repoRoot, file);
    const settings = { mapping: rel.startsWith('..') || path.isAbsolute(rel) ? file : rel, ...(o.endpoint ? { endpoint: o.endpoint } : {}) };
    parseSoapSettings('new source', settings);
    const auth = loaded.mapping.service.auth;
    for (const env of auth ? [auth.usernameEnv, auth.passwordEnv] : []) {
      if (secretFromEnv(env) === undefined) warnings.push(`the environment variable ${env} is not set here: set it for the worker before the first sync`);
    }
    return { kind: 'soap', settings, warnings };
  }
  if (o.kind === 'commerceml') {
    const settings = { login: o.login, passwordEnv: o.passwordEnv };
    const bad = parseCommerceMLSettings(settings);
    if (typeof bad === 'string') throw new Error(`--login and --password-env are required for a commerceml source (${bad})`);
    if (secretFromEnv(o.passwordEnv!) === undefined) warnings.push(`the environment variable ${o.passwordEnv} is not set here: set it for the web role`);
    return { kind: 'commerceml', settings, warnings };
  }
  throw new Error(`--kind must be soap or commerceml, not "${o.kind}"`);
}

export function registerSource(program: Command, withRuntime: <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>): void {
  const source = program.command('source').description('register and list accounting-system sources');

  source
    .command('add <name>')
    .description('register a source (checked first: the mapping file, the settings)')
    .requiredOption('--kind <kind>', 'soap or commerceml')
    .option('--mapping <file>', 'soap: the mapping file')
    .option('--endpoint <url>', 'soap: the service URL (default: the mapping’s service.endpoint)')
    .option('--title <title>', 'the name staff see in the console')
    .option('--login <login>', 'commerceml: the login typed into the 1C exchange node')
    .option('--password-env <VAR>', 'commerceml: the environment variable holding its password')
    .action(async (name: string, o: AddOptions) => {
      if (!NAME.test(name)) throw new Error(`the name "${name}" must be lower-case letters, digits, - and _ (it appears in URLs and logs)`);
      const spec = await sourceSettings(o); // before any database work: a bad file fails fast, with a non-zero exit
      await withRuntime(async (rt) => {
        const existing = await rt.db('sources').where({ name }).first('id');
        if (existing) throw new Error(`a source named "${name}" exists already (id ${existing.id})`);
        const id = await ensureSource(rt.db, { name, kind: spec.kind, title: o.title ?? name, settings: spec.settings });
        await announceSourcesChanged(rt);
        for (const w of spec.warnings) console.log(`warning: ${w}`);
        console.log(`source "${name}" (${spec.kind}) registered with id ${id}`);
        if (spec.kind === 'soap') console.log(`next: counterpart sync ${name} --full   (then the scheduler polls its change feed)`);
      });
    });

  source
    .command('list')
    .description('every source with its kind, as-of stamp and last successful sync')
    .action(() =>
      withRuntime(async (rt) => {
        const rows = await rt.db('sources').orderBy('id').select('id', 'name', 'kind', 'title', 'as_of', 'last_success_at', 'cursor');
        if (!rows.length) console.log('no sources; add one with: counterpart source add NAME --kind soap --mapping FILE');
        for (const r of rows) {
          const asOf = r.as_of ? r.as_of.toISOString() : 'never synced';
          const ok = r.last_success_at ? `, last success ${r.last_success_at.toISOString()}` : '';
          console.log(`${r.id}\t${r.name}\t${r.kind}\t${r.title}\tas of ${asOf}${ok}${r.cursor ? `, cursor ${r.cursor}` : ''}`);
        }
      }),
    );
}
