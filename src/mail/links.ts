import type { Config } from '../infra/config.ts';

/** Absolute base URL for links in e-mails: PUBLIC_URL, else the address the web role listens on. */
export function publicBaseUrl(cfg: Config): string {
  if (cfg.PUBLIC_URL) return cfg.PUBLIC_URL.replace(/\/+$/, '');
  const host = cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? '127.0.0.1' : cfg.HOST;
  return `http://${host}:${cfg.PORT}`;
}
