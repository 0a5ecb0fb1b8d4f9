// The HTTP front of the simulator: the SOAP service (served by the `soap` package, which does
// the envelope work), its WSDL, Basic auth, and the fault injection that wraps every call.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as soap from 'soap';
import type { Faults } from '../faults.ts';
import { SimError, type SimState } from '../state.ts';
import { NS, OPERATIONS, wsdl } from './contract.ts';
import { operations } from './service.ts';

type Obj = Record<string, unknown>;

export interface SoapEndpoint {
  /** Answers a request to the SOAP path (POST) or its WSDL (GET ?wsdl). */
  handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void>;
  /** Drops requests held open by a 'timeout' fault. */
  releaseHung(): void;
}

const FAULT_ENVELOPE = (code: string, message: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:${code}</faultcode><faultstring>${message.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</faultstring></soap:Fault></soap:Body></soap:Envelope>`;

function operationOf(req: IncomingMessage, body: string): string | undefined {
  const action = String(req.headers.soapaction ?? '').replace(/"/g, '');
  const fromAction = action.split('#').pop();
  if (fromAction && OPERATIONS[fromAction]) return fromAction;
  return /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(body)?.[1];
}

export async function createSoapEndpoint(
  state: SimState,
  faults: Faults,
  opts: { path: string; location: () => string; credentials?: { username: string; password: string } | null },
): Promise<SoapEndpoint> {
  const impl = operations(state);
  const port: Record<string, (args: Obj) => Obj> = {};
  for (const [name, fn] of Object.entries(impl)) {
    port[name] = (args: Obj) => {
      try {
        return fn(args ?? {});
      } catch (err) {
        if (err instanceof SimError) throw { Fault: { faultcode: 'soap:Client', faultstring: err.message, statusCode: 500 } };
        throw { Fault: { faultcode: 'soap:Server', faultstring: `internal error: ${(err as Error).message}`, statusCode: 500 } };
      }
    };
  }
  const services = { AccountingService: { AccountingPort: port } };
  const xml = wsdl('http://127.0.0.1/soap');
  const server = await new Promise<soap.Server>((resolve, reject) => {
    const s = soap.listen(null, {
      path: opts.path, services, xml, suppressStack: true, enableChunkedEncoding: false,
      callback: (err: unknown) => (err ? reject(err) : resolve(s)),
    });
  });
  const hung = new Set<ServerResponse>();

  const authorized = (req: IncomingMessage) => {
    if (!opts.credentials) return true;
    const [scheme, value] = String(req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Basic' || !value) return false;
    return Buffer.from(value, 'base64').toString('utf8') === `${opts.credentials.username}:${opts.credentials.password}`;
  };

  return {
    releaseHung() {
      for (const res of hung) res.destroy();
      hung.clear();
    },
    async handle(req, res, body) {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(wsdl(opts.location()));
        return;
      }
      const op = operationOf(req, body) ?? '';
      const plan = faults.take(op);
      if (plan.failure === 'down') {
        req.socket.destroy();
        return;
      }
      if (plan.latencyMs) await new Promise((r) => setTimeout(r, plan.latencyMs));
      if (plan.failure === 'timeout') {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (!authorized(req)) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="accounting"', 'content-type': 'text/xml; charset=utf-8' });
        res.end(FAULT_ENVELOPE('Client', 'authentication failed: wrong user name or password'));
        return;
      }
      if (plan.failure === 'http500') {
        res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>500 Internal Server Error</h1></body></html>');
        return;
      }
      if (plan.failure === 'soapFault') {
        res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(FAULT_ENVELOPE('Server', 'Ошибка выполнения запроса: информационная база заблокирована (simulated fault)'));
        return;
      }
      if (plan.failure === 'malformed') {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(`<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${op}Response xmlns="${NS}"><Item><Id>1</Idd></Item></soap:Body>`);
        return;
      }
      const out = await server.processRequest(body, {
        url: opts.path, method: 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? 'text/xml'), soapaction: req.headers.soapaction as string },
      });
      let text = out.body;
      if (plan.failure === 'truncated') text = text.slice(0, Math.floor(text.length / 2));
      res.writeHead(out.statusCode, { 'content-type': 'text/xml; charset=utf-8' }).end(text);
    },
  };
}
