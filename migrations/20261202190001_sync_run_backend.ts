// sync_runs.backend_pid: the PostgreSQL backend that holds a run's transaction. A run still
// `running` whose backend no longer exists was abandoned by a killed process; the sweep
// (jobs/sync-runs-sweep.ts) marks it failed instead of leaving it `running` forever.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE sync_runs ADD COLUMN backend_pid int;
    CREATE INDEX sync_runs_running ON sync_runs (started_at) WHERE state = 'running';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sync_runs DROP COLUMN backend_pid');
}
