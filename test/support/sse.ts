// An SSE client for route tests: opens a text/event-stream answer with a WebClient's cookies
// and reads complete messages until a condition holds (a timeout names what was awaited).
import type { WebClient } from './web-client.ts';

export interface SseMessage {
  event: string;
  data: string;
}

export class SseStream {
  /** Every complete named message so far, in order. */
  readonly messages: SseMessage[] = [];
  private readonly decoder = new TextDecoder(); // stream mode: a UTF-8 character split between chunks stays whole
  private buf = '';
  private ended = false;

  private constructor(
    readonly res: Response,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
  ) {}

  /** Opens path; resolves once the answer's headers are in (the server subscribed before sending them). */
  static async open(c: Pick<WebClient, 'base' | 'cookies'>, path: string): Promise<SseStream> {
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    // as a browser's EventSource asks
    const res = await fetch(c.base + path, { headers: { cookie, accept: 'text/event-stream' }, redirect: 'manual' });
    if (!res.body) throw new Error(`${path}: no body (status ${res.status})`);
    return new SseStream(res, res.body.getReader());
  }

  /** The last data of each event name. */
  last(): Map<string, string> {
    return new Map(this.messages.map((m) => [m.event, m.data]));
  }

  /** Reads until want(messages) holds; fails naming `what` after ms, or when the stream ends. */
  async waitFor(want: (messages: SseMessage[]) => boolean, what: string, ms = 15_000): Promise<SseMessage[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), ms);
    });
    try {
      while (!want(this.messages)) {
        if (this.ended) throw new Error(`the stream ended while waiting for ${what}`);
        const chunk = await Promise.race([this.reader.read(), timeout]);
        if (chunk === 'timeout') {
          throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${this.messages.map((m) => m.event).join(', ') || 'nothing'}`);
        }
        if (chunk.done) this.ended = true;
        else this.take(this.decoder.decode(chunk.value, { stream: true }));
      }
      return this.messages;
    } finally {
      clearTimeout(timer);
    }
  }

  private take(text: string) {
    this.buf += text;
    // Only complete messages (ended by a blank line) count; comments and retry lines have no event.
    let at = this.buf.indexOf('\n\n');
    while (at >= 0) {
      const msg = this.buf.slice(0, at);
      this.buf = this.buf.slice(at + 2);
      const event = msg.match(/^event: (.*)$/m)?.[1];
      if (event) this.messages.push({ event, data: msg.match(/^data: (.*)$/m)?.[1] ?? '' });
      at = this.buf.indexOf('\n\n');
    }
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch((err) => console.warn(`sse test client: cancel failed: ${(err as Error).message}`));
  }
}
