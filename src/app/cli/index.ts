// The `counterpart` command line. Each process role and admin task is a subcommand.
import fs from 'node:fs';
import { Command } from 'commander';
import { ROWS_FILE, rowTypesSource } from '../../infra/db/row-types.ts';
import { migrateLatest, migrateRollbackAll } from '../../infra/db/migrate.ts';
import { DomainError, messageIn } from '../../infra/domain-error.ts';
import { log } from '../../infra/log.ts';
import { startRoles } from '../roles/start.ts';
import { createRuntime } from '../../infra/runtime.ts';
import { registerBlobs } from './blobs.ts';
import { registerMapping } from './mapping.ts';
import { registerSource } from './source.ts';
import { collectStats, formatStats } from './stats.ts';
import { registerSync } from './sync.ts';
import { addUserCommands } from './users.ts';

/** Runs fn with a runtime and always shuts it down. */
async function withRuntime<T>(fn: (rt: Awaited<ReturnType<typeof createRuntime>>) => Promise<T>, migrate = true): Promise<T> {
  const rt = await createRuntime({ migrate });
  try {
    return await fn(rt);
  } finally {
    await rt.shutdown();
  }
}

export function buildCli(): Command {
  const program = new Command('counterpart').description('Counterpart B2B store').showHelpAfterError();

  program
    .command('migrate')
    .description('apply pending migrations (--down rolls every migration back)')
    .option('--down', 'roll back all migrations')
    .action((o: { down?: boolean }) =>
      withRuntime(async (rt) => {
        const names = o.down ? await migrateRollbackAll(rt.db) : await migrateLatest(rt.db);
        console.log(names.length ? `${o.down ? 'rolled back' : 'applied'}: ${names.join(', ')}` : 'nothing to do');
      }, false),
    );

  program
    .command('db-types')
    .description('migrate, then regenerate src/infra/db/rows.ts (the row types of every table) from the schema')
    .action(() =>
      withRuntime(async (rt) => {
        await migrateLatest(rt.db);
        fs.writeFileSync(ROWS_FILE, await rowTypesSource(rt.db));
        console.log(`written: ${ROWS_FILE}`);
      }, false),
    );

  program
    .command('stats')
    .description('row counts of every table and each source’s freshness')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const s = await collectStats(rt.db, rt.config.SOURCE_STALE_AFTER_S);
        console.log(o.json ? JSON.stringify(s, null, 2) : formatStats(s));
      }),
    );

  addUserCommands(program, withRuntime);
  registerSync(program, withRuntime);
  registerMapping(program, withRuntime);
  registerSource(program, withRuntime);
  registerBlobs(program, withRuntime);

  for (const role of ['web', 'worker', 'scheduler'] as const) {
    program.command(role).description(`run the ${role} role`).action(async () => {
      await startRoles([role], { demo: false });
    });
  }
  program
    .command('all')
    .description('run every role in one process')
    .option('--demo', 'also run the demo pieces (simulator, SMTP capture) with demo data')
    .action(async (o: { demo?: boolean }) => {
      await startRoles(['web', 'worker', 'scheduler'], { demo: Boolean(o.demo) });
    });

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    log.error({ err }, 'command failed');
    // the command line speaks English: a store refusal in its English words
    console.error(`counterpart: ${err instanceof DomainError && err.text ? messageIn('en', err.text) : (err as Error).message}`);
    process.exitCode = 1;
  }
}
