// Order templates (/templates) and draft carts (/carts) of the buyer for the current legal
// entity (src/store/cart/saved.ts). Plain forms, redirect after success; a refused form (an
// empty cart, a taken or empty name, the limit) is the page again with its message and a 4xx
// (htmx swaps it too: the layout's responseHandling); another buyer's id is a 404.
import { type Request, type Response, Router } from 'express';
import { DomainError } from '../../infra/domain-error.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { currentCart, deleteSaved, listSaved, orderFromTemplate, renameSaved, saveCart, savedDetail, switchToDraft } from '../../store/cart/saved.ts';
import { requireOrdering } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { httpStatus, messageText, refusal } from '../domain-errors.ts';
import { parseId } from '../errors.ts';
import { tOf } from '../i18n.ts';
import { owner } from './cart.ts';

/** An id from the URL; a malformed one is a page that does not exist, like another buyer's. */
function idOf(res: Response, v: unknown, kind: 'template' | 'draft'): number {
  const id = parseId(v);
  if (id === null) throw new DomainError('not_found', tOf(res)(kind === 'template' ? 'templates.notFound' : 'drafts.notFound'), { code: 'saved.not_found' });
  return id;
}

function render(_req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200): void {
  res.status(status).render(view, data);
}

export function savedCartRoutes(rt: Runtime): Router {
  const r = Router();

  const templatesPage = async (req: Request, res: Response, status = 200, errors: string[] = []) =>
    render(req, res, 'templates', { title: tOf(res)('templates.title'), templates: await listSaved(rt.db, owner(res), 'template'), cart: await currentCart(rt.db, owner(res)), errors, name: status >= 400 ? req.body?.name : '' }, status);

  const templatePage = async (req: Request, res: Response, id: number, status = 200, errors: string[] = []) =>
    render(req, res, 'template', { title: tOf(res)('templates.templateTitle'), template: await savedDetail(rt.db, owner(res), 'template', id), errors }, status);

  const draftsPage = async (req: Request, res: Response, status = 200, errors: string[] = []) =>
    render(req, res, 'drafts', { title: tOf(res)('drafts.title'), drafts: await listSaved(rt.db, owner(res), 'draft'), cart: await currentCart(rt.db, owner(res)), errors }, status);

  r.get('/templates', ...requireOrdering, (req, res) => templatesPage(req, res));

  r.post('/templates', ...requireOrdering, async (req, res) => {
    try {
      const t = await saveCart(rt.db, owner(res), 'template', req.body?.name);
      flash(req, 'ok', tOf(res)('templates.saved', { name: t.name }));
      res.redirect(303, `/templates/${t.id}`);
    } catch (err) {
      const e = refusal(err, 'invalid', 'conflict');
      await templatesPage(req, res, httpStatus(e), [messageText(res, e)]);
    }
  });

  r.get('/templates/:id', ...requireOrdering, (req, res) => templatePage(req, res, idOf(res, req.params.id, 'template')));

  r.post('/templates/:id/order', ...requireOrdering, async (req, res) => {
    const result = await orderFromTemplate(rt.db, owner(res), idOf(res, req.params.id, 'template'));
    if (result.added) flash(req, 'ok', tOf(res)('templates.added', { name: result.name, count: result.added }));
    else flash(req, 'error', tOf(res)('templates.nothingAdded', { name: result.name }));
    for (const e of result.errors) flash(req, 'error', e);
    res.redirect(303, '/cart');
  });

  r.post('/templates/:id/rename', ...requireOrdering, async (req, res) => {
    const id = idOf(res, req.params.id, 'template');
    try {
      const name = await renameSaved(rt.db, owner(res), 'template', id, req.body?.name);
      flash(req, 'ok', tOf(res)('templates.renamed', { name }));
      res.redirect(303, `/templates/${id}`);
    } catch (err) {
      const e = refusal(err, 'invalid', 'conflict');
      await templatePage(req, res, id, httpStatus(e), [messageText(res, e)]);
    }
  });

  r.post('/templates/:id/delete', ...requireOrdering, async (req, res) => {
    const name = await deleteSaved(rt.db, owner(res), 'template', idOf(res, req.params.id, 'template'));
    flash(req, 'ok', tOf(res)('templates.deleted', { name }));
    res.redirect(303, '/templates');
  });

  r.get('/carts', ...requireOrdering, (req, res) => draftsPage(req, res));

  r.post('/carts', ...requireOrdering, async (req, res) => {
    try {
      const d = await saveCart(rt.db, owner(res), 'draft', req.body?.name);
      flash(req, 'ok', tOf(res)('drafts.savedAs', { name: d.name }));
      res.redirect(303, '/carts');
    } catch (err) {
      const e = refusal(err, 'invalid', 'conflict');
      await draftsPage(req, res, httpStatus(e), [messageText(res, e)]);
    }
  });

  r.post('/carts/:id/switch', ...requireOrdering, async (req, res) => {
    const s = await switchToDraft(rt.db, owner(res), idOf(res, req.params.id, 'draft'));
    flash(req, 'ok', s.parked ? tOf(res)('drafts.openedParked', { name: s.name, parked: s.parked }) : tOf(res)('drafts.opened', { name: s.name }));
    for (const e of s.errors) flash(req, 'error', e);
    res.redirect(303, '/cart');
  });

  r.post('/carts/:id/rename', ...requireOrdering, async (req, res) => {
    try {
      const name = await renameSaved(rt.db, owner(res), 'draft', idOf(res, req.params.id, 'draft'), req.body?.name);
      flash(req, 'ok', tOf(res)('drafts.renamed', { name }));
      res.redirect(303, '/carts');
    } catch (err) {
      const e = refusal(err, 'invalid', 'conflict');
      await draftsPage(req, res, httpStatus(e), [messageText(res, e)]);
    }
  });

  r.post('/carts/:id/delete', ...requireOrdering, async (req, res) => {
    const name = await deleteSaved(rt.db, owner(res), 'draft', idOf(res, req.params.id, 'draft'));
    flash(req, 'ok', tOf(res)('drafts.deleted', { name }));
    res.redirect(303, '/carts');
  });

  return r;
}
