// Live thread updates: one Redis subscriber per process (pattern-subscribed to every thread
// channel) fans events out to the SSE responses open in this process. Any web process can
// publish (src/store/messages.ts); every process's open pages hear it.
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { log } from '../../log.ts';
import { createRedis } from '../../redis.ts';
import type { Runtime } from '../../runtime.ts';
import { type ThreadEvent, threadChannelPattern } from '../../store/messages.ts';

export interface ThreadHub {
  /** Calls fn for events of a client's thread until the returned function is called. */
  listen(clientId: number, fn: (ev: ThreadEvent) => void): () => void;
  close(): Promise<void>;
}

export function createThreadHub(rt: Runtime): ThreadHub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let sub: Redis | undefined;
  const ensure = () => {
    if (sub) return;
    sub = createRedis(rt.redisUrl);
    sub.on('error', (err) => log.warn({ err: err.message }, 'thread hub redis error'));
    void sub.psubscribe(threadChannelPattern(rt.prefix));
    sub.on('pmessage', (_pattern, _channel, raw) => {
      try {
        const ev = JSON.parse(raw) as ThreadEvent;
        emitter.emit(String(ev.clientId), ev);
      } catch {
        // not ours
      }
    });
  };
  const hub: ThreadHub = {
    listen(clientId, fn) {
      ensure();
      const key = String(clientId);
      emitter.on(key, fn);
      return () => emitter.off(key, fn);
    },
    async close() {
      sub?.disconnect();
      sub = undefined;
    },
  };
  rt.onShutdown('thread hub', () => hub.close());
  return hub;
}

/**
 * Opens a text/event-stream answer that sends `event: <type>` for each thread event
 * (the payload carries no message text: the page fetches its own, access-checked fragment).
 */
export function streamThread(hub: ThreadHub, clientId: number, req: Request, res: Response): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const stop = hub.listen(clientId, (ev) => res.write(`event: ${ev.type}\ndata: ${JSON.stringify({ side: ev.side, id: ev.messageId })}\n\n`));
  const beat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  req.on('close', () => {
    clearInterval(beat);
    stop();
  });
}
