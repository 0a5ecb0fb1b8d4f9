// Announces changes to the store by a signed webhook, as a modern accounting system would.
// Signature: hex HMAC-SHA256 of `${timestamp}.${body}` with the shared secret.
import { createHmac } from 'node:crypto';
import type { FeedEntry } from './state.ts';

export interface WebhookTarget { url: string; secret: string }

export function signature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Posts entries to the store; batches changes made in the same tick into one call. */
export class WebhookAnnouncer {
  private pending: FeedEntry[] = [];
  private scheduled = false;
  readonly sent: { at: number; status: number | string }[] = [];
  private inflight = new Set<Promise<void>>();

  constructor(public target: WebhookTarget | null) {}

  announce(entries: FeedEntry[]): void {
    if (!this.target) return;
    this.pending.push(...entries);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      const p = this.post(batch).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    });
  }

  private async post(entries: FeedEntry[]): Promise<void> {
    const target = this.target;
    if (!target || !entries.length) return;
    const body = JSON.stringify({ cursor: String(entries.at(-1)!.seq), changes: entries.map((e) => ({ entity: e.entity, id: e.id })) });
    for (let attempt = 1; ; attempt++) {
      const ts = String(Math.floor(Date.now() / 1000));
      try {
        const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-counterpart-timestamp': ts, 'x-counterpart-signature': `sha256=${signature(target.secret, ts, body)}` },
          body,
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer();
        this.sent.push({ at: Date.now(), status: res.status });
        return;
      } catch (err) {
        // One retry covers a keep-alive connection the store closed just now; a store that is
        // down misses the announcement and still finds the change by polling the feed.
        if (attempt < 2) continue;
        this.sent.push({ at: Date.now(), status: (err as Error).message });
        this.onError?.(`webhook to ${target.url} failed: ${(err as Error).message}`);
        return;
      }
    }
  }

  /** Told about announcements that could not be delivered (the CLI prints them). */
  onError?: (message: string) => void;

  /** Waits for announcements already made (including ones batched for this tick). */
  async drain(): Promise<void> {
    await new Promise<void>((r) => queueMicrotask(r));
    await Promise.allSettled([...this.inflight]);
  }
}
