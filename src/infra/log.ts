import pino, { type DestinationStream } from 'pino';
import { config } from './config.ts';

/**
 * What must never reach a log line: session and exchange cookies (request and Set-Cookie),
 * Basic credentials (the 1C login in base64), CSRF tokens (header or form field), passwords.
 * URLs are cleaned by redactUrl (the request serializer of the request log uses it).
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers["x-csrf-token"]',
  'req.params.token',
  'req.query.sessid',
  'req.body._csrf',
  'req.body.password',
  'req.body.password2',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
];

/** A URL with its secrets replaced: the token of /password/set/<token>, and sessid/token/_csrf query values. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  return url
    .replace(/(\/password\/set\/)[^/?#]+/g, '$1[redacted]')
    .replace(/([?&](?:sessid|token|_csrf)=)[^&#]*/gi, '$1[redacted]');
}

export function createLogger(level: string, stream?: DestinationStream) {
  const opts = { level, base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return stream ? pino(opts, stream) : pino(opts);
}

export const log = createLogger(config().LOG_LEVEL);
export type Logger = typeof log;
