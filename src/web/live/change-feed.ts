// One reader per process of the mirror's change stream (Redis stream `<prefix>:mirror:changes`,
// MirrorChangeEvent JSON in field 'event') and of the store's events channel (reservations and
// order holds change availability), fanned out to every open SSE connection as "these offers
// changed" (null = anything may have changed).
import type { Redis } from 'ioredis';
import { log } from '../../infra/log.ts';
import { type StoreEvent, storeEventsChannel } from '../../store/shared/events.ts';
import { changesStreamKey as changesKey, type MirrorChangeEvent } from '../../mirror/changes.ts';

export type ChangeListener = (touched: Set<number> | null) => void;

export class ChangeFeed {
  private listeners = new Set<ChangeListener>();
  private conn: Redis | null = null;
  private sub: Redis | null = null;
  private running = false;
  private lastId = '0-0';
  private ready: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly blockMs = 5000,
  ) {}

  /** Resolves once events published from now on will reach fn. */
  async subscribe(fn: ChangeListener): Promise<() => void> {
    this.listeners.add(fn);
    if (!this.running) this.start();
    await this.ready;
    return () => {
      this.listeners.delete(fn);
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  private start() {
    this.running = true;
    // A blocking read needs its own connection.
    this.conn = this.redis.duplicate();
    this.conn.on('error', (err) => log.warn({ err: err.message }, 'change feed redis error'));
    // Start after the newest entry now in the stream (not '$' at the first read: an event
    // published between subscribe and that read would be lost).
    this.ready = this.conn
      .xrevrange(changesKey(this.prefix), '+', '-', 'COUNT', 1)
      .then((last) => {
        this.lastId = last[0]?.[0] ?? '0-0';
      })
      .catch((err) => {
        log.warn({ err: (err as Error).message }, 'change feed start failed');
        this.lastId = '$';
      });
    this.sub = this.redis.duplicate();
    this.sub.on('error', (err) => log.warn({ err: err.message }, 'store events redis error'));
    this.sub.on('message', (_ch, raw) => {
      try {
        const e = JSON.parse(raw) as StoreEvent;
        if (e.type === 'availability') this.emit(new Set(e.offerIds));
        else if (e.type === 'reservation') this.emit(new Set([e.offerId]));
      } catch {
        // not ours
      }
    });
    const subscribed = this.sub.subscribe(storeEventsChannel(this.prefix)).then(
      () => undefined,
      () => undefined,
    );
    this.ready = Promise.all([this.ready, subscribed]).then(() => undefined);
    void this.ready.then(() => this.loop());
  }

  private async loop() {
    while (this.running) {
      try {
        const res = (await this.conn!.xread('COUNT', 100, 'BLOCK', this.blockMs, 'STREAMS', changesKey(this.prefix), this.lastId)) as
          | [string, [string, string[]][]][]
          | null;
        if (!res) continue;
        for (const [, entries] of res) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            const at = fields.indexOf('event');
            if (at < 0) continue;
            let event: MirrorChangeEvent;
            try {
              event = JSON.parse(fields[at + 1]!);
            } catch {
              continue;
            }
            this.emit(touchedOffers(event));
          }
        }
      } catch (err) {
        if (!this.running) break;
        log.warn({ err: (err as Error).message }, 'change feed read failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private emit(touched: Set<number> | null) {
    for (const fn of this.listeners) {
      try {
        fn(touched);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'change listener failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.conn?.disconnect();
    this.sub?.disconnect();
    this.conn = null;
    this.sub = null;
  }
}

/** Offers an event touches (null = everything: the event's lists were cut). */
export function touchedOffers(e: MirrorChangeEvent): Set<number> | null {
  if (e.truncated) return null;
  return new Set([...e.stockChangedOffers, ...e.priceChangedOffers, ...e.stockCrossed.map((s) => s[0])]);
}
