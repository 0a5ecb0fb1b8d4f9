import type { Config } from '../infra/config.ts';

/**
 * The one absolute base URL for links in e-mails and printed invitations: PUBLIC_URL, else (demo
 * and development) the address the web role listens on. Never the request's Host header: a
 * forged `Host: evil.example` must not end up in a mailed password link.
 */
export function publicBaseUrl(cfg: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  if (cfg.PUBLIC_URL) return cfg.PUBLIC_URL.replace(/\/+$/, '');
  const host = cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? '127.0.0.1' : cfg.HOST.includes(':') ? `[${cfg.HOST}]` : cfg.HOST;
  return `http://${host}:${cfg.PORT}`;
}
