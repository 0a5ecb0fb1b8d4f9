// GET /metrics in Prometheus text format (prom-client): HTTP latency by route pattern, BullMQ
// queue depths and failures per job kind, each source's sync lag and last success, open 1C
// exchange sessions, the outbox backlog, and the process's own metrics. Gauges are read at
// scrape time; the queue and exchange figures come through ConsoleServices ports (the web does
// not import BullMQ or connectors). Served to loopback callers, or with METRICS_TOKEN as a
// bearer token: through a proxy on the same host a request carries X-Forwarded-For, so it counts
// as loopback only when both the socket and the client address are.
import { timingSafeEqual } from 'node:crypto';
import { type Request, type RequestHandler, Router } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DomainError } from '../../infra/domain-error.ts';
import { log } from '../../infra/log.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { sourceFreshness } from '../../mirror/freshness.ts';
import type { ConsoleServices } from '../console-services.ts';

export const METRICS_PATH = '/metrics';

const isLoopback = (a: string | undefined) => !!a && (a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.'));

function allowed(req: Request, token: string | undefined): boolean {
  if (isLoopback(req.socket.remoteAddress) && isLoopback(req.ip)) return true;
  const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (!token || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The route pattern a request matched (`/orders/:id`), not its URL; `unmatched` for 404s and static files. */
function routeOf(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (!route?.path) return 'unmatched';
  const p = Array.isArray(route.path) ? route.path.join('|') : String(route.path);
  return `${req.baseUrl}${p}` || '/';
}

/** Runs a gauge's reading; a failure (Redis or the database down) leaves the gauge empty and is logged. */
async function reading(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.warn({ err, metric: name }, 'metrics: reading failed');
  }
}

export interface WebMetrics {
  /** Times every request (mount first). */
  observe: RequestHandler;
  /** GET /metrics. */
  router: Router;
  registry: Registry;
}

export function webMetrics(rt: Runtime, services: ConsoleServices = {}): WebMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const latency = new Histogram({
    name: 'cp_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  new Gauge({
    name: 'cp_queue_jobs',
    help: 'BullMQ jobs per queue (job kind) and state (waiting, active, delayed, prioritized, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!services.queueCounts) return;
      await reading('cp_queue_jobs', async () => {
        for (const q of await services.queueCounts!()) for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.queue, state }, n);
      });
    },
  });

  new Gauge({
    name: 'cp_source_sync_lag_seconds',
    help: "Seconds between now and the accounting system's time of a source's data (as_of)",
    labelNames: ['source', 'kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await reading('cp_source_sync_lag_seconds', async () => {
        for (const s of await sourceFreshness(rt.db, rt.config.SOURCE_STALE_AFTER_S)) {
          if (s.as_of) this.set({ source: s.name, kind: s.kind }, (Date.now() - new Date(s.as_of).getTime()) / 1000);
        }
      });
    },
  });

  new Gauge({
    name: 'cp_source_last_success_timestamp_seconds',
    help: "Unix time of a source's last successful sync",
    labelNames: ['source', 'kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await reading('cp_source_last_success_timestamp_seconds', async () => {
        for (const s of await sourceFreshness(rt.db, rt.config.SOURCE_STALE_AFTER_S)) {
          if (s.last_success_at) this.set({ source: s.name, kind: s.kind }, new Date(s.last_success_at).getTime() / 1000);
        }
      });
    },
  });

  new Gauge({
    name: 'cp_exchange_sessions_open',
    help: 'Open 1C (CommerceML) exchange sessions per source',
    labelNames: ['source'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!services.openExchanges) return;
      await reading('cp_exchange_sessions_open', async () => {
        for (const e of await services.openExchanges!()) this.set({ source: e.source }, e.open);
      });
    },
  });

  new Gauge({
    name: 'cp_outbox_rows',
    help: 'Outbox rows not yet delivered, by kind and state (pending, failed)',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await reading('cp_outbox_rows', async () => {
        const { rows } = await rt.db.raw(`SELECT kind, state, count(*)::int AS n FROM outbox WHERE state <> 'delivered' GROUP BY kind, state`);
        for (const r of rows as { kind: string; state: string; n: number }[]) this.set({ kind: r.kind, state: r.state }, r.n);
      });
    },
  });

  const observe: RequestHandler = (req, res, next) => {
    const end = latency.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
    next();
  };

  const router = Router();
  router.get(METRICS_PATH, async (req, res, next) => {
    if (!allowed(req, rt.config.METRICS_TOKEN)) {
      return next(new DomainError('forbidden', 'Metrics are served to loopback callers or with the metrics bearer token.'));
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { observe, router, registry };
}
