// Adapter: transport only. Builds a document/literal SOAP 1.1 envelope, posts it with Basic auth
// and a timeout, and turns every way a call can fail into a SoapCallError that says whether a
// retry can help. Knows nothing about entities or the mirror. The answer is parsed piece by piece
// (XmlTreeStream over the body's chunks): a caller naming item paths gets those elements one by
// one, and no page is ever one string or one tree.
import { type ItemReader, parseXmlTree, XmlParseError, type XmlObject, XmlTreeStream, type XmlValue } from './xml-tree.ts';
import { SoapCallError } from './errors.ts';
import { log } from '../../src/infra/log.ts';

export interface AdapterOptions {
  endpoint: string;
  /** Target namespace of the service's messages. */
  namespace: string;
  /** SOAPAction header = soapActionPrefix + operation (e.g. "urn:svc#"). */
  soapActionPrefix?: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

export type SoapArgs = { [name: string]: SoapArg };
export type SoapArg = string | number | boolean | null | undefined | SoapArgs | SoapArg[];

/** Elements of the answer handed out one by one as they are parsed, instead of kept in its tree. */
export interface StreamedItems {
  /** Paths inside `<operation>Response` (`Offers.Offer`); none may lie inside another. */
  paths: readonly string[];
  onItem(path: number, item: XmlValue): void;
  /** A reader for `paths[i]` takes its items as parser events instead of onItem (stream-map.ts). */
  readers?: readonly (ItemReader | undefined)[];
}

export interface SoapAdapter {
  /** The `<operation>Response` element; with `items`, without the elements handed to `items.onItem`. */
  call(operation: string, args?: SoapArgs, items?: StreamedItems): Promise<XmlObject>;
  /** Operation names the WSDL declares (GET endpoint?wsdl). */
  wsdlOperations(): Promise<string[]>;
}

const EMPTY = new Uint8Array(0);

const esc = (s: string) => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

function argsXml(args: SoapArgs): string {
  let out = '';
  for (const [name, v] of Object.entries(args)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === undefined || item === null) continue;
      out += typeof item === 'object' ? `<t:${name}>${argsXml(item as SoapArgs)}</t:${name}>` : `<t:${name}>${esc(String(item))}</t:${name}>`;
    }
  }
  return out;
}

export function envelope(namespace: string, operation: string, args: SoapArgs): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="${esc(namespace)}"><soap:Body><t:${operation}>${argsXml(args)}</t:${operation}></soap:Body></soap:Envelope>`;
}

const asObject = (v: XmlValue | undefined): XmlObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v : undefined);

export function createSoapAdapter(o: AdapterOptions): SoapAdapter {
  const auth = o.username !== undefined ? `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}` : undefined;

  const transportError = (operation: string, err: unknown): SoapCallError => {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return new SoapCallError('timeout', operation, `no answer within ${o.timeoutMs} ms`, true);
    const why = e.cause?.code ?? e.cause?.message ?? e.message;
    return new SoapCallError('down', operation, `the accounting system is unreachable at ${o.endpoint} (${why})`, true);
  };

  async function send(operation: string, body: string | undefined, method = 'POST', url = o.endpoint): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        body,
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          // Each call on a connection of its own: a pooled one the system closed while it sat idle
          // (its keep-alive ran out a moment before ours while the previous pages were applied)
          // fails the next call as "other side closed". A handshake is nothing next to a page.
          connection: 'close',
          // A header is bytes: a Russian operation name goes as its UTF-8 bytes (as 1C's own client sends it).
          soapaction: Buffer.from(`"${o.soapActionPrefix ?? ''}${operation}"`, 'utf8').toString('latin1'),
          ...(auth ? { authorization: auth } : {}),
        },
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (err) {
      throw transportError(operation, err);
    }
  }

  async function post(operation: string, body: string | undefined, method = 'POST', url = o.endpoint): Promise<{ status: number; text: string }> {
    const res = await send(operation, body, method, url);
    try {
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw transportError(operation, err);
    }
  }

  /**
   * Reads a 2xx body to its end as it comes (the connection's keep-alive clock then runs the same
   * on both sides: a body read slowly while it is parsed would leave the server closing a
   * connection this side still thinks reusable), then parses it piece by piece, yielding after
   * each piece (≈ 64 KB, a millisecond): the run's apply steps share this event loop, and the
   * database sat idle while a step's reply waited behind a long stretch of parsing. A parse
   * error is XmlParseError, an item callback's error its own.
   */
  async function streamTree(operation: string, res: Response, items: StreamedItems | undefined): Promise<XmlObject> {
    const pieces: Uint8Array[] = [];
    if (res.body) {
      try {
        for await (const piece of res.body) pieces.push(piece);
      } catch (err) {
        throw transportError(operation, err);
      }
    }
    const prefix = `Envelope.Body.${operation}Response.`;
    const parser = new XmlTreeStream(items ? { items: items.paths.map((p) => prefix + p), onItem: items.onItem, readers: items.readers } : {});
    const decoder = new TextDecoder('utf-8');
    for (let i = 0; i < pieces.length; i++) {
      parser.write(decoder.decode(pieces[i], { stream: true }));
      pieces[i] = EMPTY;
      await new Promise<void>((r) => setImmediate(r));
    }
    parser.write(decoder.decode());
    return parser.close();
  }

  return {
    async call(operation, args = {}, items) {
      const res = await send(operation, envelope(o.namespace, operation, args));
      const status = res.status;
      if (status === 401 || status === 403) {
        await res.body?.cancel().catch((e: Error) => log.debug({ operation, err: e.message }, 'soap: dropping a refused answer failed'));
        throw new SoapCallError('auth', operation, `the accounting system refused the credentials (HTTP ${status})`, false);
      }
      let tree: XmlObject;
      try {
        if (status >= 400) {
          // An error answer is small: read it whole, it may not even be XML.
          let text: string;
          try {
            text = await res.text();
          } catch (err) {
            throw transportError(operation, err);
          }
          const isXml = /^\s*(<\?xml|<([\w-]+:)?Envelope)/.test(text);
          if (!isXml) throw new SoapCallError('http', operation, `HTTP ${status} from the accounting system`, status >= 500 || status === 429);
          tree = parseXmlTree(text);
        } else tree = await streamTree(operation, res, items);
      } catch (err) {
        if (!(err instanceof XmlParseError)) throw err;
        const what = err.message;
        throw new SoapCallError('malformed', operation, `malformed or truncated XML in the answer (${what})`, true);
      }
      const body = asObject(asObject(tree.Envelope)?.Body);
      if (!body) throw new SoapCallError('malformed', operation, 'the answer is not a SOAP envelope with a Body', true);
      const fault = asObject(body.Fault);
      if (fault) {
        const code = String(fault.faultcode ?? asObject(fault.Code)?.Value ?? '');
        const reason = String(fault.faultstring ?? asObject(fault.Reason)?.Text ?? 'no reason given');
        // Client faults mean our request is wrong: repeating it gives the same answer.
        throw new SoapCallError('fault', operation, `SOAP fault ${code}: ${reason}`, !/Client|Sender/.test(code));
      }
      if (status >= 400) throw new SoapCallError('http', operation, `HTTP ${status} from the accounting system`, true);
      const result = asObject(body[`${operation}Response`]) ?? (body[`${operation}Response`] === '' ? {} : undefined);
      if (!result) throw new SoapCallError('malformed', operation, `the answer has no ${operation}Response element`, false);
      return result;
    },

    async wsdlOperations() {
      const { status, text } = await post('wsdl', undefined, 'GET', `${o.endpoint}?wsdl`);
      if (status !== 200) throw new SoapCallError('http', 'wsdl', `HTTP ${status} when reading the WSDL`, status >= 500);
      try {
        parseXmlTree(text);
      } catch (err) {
        throw new SoapCallError('malformed', 'wsdl', `the WSDL is not valid XML (${(err as Error).message})`, false);
      }
      // The tree parser drops attributes; operation names are attributes, so read them from the text.
      return [...new Set([...text.matchAll(/<(?:[\w-]+:)?operation\s+name="([^"]+)"/g)].map((m) => m[1]!))];
    },
  };
}
