// The console's connector-backed features, wired here because the web may not import
// connectors: mapping validate and dry-run for SOAP sources, reporting what the CLI reports
// (`counterpart mapping validate|dry-run`): the same loader, importer and result format; and
// the exchange sessions of CommerceML sources; and the queue board (the web does not touch BullMQ).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import { recentExchanges } from '../../../connectors/commerceml/index.ts';
import { adapterFor, importFull, loadMapping, mappingFile, parseSoapSettings } from '../../../connectors/soap/index.ts';
import { secretFromEnv } from '../../infra/config.ts';
import { getQueue } from '../../infra/queue/connection.ts';
import { within } from '../../infra/within.ts';
import { QUEUES } from '../../infra/queue/names.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { formatDryRun } from '../../sources/sync-report.ts';
import { openSyncRun } from '../../sync/index.ts';
import type { ConsoleServices, MappingReport, QueueCounts } from '../../web/console-services.ts';
import { QUEUES_PATH } from '../../web/routes/console/queues.ts';
import { SESSION_TTL_MS } from '../../../connectors/commerceml/exchange/sessions.ts';

/** Items read per call group in a browser dry run: enough to exercise the mapping, quick to answer. */
const DRY_RUN_LIMIT = 20;
const SAMPLES = 2;

/** bull-board over every BullMQ queue, served at QUEUES_PATH behind the web's admin guard. */
export function queueBoard(rt: Runtime): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map((q) => new BullMQAdapter(getQueue(rt, q))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Counterpart queues' } },
  });
  return serverAdapter.getRouter();
}

/** Job counts of every job kind's queue, for /metrics; Redis down, it fails within the hand-over bound (the scrape answers without them). */
export function queueCounts(rt: Runtime): Promise<QueueCounts[]> {
  return within(
    rt.config.QUEUE_HANDOVER_MS,
    Promise.all(
      Object.values(QUEUES).map(async (queue) => ({
        queue,
        counts: await getQueue(rt, queue).getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
      })),
    ),
  );
}

/** CommerceML exchange sessions 1C may still continue (open, seen within the session TTL), per source. */
export async function openExchanges(rt: Runtime): Promise<{ source: string; open: number }[]> {
  const { rows } = await rt.db.raw(
    `SELECT s.name AS source, count(x.id)::int AS open
       FROM sources s LEFT JOIN commerceml_sessions x
         ON x.source_id = s.id AND x.state = 'open' AND x.last_seen_at > now() - make_interval(secs => ?)
      WHERE s.kind = 'commerceml'
      GROUP BY s.name`,
    [SESSION_TTL_MS / 1000],
  );
  return rows;
}

export function consoleServices(rt: Runtime): ConsoleServices {
  return {
    queueBoard: queueBoard(rt),
    queueCounts: () => queueCounts(rt),
    openExchanges: () => openExchanges(rt),
    exchanges: (sourceId) => recentExchanges(rt.db, sourceId),
    async checkMapping(sourceId, { dryRun }): Promise<MappingReport> {
      const src = await rt.db('sources').where({ id: sourceId }).first('id', 'name', 'kind', 'settings');
      if (!src) return { ok: false, lines: [`There is no source ${sourceId}.`] };
      if (src.kind !== 'soap') return { ok: false, lines: [`Source "${src.name}" is a ${src.kind} source: only SOAP sources have a mapping file to check.`] };
      const lines: string[] = [];
      try {
        const settings = parseSoapSettings(src.name, src.settings);
        const loaded = await loadMapping(mappingFile(settings.mapping));
        const m = loaded.mapping;
        lines.push(`${settings.mapping}: valid (${Object.keys(m.entities).length} entities${m.changes ? ', change feed' : ''}${m.orders ? ', orders' : ''})`);
        if (!dryRun) return { ok: true, lines };
        const samples = new Map<string, unknown[]>();
        const t = Date.now();
        const out = await importFull({
          adapter: adapterFor(loaded, secretFromEnv, settings.endpoint),
          mapping: m,
          openRun: (r) => openSyncRun(rt, { sourceId, kind: 'mapping dry-run', mode: 'delta', asOf: r.asOf, cursor: null }),
          limit: DRY_RUN_LIMIT,
          onRecords: (entity, recs) => {
            const s = samples.get(entity) ?? [];
            s.push(...recs.slice(0, SAMPLES - s.length));
            samples.set(entity, s);
          },
          dryRun: true,
        });
        lines.push(
          `dry run: up to ${DRY_RUN_LIMIT} items per call, nothing written`,
          ...formatDryRun(out.result, Date.now() - t).split('\n'),
          '',
          'records as mapped (samples):',
        );
        for (const [entity, recs] of samples) for (const r of recs) lines.push(`  ${entity}: ${JSON.stringify(r)}`);
        return { ok: true, lines };
      } catch (err) {
        lines.push(...String((err as Error).message ?? err).split('\n'));
        return { ok: false, lines };
      }
    },
  };
}
