// A local SMTP server that keeps what it receives in memory: the demo's inbox and the tests'
// real SMTP endpoint. Loopback only, no auth, no TLS; keeps the newest `keep` messages.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  id: number;
  receivedAt: Date;
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  raw: string;
}

export interface SmtpCapture {
  url: string;
  port: number;
  messages(): CapturedMail[];
  get(id: number): CapturedMail | undefined;
  /** Resolves with the messages once at least n arrived (since start or the last clear). */
  waitFor(n: number, timeoutMs?: number): Promise<CapturedMail[]>;
  clear(): void;
  stop(): Promise<void>;
}

const addressText = (a: unknown): string => {
  if (!a) return '';
  if (Array.isArray(a)) return a.map(addressText).join(', ');
  return String((a as { text?: string }).text ?? '');
};

export async function startSmtpCapture(opts: { port?: number; host?: string; keep?: number } = {}): Promise<SmtpCapture> {
  const keep = opts.keep ?? 1000;
  const host = opts.host ?? '127.0.0.1';
  let nextId = 1;
  let store: CapturedMail[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    banner: 'Counterpart SMTP capture',
    size: 10 * 1024 * 1024,
    closeTimeout: 300,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const headers: Record<string, string> = {};
            for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
            const mail: CapturedMail = {
              id: nextId++,
              receivedAt: new Date(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: addressText(parsed.from),
              to: addressText(parsed.to),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              headers,
              raw: raw.toString('utf8'),
            };
            store.push(mail);
            if (store.length > keep) store = store.slice(-keep);
            events.emit('mail', mail);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  server.on('error', () => {}); // a client dropping mid-session is not the capture's problem

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  let received = 0;
  events.on('mail', () => received++);

  return {
    url: `smtp://${host}:${port}`,
    port,
    messages: () => [...store],
    get: (id) => store.find((m) => m.id === id),
    waitFor(n, timeoutMs = 10_000) {
      if (received >= n) return Promise.resolve([...store]);
      return new Promise((resolve, reject) => {
        const onMail = () => {
          if (received < n) return;
          clearTimeout(timer);
          events.off('mail', onMail);
          resolve([...store]);
        };
        const timer = setTimeout(() => {
          events.off('mail', onMail);
          reject(new Error(`SMTP capture: expected ${n} message(s) within ${timeoutMs} ms, got ${received}`));
        }, timeoutMs);
        events.on('mail', onMail);
      });
    },
    clear() {
      store = [];
      received = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
