// One nodemailer transport per SMTP URL per runtime, pooled (≈700 msg/s to a local server) and
// closed on shutdown. The URL is SMTP_URL, unless the process pointed mail elsewhere (the demo
// points it at its local capture when SMTP_URL is unset).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Runtime } from '../runtime.ts';

export class MailNotConfiguredError extends Error {
  constructor() {
    super('E-mail is not configured: set SMTP_URL (e.g. smtp://user:pass@mail.example.com:587).');
  }
}

const overrides = new WeakMap<Runtime, string>();
const transports = new WeakMap<Runtime, Map<string, Transporter>>();

/** Sends this runtime's mail to url instead of SMTP_URL (demo capture, tests). */
export function useSmtpUrl(rt: Runtime, url: string): void {
  overrides.set(rt, url);
}

export function smtpUrl(rt: Runtime): string | undefined {
  return overrides.get(rt) ?? rt.config.SMTP_URL;
}

export function transportFor(rt: Runtime): Transporter {
  const url = smtpUrl(rt);
  if (!url) throw new MailNotConfiguredError();
  let byUrl = transports.get(rt);
  if (!byUrl) {
    const created = new Map<string, Transporter>();
    transports.set(rt, created);
    byUrl = created;
    rt.onShutdown('mail transports', async () => closeTransports(rt));
  }
  let t = byUrl.get(url);
  if (!t) {
    const u = new URL(url);
    t = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 587),
      secure: u.protocol === 'smtps:',
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    byUrl.set(url, t);
  }
  return t;
}

/** Closes the pooled connections (they would otherwise keep a capture server from closing). */
export function closeTransports(rt: Runtime): void {
  const byUrl = transports.get(rt);
  if (!byUrl) return;
  for (const t of byUrl.values()) t.close();
  byUrl.clear();
}
