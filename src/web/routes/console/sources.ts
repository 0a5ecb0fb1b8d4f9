// Console › Sources: state, as_of, last runs with a live progress bar (htmx polling of the runs
// fragment while something runs), and per source kind what the store can do: for SOAP "run full
// / changes now", mapping validate and dry-run; for CommerceML (1C starts every exchange) its
// recent exchanges and no buttons. An action posted for a kind it does not apply to is refused.
import { Router } from 'express';
import type { Runtime } from '../../../infra/runtime.ts';
import { assertSourceAction, sourceActions } from '../../../mirror/source-actions.ts';
import { countsSummary, progressPct, sourcesWithRuns } from '../../../store/console/console-data.ts';
import { consoleSource, requestSourceSync } from '../../../store/console/sync-requests.ts';
import { requireRole, viewerOf } from '../../auth/context.ts';
import type { ConsoleServices } from '../../console-services.ts';
import { flash } from '../../auth/session.ts';
import { notFound } from '../../errors.ts';

/** After "run now", the page polls fast for this long even before the queued run starts. */
const WATCH_MS = 60_000;

async function model(rt: Runtime, services: ConsoleServices, watchParam?: unknown) {
  const watch = /^\d{13}$/.test(String(watchParam ?? '')) && Date.now() - Number(watchParam) < WATCH_MS ? String(watchParam) : null;
  const sources = await sourcesWithRuns(rt.db);
  const view = await Promise.all(
    sources.map(async (s) => {
      const actions = sourceActions(s.kind);
      return {
        ...s,
        actions: { ...actions, any: actions.full || actions.changes || actions.mapping },
        pushed: s.kind === 'commerceml',
        exchangeLog: s.kind === 'commerceml' && Boolean(services.exchanges),
        exchanges: s.kind === 'commerceml' && services.exchanges ? await services.exchanges(s.id) : null,
        runs: s.runs.map((r) => ({ ...r, pct: progressPct(r.progress), summary: countsSummary(r.counts), running: r.state === 'running', dropped: (r.warnings ?? []).some((w) => w.dropped) })),
      };
    }),
  );
  const anyRunning = view.some((s) => s.runs.some((r) => r.running));
  return { sources: view, anyRunning, watch, fast: anyRunning || Boolean(watch) };
}

const idOf = (v: unknown) => {
  if (!/^\d{1,9}$/.test(String(v))) throw notFound('Source');
  return Number(v);
};

export function consoleSourcesRoutes(rt: Runtime, services: ConsoleServices): Router {
  const r = Router();
  const staff = requireRole('admin', 'manager');
  const admin = requireRole('admin');

  r.get('/console/sources', ...staff, async (req, res) => {
    res.render('console/sources', { title: 'Sources', section: 'sources', ...(await model(rt, services, req.query.watch)), isAdmin: viewerOf(res).role === 'admin', canCheckMapping: Boolean(services.checkMapping) });
  });

  r.get('/console/sources/runs', ...staff, async (req, res) => {
    res.set('Vary', 'HX-Request').render('fragments/console-runs', { layout: false, ...(await model(rt, services, req.query.watch)), isAdmin: viewerOf(res).role === 'admin', canCheckMapping: Boolean(services.checkMapping) });
  });

  r.post('/console/sources/:id/run', ...admin, async (req, res) => {
    const sourceId = idOf(req.params.id);
    const mode = req.body?.mode === 'full' ? 'full' : req.body?.mode === 'changes' ? 'changes' : null;
    if (!mode) throw notFound('Source');
    // the same requests the CLI and webhooks make: deduplicated while one waits
    const source = await requestSourceSync(rt, sourceId, mode);
    flash(req, 'ok', `A ${mode === 'full' ? 'full' : 'changes'} sync of "${source.name}" was queued.`);
    res.redirect(303, `/console/sources?watch=${Date.now()}`);
  });

  r.post('/console/sources/:id/mapping', ...admin, async (req, res) => {
    const sourceId = idOf(req.params.id);
    const source = await consoleSource(rt.db, sourceId);
    assertSourceAction(source, 'mapping');
    const dryRun = req.body?.action === 'dry-run';
    let report: { ok: boolean; lines: string[] };
    if (!services.checkMapping) report = { ok: false, lines: ['Mapping checks are not available in this process (no connectors are wired into the web role).'] };
    else {
      try {
        report = await services.checkMapping(sourceId, { dryRun });
      } catch (err) {
        report = { ok: false, lines: [`${dryRun ? 'Dry run' : 'Validation'} failed: ${(err as Error).message}`] };
      }
    }
    const data = { layout: req.get('hx-request') ? false : undefined, title: 'Mapping', section: 'sources', source, dryRun, report };
    res.render(req.get('hx-request') ? 'fragments/console-mapping-report' : 'console/mapping', data);
  });
  return r;
}
