// The event streams (text/event-stream answers) an app has open, so a shutdown can end them at
// once: they never finish by themselves, and a browser's EventSource reconnects — through the
// proxy, to a web that is still running.
import type { Application, Request, Response } from 'express';

const open = new WeakMap<Application, Set<Response>>();
const draining = new WeakSet<Application>();

/**
 * From now on `app` is shutting down: /readyz answers 503, new event streams are refused (503;
 * the browser's htmx SSE extension retries, through the proxy, elsewhere), and every response
 * closes its connection. Ends the open event streams; returns how many there were.
 */
export function startDraining(app: Application): number {
  draining.add(app);
  return endEventStreams(app);
}

export const isDraining = (app: Application) => draining.has(app);

/** Counts `res` as an open event stream of its app until the request closes. */
export function trackEventStream(req: Request, res: Response): void {
  const streams = open.get(req.app) ?? new Set<Response>();
  open.set(req.app, streams);
  streams.add(res);
  req.on('close', () => streams.delete(res));
  res.on('close', () => streams.delete(res));
}

/** Ends every open event stream of `app`; returns how many there were. */
export function endEventStreams(app: Application): number {
  const set = open.get(app);
  if (!set) return 0;
  const n = set.size;
  for (const res of set) res.end();
  set.clear();
  return n;
}
