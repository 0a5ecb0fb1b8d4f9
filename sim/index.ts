// The simulator's programmatic API, for the demo, tests and benchmarks:
//   const sim = await startSimulator({ dataset: { products: 50 } });
//   sim.state.setStock(offerId, 'WH01', '5');  sim.faults.set({ kind: 'http500', times: 2 });
//   await sim.stop();
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runControl } from './control.ts';
import { generateDataset } from './data/generate.ts';
import type { DatasetOptions } from './data/types.ts';
import { Faults } from './faults.ts';
import { createSoapEndpoint } from './soap/server.ts';
import { SimState } from './state.ts';
import { type WebhookTarget, WebhookAnnouncer } from './webhook.ts';

export { nearLimitSettlements } from './data/credit.ts';
export { BENCH_OPTIONS, DEMO_OPTIONS, generateDataset } from './data/generate.ts';
export type { DatasetOptions, SimDataset } from './data/types.ts';
export type { Fault, FaultKind } from './faults.ts';
export { SimState } from './state.ts';
export { signature } from './webhook.ts';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  dataset?: Partial<DatasetOptions>;
  /** Basic-auth credentials the service demands (none = open). */
  credentials?: { username: string; password: string } | null;
  webhook?: WebhookTarget | null;
}

export interface Simulator {
  /** The SOAP endpoint, e.g. http://127.0.0.1:41234/soap (WSDL at `${url}?wsdl`). */
  url: string;
  /** Base of the control surface, e.g. http://127.0.0.1:41234/control. */
  controlUrl: string;
  state: SimState;
  faults: Faults;
  webhook: WebhookAnnouncer;
  /** Posts an order status as the accounting system would (order = its id, number or the store's number). */
  postOrderStatus(order: string, status: string, note?: string): void;
  stop(): Promise<void>;
}

const SOAP_PATH = '/soap';

function readBody(req: http.IncomingMessage, limit = 20 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) req.destroy(new Error('request too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState(generateDataset(opts.dataset));
  const faults = new Faults();
  const webhook = new WebhookAnnouncer(opts.webhook ?? null);
  state.onChange((entries) => webhook.announce(entries));
  let base = '';
  const endpoint = await createSoapEndpoint(state, faults, {
    path: SOAP_PATH, location: () => `${base}${SOAP_PATH}`, credentials: opts.credentials ?? null,
  });
  const ctx = { state, faults, webhook };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sim');
      const body = await readBody(req);
      if (url.pathname === SOAP_PATH) return await endpoint.handle(req, res, body);
      if (url.pathname.startsWith('/control/')) {
        let input: unknown = {};
        if (body.trim()) {
          try {
            input = JSON.parse(body);
          } catch {
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'body is not valid JSON' }));
            return;
          }
        }
        const out = runControl(ctx, req.method ?? 'GET', url.pathname, input);
        res.writeHead(out.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(out.body));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the SOAP service is at ${SOAP_PATH}, the control surface at /control/…`);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`simulator error: ${(err as Error).message}`);
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  base = `http://${addr.address}:${addr.port}`;

  return {
    url: `${base}${SOAP_PATH}`,
    controlUrl: `${base}/control`,
    state,
    faults,
    webhook,
    postOrderStatus: (order, status, note = '') => void state.postOrderStatus(order, status, note),
    async stop() {
      endpoint.releaseHung();
      await webhook.drain();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
