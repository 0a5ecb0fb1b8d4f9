// Live thread updates: one Redis subscriber per process (pattern-subscribed to every thread
// channel) fans events out to the SSE responses open in this process. Any web process can
// publish (src/store/messages/messages.ts); every process's open pages hear it.
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { log } from '../../infra/log.ts';
import { createRedis } from '../../infra/redis/redis.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { type ThreadEvent, threadChannelPattern } from '../../store/messages/messages.ts';
import { trackEventStream } from './streams.ts';

export interface ThreadHub {
  /** Calls fn for events of a client's thread until the returned function is called. */
  listen(clientId: number, fn: (ev: ThreadEvent) => void): () => void;
  /** Calls fn for events of every thread (the manager's desk filters them). */
  listenAll(fn: (ev: ThreadEvent) => void): () => void;
  /** Resolves once events published from now on reach the listeners (never rejects). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createThreadHub(rt: Runtime): ThreadHub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let sub: Redis | undefined;
  let subscribed: Promise<void> = Promise.resolve();
  const ensure = () => {
    if (sub) return;
    sub = createRedis(rt.redisUrl);
    sub.on('error', (err) => log.warn({ err: err.message }, 'thread hub redis error'));
    subscribed = sub.psubscribe(threadChannelPattern(rt.prefix)).then(
      () => undefined,
      (err) => log.warn({ err: (err as Error).message }, 'thread hub: psubscribe failed; live thread updates are off'),
    );
    sub.on('pmessage', (_pattern, _channel, raw) => {
      try {
        const ev = JSON.parse(raw) as ThreadEvent;
        emitter.emit(String(ev.clientId), ev);
        emitter.emit('*', ev);
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
    listenAll(fn) {
      ensure();
      emitter.on('*', fn);
      return () => emitter.off('*', fn);
    },
    ready() {
      ensure();
      return subscribed;
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
  openStream(hub, req, res, (send) => hub.listen(clientId, send));
}

/**
 * The manager's desk stream: events of any thread whose client `wanted` says is theirs (checked
 * per event, so a reassignment takes effect at once).
 */
export function streamDesk(hub: ThreadHub, wanted: (clientId: number) => Promise<boolean>, req: Request, res: Response): void {
  openStream(hub, req, res, (send) =>
    hub.listenAll((ev) => {
      void wanted(ev.clientId).then((ok) => ok && send(ev), () => {});
    }),
  );
}

function openStream(hub: ThreadHub, req: Request, res: Response, subscribe: (send: (ev: ThreadEvent) => void) => () => void): void {
  // The stream answers only once the hub hears the channel: a page (or test) that acts as soon
  // as its stream is open must not lose the first event.
  void hub.ready().then(() => {
    if (req.destroyed) return;
    answer(req, res, subscribe);
  });
}

function answer(req: Request, res: Response, subscribe: (send: (ev: ThreadEvent) => void) => () => void): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  trackEventStream(req, res);
  res.write('retry: 2000\n\n');
  const stop = subscribe((ev) => res.write(`event: ${ev.type}\ndata: ${JSON.stringify({ side: ev.side, id: ev.messageId })}\n\n`));
  const beat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  req.on('close', () => {
    clearInterval(beat);
    stop();
  });
}
