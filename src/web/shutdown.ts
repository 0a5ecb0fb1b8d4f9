// Graceful stop of the web's HTTP server: at once /readyz turns 503 and event streams end; for
// `unreadyMs` the listener stays open (a load balancer that polls /readyz stops sending meanwhile;
// what still comes is served, each response closing its connection); then no new connections,
// idle keep-alive connections closed, requests in flight allowed to finish until a deadline —
// then whatever is still open is cut.
import type { Server } from 'node:http';
import type { Application, NextFunction, Request, Response } from 'express';
import { log } from '../infra/log.ts';
import { isDraining, startDraining } from './live/streams.ts';

/**
 * While the app drains: every response closes its connection (a client's next request opens a
 * new one, through the balancer, to another web) and a new event stream is refused with 503 — it
 * would only be ended again (the htmx SSE extension reconnects after a back-off).
 */
export function whileDraining(req: Request, res: Response, next: NextFunction): void {
  if (!isDraining(req.app)) {
    next();
    return;
  }
  res.setHeader('Connection', 'close');
  if (req.get('accept')?.includes('text/event-stream')) {
    res.status(503).setHeader('Retry-After', '1');
    res.type('text/plain').send('shutting down');
    return;
  }
  next();
}

export interface HttpDrain {
  /** Resolves once every connection is closed, by the deadline at the latest; later calls get the first's promise. */
  drain(deadline: number): Promise<void>;
}

export function httpDrain(server: Server, app: Application, opts: { unreadyMs?: number } = {}): HttpDrain {
  let inFlight = 0;
  let draining = false;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      // its keep-alive connection is idle now: close it rather than wait for the client
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  let drained: Promise<void> | undefined;
  async function drain(deadline: number): Promise<void> {
    const streams = startDraining(app);
    const unreadyMs = Math.max(0, Math.min(opts.unreadyMs ?? 0, deadline - Date.now()));
    if (unreadyMs) {
      log.info({ unreadyMs, streams }, 'web unready: /readyz answers 503, event streams ended; the listener closes after this');
      await new Promise((r) => setTimeout(r, unreadyMs));
    }
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // (an ended event stream counts until its connection has closed)
    log.info({ inFlight: unreadyMs ? inFlight : inFlight - streams, streams }, 'web draining: requests in flight may finish, event streams ended');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => {
      timer = setTimeout(() => r('late'), Math.max(0, deadline - Date.now()));
    });
    const end = await Promise.race([closed, late]);
    clearTimeout(timer);
    if (end === 'late') {
      log.warn({ inFlight }, 'web drain: requests still in flight at the shutdown deadline were cut off');
      server.closeAllConnections();
      await closed;
    }
  }
  return {
    drain(deadline) {
      drained ??= drain(deadline);
      return drained;
    },
  };
}
