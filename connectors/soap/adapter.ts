// Adapter: transport only. Builds a document/literal SOAP 1.1 envelope, posts it with Basic auth
// and a timeout, and turns every way a call can fail into a SoapCallError that says whether a
// retry can help. Knows nothing about entities or the mirror.
import { parseXmlTree, XmlParseError, type XmlObject, type XmlValue } from './xml-tree.ts';
import { SoapCallError } from './errors.ts';

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

export interface SoapAdapter {
  call(operation: string, args?: SoapArgs): Promise<XmlObject>;
  /** Operation names the WSDL declares (GET endpoint?wsdl). */
  wsdlOperations(): Promise<string[]>;
}

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

  async function post(operation: string, body: string | undefined, method = 'POST', url = o.endpoint): Promise<{ status: number; text: string }> {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        body,
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          // A header is bytes: a Russian operation name goes as its UTF-8 bytes (as 1C's own client sends it).
          soapaction: Buffer.from(`"${o.soapActionPrefix ?? ''}${operation}"`, 'utf8').toString('latin1'),
          ...(auth ? { authorization: auth } : {}),
        },
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new SoapCallError('timeout', operation, `no answer within ${o.timeoutMs} ms`, true);
      const why = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new SoapCallError('down', operation, `the accounting system is unreachable at ${o.endpoint} (${why})`, true);
    }
  }

  return {
    async call(operation, args = {}) {
      const { status, text } = await post(operation, envelope(o.namespace, operation, args));
      if (status === 401 || status === 403) throw new SoapCallError('auth', operation, `the accounting system refused the credentials (HTTP ${status})`, false);
      const isXml = /^\s*(<\?xml|<([\w-]+:)?Envelope)/.test(text);
      if (status >= 400 && !isXml) throw new SoapCallError('http', operation, `HTTP ${status} from the accounting system`, status >= 500 || status === 429);
      let tree: XmlObject;
      try {
        tree = parseXmlTree(text);
      } catch (err) {
        const what = err instanceof XmlParseError ? err.message : String(err);
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
