// Graceful stop of the web's HTTP server: no new connections, idle keep-alive connections
// closed, event streams ended at once, requests in flight allowed to finish until a deadline —
// then whatever is still open is cut.
import type { Server } from 'node:http';
import type { Application } from 'express';
import { log } from '../infra/log.ts';
import { endEventStreams } from './live/streams.ts';

export interface HttpDrain {
  /** Resolves once every connection is closed, by the deadline at the latest. */
  drain(deadline: number): Promise<void>;
}

export function httpDrain(server: Server, app: Application): HttpDrain {
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
  return {
    async drain(deadline) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const streams = endEventStreams(app);
      server.closeIdleConnections();
      log.info({ inFlight: inFlight - streams, streams }, 'web draining: requests in flight may finish, event streams ended');
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
    },
  };
}
