// One reader per process of the mirror's change stream (Redis stream `<prefix>:mirror:changes`,
// MirrorChangeEvent JSON in field 'event'), fanned out to every open SSE connection.
import type { Redis } from 'ioredis';
import { log } from '../../log.ts';
import type { MirrorChangeEvent } from '../../sync/types.ts';

export const changesKey = (prefix: string) => `${prefix}:mirror:changes`;

export type ChangeListener = (e: MirrorChangeEvent) => void;

export class ChangeFeed {
  private listeners = new Set<ChangeListener>();
  private conn: Redis | null = null;
  private running = false;
  private lastId = '$';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly blockMs = 5000,
  ) {}

  subscribe(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    if (!this.running) this.start();
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
    void this.loop();
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
            for (const fn of this.listeners) {
              try {
                fn(event);
              } catch (err) {
                log.warn({ err: (err as Error).message }, 'change listener failed');
              }
            }
          }
        }
      } catch (err) {
        if (!this.running) break;
        log.warn({ err: (err as Error).message }, 'change feed read failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.conn?.disconnect();
    this.conn = null;
  }
}

/** Offers an event touches (null = everything: the event's lists were cut). */
export function touchedOffers(e: MirrorChangeEvent): Set<number> | null {
  if (e.truncated) return null;
  return new Set([...e.stockChangedOffers, ...e.priceChangedOffers, ...e.stockCrossed.map((s) => s[0])]);
}
