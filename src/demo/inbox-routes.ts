// The web inbox over an SmtpCapture (demo only): a list, one message (HTML part in a sandboxed
// iframe, text part, headers), and JSON for scripts. Mounted by src/demo/index.ts at /dev/mail,
// before sessions: the page's language is the `lang` cookie's, else the store's.
import { Router } from 'express';
import { requestLanguage, setLanguageLocals, tOf } from '../web/i18n.ts';
import type { SmtpCapture } from './smtp-capture.ts';

export function inboxRoutes(capture: SmtpCapture, mountPath = '/dev/mail'): Router {
  const r = Router();
  r.use((req, res, next) => {
    setLanguageLocals(res, requestLanguage(req));
    next();
  });
  r.get('/', (_req, res) => {
    const messages = capture.messages().reverse();
    res.render('dev-mail/inbox', { title: tOf(res)('devmail.title'), messages, base: mountPath, smtpUrl: capture.url });
  });
  r.get('/api/messages', (_req, res) => {
    res.json(capture.messages().map(({ raw: _raw, ...m }) => m));
  });
  r.post('/clear', (_req, res) => {
    capture.clear();
    res.redirect(303, mountPath);
  });
  r.get('/:id', (req, res) => {
    const m = capture.get(Number(req.params.id));
    if (!m) {
      res.status(404).render('error', { title: tOf(res)('devmail.error'), status: 404, message: tOf(res)('devmail.notFound') });
      return;
    }
    res.render('dev-mail/message', { title: m.subject || tOf(res)('devmail.message'), m, base: mountPath, headers: Object.entries(m.headers) });
  });
  return r;
}
