// Security headers (helmet) for every answer, static files included. The CSP is strict: scripts
// only from this origin and never inline (no <script> blocks, no on…= or hx-on attributes —
// behaviours live in public/app.js), no framing by any origin (the cart's "Place order" must not
// render inside someone else's page), no plugins, forms post only here.
import type { RequestHandler } from 'express';
import helmet from 'helmet';

const strict = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  // News images may be any http(s) URL the staff gave (images cannot run script).
  imgSrc: ["'self'", 'data:', 'https:', 'http:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Not forced: plain-HTTP demo and tests; HSTS covers HTTPS deployments.
  upgradeInsecureRequests: null,
};

const headers = (directives: Record<string, string[] | null>) =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    frameguard: { action: 'deny' },
    // same-origin: full URLs (a /password/set/<token> link) never go to another site, while
    // same-origin fetches keep their Origin header (the queues board's same-origin check).
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: { maxAge: 15552000, includeSubDomains: true },
  });

/**
 * The strict policy everywhere; the admin-only queue board (bull-board, a prebuilt React app)
 * injects inline styles and Google fonts, and the demo's mail inbox shows e-mails with inline
 * styles, so under those paths styles and fonts are relaxed — scripts stay 'self' only.
 */
export function securityHeaders(relaxedStylePaths: string[]): RequestHandler {
  const main = headers(strict);
  const board = headers({
    ...strict,
    styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
    fontSrc: ["'self'", 'https://fonts.gstatic.com'],
  });
  return (req, res, next) => (relaxedStylePaths.some((p) => req.path === p || req.path.startsWith(`${p}/`)) ? board : main)(req, res, next);
}

/** Pages behind the session (signed-in pages, forms with CSRF tokens) are never stored by a browser or proxy cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
