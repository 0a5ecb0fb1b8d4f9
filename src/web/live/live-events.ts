// Server-sent events for open pages: one Redis subscription per app process fans the store's
// events out to the connected browsers — reservation events only to the owning client's pages,
// availability events to everyone.
import type { Request, Response } from 'express';
import { log } from '../../infra/log.ts';
import { within } from '../../infra/within.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { type StoreEvent, storeEventsChannel } from '../../store/shared/events.ts';
import { trackEventStream } from './streams.ts';

interface Listener {
  clientId: number | null;
  res: Response;
}

export class LiveEvents {
  private listeners = new Set<Listener>();
  private subscribed: Promise<void> | undefined;

  constructor(private readonly rt: Runtime) {}

  // Every caller waits for the one SUBSCRIBE (a second page opened meanwhile must not answer first).
  private ensureSubscribed(): Promise<void> {
    this.subscribed ??= this.subscribe().catch((err) => {
      this.subscribed = undefined; // the next page tries again
      throw err;
    });
    return this.subscribed;
  }

  private async subscribe(): Promise<void> {
    const sub = this.rt.redis.duplicate();
    sub.on('error', (err) => log.warn({ err: err.message }, 'live events: redis error'));
    sub.on('message', (_channel, raw) => this.dispatch(raw));
    this.rt.onShutdown('live events', async () => {
      for (const l of this.listeners) l.res.end();
      sub.disconnect();
    });
    await sub.subscribe(storeEventsChannel(this.rt.prefix));
  }

  private dispatch(raw: string): void {
    let e: StoreEvent;
    try {
      e = JSON.parse(raw) as StoreEvent;
    } catch {
      return;
    }
    // Availability events are named per offer ("avail-<id>") so a reserve box listens to its own.
    const offers = e.type === 'reservation' ? [e.offerId] : e.offerIds.slice(0, 500);
    const avail = offers.map((id) => `event: avail-${id}\ndata: ${id}\n\n`).join('');
    for (const l of this.listeners) {
      if (e.type === 'reservation' && e.clientId === l.clientId) {
        l.res.write(`event: reservation\ndata: ${JSON.stringify({ id: e.reservationId, change: e.change, offerId: e.offerId })}\n\n`);
      }
      l.res.write(avail);
    }
  }

  /** Keeps the response open as an event stream until the browser goes away. */
  async attach(req: Request, res: Response, clientId: number | null): Promise<void> {
    // Redis down: the stream opens anyway after the hand-over bound, quiet until the subscription
    // is made (a page still works; it refreshes on its next action).
    await within(this.rt.config.QUEUE_HANDOVER_MS, this.ensureSubscribed()).catch((err: Error) =>
      log.warn({ err: err.message }, 'live events: not subscribed yet; the stream opens without updates'),
    );
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    trackEventStream(req, res);
    res.write(': connected\n\n');
    const listener: Listener = { clientId, res };
    this.listeners.add(listener);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.on('close', () => {
      clearInterval(ping);
      this.listeners.delete(listener);
    });
  }
}
