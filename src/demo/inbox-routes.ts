// The web inbox over an SmtpCapture (demo only): a list, one message (HTML part in a sandboxed
// iframe, text part, headers), and JSON for scripts. Mounted by src/demo/index.ts at /dev/mail.
import { Router } from 'express';
import type { SmtpCapture } from './smtp-capture.ts';

export function inboxRoutes(capture: SmtpCapture, mountPath = '/dev/mail'): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    const messages = capture.messages().reverse();
    res.render('dev-mail/inbox', { title: 'Mail inbox', messages, base: mountPath, smtpUrl: capture.url });
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
      res.status(404).render('error', { title: 'Error', status: 404, message: 'Message not found (the inbox keeps the newest 1000).' });
      return;
    }
    res.render('dev-mail/message', { title: m.subject || 'Message', m, base: mountPath, headers: Object.entries(m.headers) });
  });
  return r;
}
