// The Express app: views, static assets, routes, and the one error handler.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { engine } from 'express-handlebars';
import { pinoHttp } from 'pino-http';
import { DomainError } from '../infra/domain-error.ts';
import { type Logger, log, redactUrl } from '../infra/log.ts';
import { repoRoot } from '../infra/paths.ts';
import type { Runtime } from '../infra/runtime.ts';
import { withBadges } from '../store/accounts/badges.ts';
import { sessionStore } from '../store/accounts/sessions.ts';
import type { MailSender } from '../store/shared/mail-port.ts';
import { VIEWER_PRELOAD, viewerMiddleware } from './auth/context.ts';
import { csrfProtection } from './auth/csrf.ts';
import { type SessionData, sessionMiddleware } from './auth/session.ts';
import type { ConsoleServices } from './console-services.ts';
import { httpStatus } from './domain-errors.ts';
import type { Viewer } from '../store/accounts/viewer.ts';
import { notFound, sayIn } from './errors.ts';
import { creditHeader } from './credit-view.ts';
import { helpers } from './helpers.ts';
import { languageMiddleware, requestLanguage, setLanguageLocals, tOf } from './i18n.ts';
import { refuseControlCharacters } from './input-guard.ts';
import { badgesMiddleware } from './live/badges.ts';
import { LiveEvents } from './live/live-events.ts';
import { createThreadHub } from './live/thread-hub.ts';
import { queuedMail } from './mail-sender.ts';
import { requestId } from './request-id.ts';
import { adminClientRoutes } from './routes/admin-clients.ts';
import { authRoutes } from './routes/auth.ts';
import { cartRoutes } from './routes/cart.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { consoleRoutes } from './routes/console/index.ts';
import { consoleQueuesRouter, QUEUES_PATH } from './routes/console/queues.ts';
import { documentRoutes } from './routes/documents.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { companyRoutes } from './routes/company.ts';
import { quoteRoutes } from './routes/quotes.ts';
import { healthDetailRoutes, healthRoutes } from './routes/health.ts';
import { type DemoSignIn, homeRoutes } from './routes/home.ts';
import { imageRoutes } from './routes/images.ts';
import { languageRoutes } from './routes/language.ts';
import { hookRoutes } from './routes/hooks.ts';
import { liveRoutes } from './routes/live.ts';
import { managerRoutes } from './routes/manager.ts';
import { MESSAGE_POST_PATHS, messageUpload } from './routes/message-upload.ts';
import { messageRoutes } from './routes/messages.ts';
import { webMetrics } from './routes/metrics.ts';
import { newsRoutes } from './routes/news.ts';
import { orderRoutes } from './routes/orders.ts';
import { pricelistRoutes } from './routes/pricelist.ts';
import { QUICK_FILE_PATH, quickFileRoutes, quickFileUpload } from './routes/quick-file.ts';
import { savedCartRoutes } from './routes/saved-carts.ts';
import { readyRoutes } from './routes/readyz.ts';
import { registerRoutes } from './routes/register.ts';
import { reservationSettingsRoutes } from './routes/reservation-settings.ts';
import { reservationRoutes } from './routes/reservations.ts';
import { waitlistRoutes } from './routes/waitlist.ts';
import { noStore, securityHeaders } from './security-headers.ts';
import { whileDraining } from './shutdown.ts';

const root = repoRoot;

/** Extra routers mounted by the process (e.g. a connector's exchange endpoint). */
export interface Mount {
  path: string;
  router: Router;
  /** When set, the home page links to the mount with this text (demo tools). */
  link?: string;
}

export interface AppOptions {
  /** E-mail (reset, invite, order confirmation); queued for the mail.send job unless given. */
  mail?: MailSender;
  /** Console features backed by connectors and the queue (mapping checks, exchanges, queue board), wired by src/app/roles. */
  console?: ConsoleServices;
  /** Demo sign-ins shown on the start page (`npm start` only). */
  demoAccounts?: DemoSignIn[];
  /** The request log (default: the process log unless LOG_LEVEL is silent); tests pass their own. */
  requestLog?: Logger;
}

function sessionSecret(rt: Runtime): string {
  if (rt.config.SESSION_SECRET) return rt.config.SESSION_SECRET;
  if (rt.config.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production (at least 16 characters).');
  log.warn('SESSION_SECRET is not set: using a random one, sessions end when this process stops');
  return randomBytes(32).toString('hex');
}

export function createApp(rt: Runtime, mounts: Mount[] = [], opts: AppOptions = {}): Express {
  const mail = opts.mail ?? queuedMail(rt);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', rt.config.TRUST_PROXY);
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(root, 'views/layouts'),
      partialsDir: path.join(root, 'views/partials'),
      helpers,
      // A standalone {{> partial}} otherwise re-indents its whole output line by line (split +
      // join of every nested partial's HTML): a third of the catalog page's render time.
      compilerOptions: { preventIndent: true },
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', path.join(root, 'views/pages'));
  // The view cache is what makes Handlebars fast (≈4.5× here); on unless developing templates.
  app.set('view cache', rt.config.NODE_ENV !== 'development' || process.argv.includes('--demo'));
  const metrics = webMetrics(rt, opts.console);
  app.use(metrics.observe);
  // Before the request log: pino-http logs req.id as the request's id.
  app.use(requestId);
  app.use(whileDraining);
  const requestLog = opts.requestLog ?? (rt.config.LOG_LEVEL !== 'silent' ? log : undefined);
  if (requestLog) {
    app.use(
      pinoHttp({
        logger: requestLog,
        autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
        // Headers and fields are redacted by the logger (REDACT_PATHS); the URL's secrets here.
        serializers: { req: (req: { url?: string }) => Object.assign(req, { url: redactUrl(req.url) }) },
      }),
    );
  }

  // The queue board and the demo tools (the mail inbox shows e-mails with inline styles) relax styles only.
  app.use(securityHeaders([QUEUES_PATH, ...mounts.filter((m) => m.link).map((m) => m.path)]));
  app.use('/static/htmx', express.static(path.join(root, 'node_modules/htmx.org/dist'), { maxAge: '7d' }));
  app.use('/static/htmx-ext-sse', express.static(path.join(root, 'node_modules/htmx-ext-sse/dist'), { maxAge: '7d' }));
  app.use('/static', express.static(path.join(root, 'public'), { maxAge: '1h' }));

  app.locals.demoAccounts = opts.demoAccounts ?? [];
  app.locals.demoLinks = mounts.filter((m) => m.link).map((m) => ({ href: m.path, text: m.link }));
  app.use(healthRoutes(rt));
  app.use(readyRoutes(rt));
  app.use(metrics.router);
  app.use(hookRoutes(rt));
  app.use(imageRoutes(rt));
  for (const m of mounts) app.use(m.path, m.router);

  // Everything below has a session, a viewer (res.locals.viewer) and CSRF checks.
  app.use(noStore);
  app.use(express.urlencoded({ extended: false, limit: '256kb' }));
  // The session's one query also reads the viewer and the buyer's header badges.
  app.use(sessionMiddleware(sessionStore<SessionData>(rt.db, { preload: withBadges(VIEWER_PRELOAD) }), sessionSecret(rt)));
  // bull-board's JSON API has no CSRF token: it has its own admin + same-origin guard
  app.use(QUEUES_PATH, consoleQueuesRouter(rt, opts.console?.queueBoard));
  // message forms are multipart (optional file): parse them so the CSRF check sees _csrf
  app.post(MESSAGE_POST_PATHS, messageUpload);
  app.post(QUICK_FILE_PATH, quickFileUpload);
  app.use(refuseControlCharacters);
  app.use(csrfProtection);
  app.use(viewerMiddleware(rt));
  app.use(languageMiddleware);
  app.use(badgesMiddleware(rt));
  app.use(creditHeader(rt));
  app.use(healthDetailRoutes(rt));
  app.use(languageRoutes(rt));
  app.use(authRoutes(rt, mail));
  app.use(registerRoutes(rt));
  app.use(catalogRoutes(rt));
  app.use(cartRoutes(rt));
  app.use(quickFileRoutes(rt));
  app.use(savedCartRoutes(rt));
  app.use(orderRoutes(rt));
  app.use(documentRoutes(rt));
  app.use(companyRoutes(rt, mail));
  app.use(approvalRoutes(rt));
  app.use(quoteRoutes(rt));
  app.use(pricelistRoutes(rt));
  app.use(adminClientRoutes(rt));
  app.use(liveRoutes(rt));
  app.use(newsRoutes(rt));
  const threads = createThreadHub(rt);
  app.use(messageRoutes(rt, threads));
  app.use(managerRoutes(rt, threads));
  app.use(consoleRoutes(rt, opts.console ?? {}, mail));
  app.use(reservationRoutes(rt, new LiveEvents(rt)));
  app.use(waitlistRoutes(rt));
  app.use(reservationSettingsRoutes(rt));
  app.use(homeRoutes(rt));

  app.use((_req, _res, next) => next(notFound()));
  // The one place an error becomes an answer: a DomainError its status and message; another
  // error with a 4xx status (a body parser's) a generic line; anything else a logged 500 that
  // shows no detail.
  // A form naming a row that does not exist (a dangling warehouse or manager id) ends in a
  // foreign-key violation: the request's fault, so 422 with a plain line, logged as a warning.
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const domain = error instanceof DomainError;
    const own = (error as { status?: unknown } | null)?.status;
    const dangling = !domain && (error as { code?: unknown } | null)?.code === '23503';
    const status = domain ? httpStatus(error) : dangling ? 422 : typeof own === 'number' && own >= 400 && own < 500 ? own : 500;
    if (status >= 500) log.error({ err: error, url: redactUrl(req.originalUrl) }, 'request failed');
    if (dangling) log.warn({ err: error, url: redactUrl(req.originalUrl) }, 'request refers to a missing row');
    // a refusal before the language middleware (the CSRF check) still speaks the visitor's language
    if (!res.locals.lang) setLanguageLocals(res, requestLanguage(req, res.locals.viewer as Viewer | undefined));
    const tr = tOf(res);
    const message = domain ? sayIn(error, tr) : tr(dangling ? 'errors.dangling' : status < 500 ? 'errors.unreadable' : 'errors.internal');
    if (res.headersSent) return;
    res.status(status);
    if (req.accepts(['html', 'json']) === 'json') res.json({ error: message });
    else res.render('error', { title: tr('errors.title'), status, message });
  };
  app.use(onError);
  return app;
}
