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
import { tOf } from '../../i18n.ts';
import type { Translate } from '../../../infra/i18n/index.ts';

/** After "run now", the page polls fast for this long even before the queued run starts. */
const WATCH_MS = 60_000;

/** A state or kind code in the page's language; a code the catalogs do not know is shown as it is. */
const codeText = (t: Translate, group: 'state' | 'kind', code: string | null | undefined) => (code ? t(`console.${group}.${code}`, { defaultValue: code }) : '');

/** The run's counts summed over entities, each figure kept as it is, named in the page's language. */
const summaryText = (t: Translate, counts: Parameters<typeof countsSummary>[0]) =>
  countsSummary(counts, (k) => t(`console.counts.${k}`, { defaultValue: k }), t('console.counts.none'));

async function model(rt: Runtime, services: ConsoleServices, t: Translate, watchParam?: unknown) {
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
        exchanges:
          s.kind === 'commerceml' && services.exchanges
            ? (await services.exchanges(s.id)).map((e) => ({
                ...e,
                typeText: codeText(t, 'kind', e.type),
                stateText: codeText(t, 'state', e.state),
                files: e.files.map((f) => ({ ...f, stateText: codeText(t, 'state', f.state) })),
              }))
            : null,
        runs: s.runs.map((r) => ({
          ...r,
          kindText: codeText(t, 'kind', r.kind),
          // a full run's mode is "full" too: said once
          modeText: r.mode === r.kind ? '' : codeText(t, 'kind', r.mode),
          stateText: codeText(t, 'state', r.state),
          pct: progressPct(r.progress),
          summary: summaryText(t, r.counts),
          running: r.state === 'running',
          dropped: (r.warnings ?? []).some((w) => w.dropped),
        })),
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
    res.render('console/sources', { title: tOf(res)('console.sources.title'), section: 'sources', ...(await model(rt, services, tOf(res), req.query.watch)), isAdmin: viewerOf(res).role === 'admin', canCheckMapping: Boolean(services.checkMapping) });
  });

  r.get('/console/sources/runs', ...staff, async (req, res) => {
    res.set('Vary', 'HX-Request').render('fragments/console-runs', { layout: false, ...(await model(rt, services, tOf(res), req.query.watch)), isAdmin: viewerOf(res).role === 'admin', canCheckMapping: Boolean(services.checkMapping) });
  });

  r.post('/console/sources/:id/run', ...admin, async (req, res) => {
    const sourceId = idOf(req.params.id);
    const mode = req.body?.mode === 'full' ? 'full' : req.body?.mode === 'changes' ? 'changes' : null;
    if (!mode) throw notFound('Source');
    // the same requests the CLI and webhooks make: deduplicated while one waits
    const source = await requestSourceSync(rt, sourceId, mode);
    flash(req, 'ok', tOf(res)(mode === 'full' ? 'console.sources.queued.full' : 'console.sources.queued.changes', { name: source.name }));
    res.redirect(303, `/console/sources?watch=${Date.now()}`);
  });

  r.post('/console/sources/:id/mapping', ...admin, async (req, res) => {
    const sourceId = idOf(req.params.id);
    const source = await consoleSource(rt.db, sourceId);
    assertSourceAction(source, 'mapping');
    const dryRun = req.body?.action === 'dry-run';
    const t = tOf(res);
    let report: { ok: boolean; lines: string[] };
    if (!services.checkMapping) report = { ok: false, lines: [t('console.mapping.unavailable')] };
    else {
      try {
        report = await services.checkMapping(sourceId, { dryRun });
      } catch (err) {
        report = { ok: false, lines: [t('console.mapping.failed', { what: t(dryRun ? 'console.mapping.dryRun' : 'console.mapping.validation'), message: (err as Error).message })] };
      }
    }
    const data = { layout: req.get('hx-request') ? false : undefined, title: t('console.mapping.title'), section: 'sources', source, dryRun, report };
    res.render(req.get('hx-request') ? 'fragments/console-mapping-report' : 'console/mapping', data);
  });
  return r;
}
