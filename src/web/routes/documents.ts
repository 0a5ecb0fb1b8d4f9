// Documents of the viewer's legal entities: the list with filters, one as PDF (the system's own
// printed form when it sent one, else rendered), a selection as a streamed ZIP, and the store's
// own invoice of an order. Scope: src/store/documents/access.ts; anything outside it is a 404.
import { type RequestHandler, Router } from 'express';
import yazl from 'yazl';
import type { Runtime } from '../../infra/runtime.ts';
import type { DocumentKind } from '../../mirror/records.ts';
import type { Viewer } from '../../store/accounts/viewer.ts';
import { maySeeDocuments, maySeeOrderInvoices } from '../../store/company/access.ts';
import { documentCounterparties, invoiceCounterparties } from '../../store/documents/access.ts';
import {
  DOCUMENT_KIND_LABELS, documentById, documentFile, documentFileName, documentsByIds, listDocuments, parseFilters,
} from '../../store/documents/documents.ts';
import { orderInvoice } from '../../store/documents/invoice.ts';
import { renderDocumentPdf, renderInvoicePdf } from '../../store/documents/pdf.ts';
import { requireBuyer, viewerOf } from '../auth/context.ts';
import { badRequest, forbidden, idParam, notFound, parseId } from '../errors.ts';
import { tOf } from '../i18n.ts';

/** At most this many documents in one ZIP. */
export const ZIP_MAX = 200;

const attachment = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function documentRoutes(rt: Runtime): Router {
  const r = Router();
  const scopeOf = (viewer: Viewer) => documentCounterparties(viewer);
  // A role that sees no documents is told so (the page exists for everyone: not a 404).
  const roleGuard = (allowed: (v: Viewer) => boolean): RequestHandler => (_req, res, next) => {
    const viewer = viewerOf(res);
    if (allowed(viewer)) return next();
    const tr = tOf(res);
    next(forbidden(tr('documents.roleRefused', { role: tr(`company.roles.${viewer.companyRole}`) })));
  };
  const documentsRole = roleGuard(maySeeDocuments);

  r.get('/documents', ...requireBuyer, documentsRole, async (req, res) => {
    const viewer = viewerOf(res);
    const filters = parseFilters(req.query);
    if (filters.counterpartyId !== undefined && !scopeOf(viewer).includes(filters.counterpartyId)) throw notFound('counterparty');
    const tr = tOf(res);
    const kindLabel = (kind: DocumentKind) => tr(`documents.kinds.${kind}`);
    const documents = (await listDocuments(rt.db, scopeOf(viewer), filters)).map((d) => ({ ...d, kindLabel: kindLabel(d.kind) }));
    res.render('documents', {
      title: tr('documents.title'),
      documents,
      filters,
      kinds: (Object.keys(DOCUMENT_KIND_LABELS) as DocumentKind[]).map((value) => ({ value, label: kindLabel(value), selected: value === filters.kind })),
      entities: viewer.counterparties.filter((c) => scopeOf(viewer).includes(c.id)).map((c) => ({ ...c, selected: c.id === filters.counterpartyId })),
    });
  });

  r.get('/documents/:id.pdf', ...requireBuyer, documentsRole, async (req, res) => {
    const scope = scopeOf(viewerOf(res));
    const doc = await documentById(rt.db, scope, idParam(req.params.id, 'document'));
    if (!doc) throw notFound('document');
    const pdf = (await documentFile(rt.db, scope, doc.id)) ?? (await renderDocumentPdf(doc, res.locals.lang as string | undefined));
    res.type('application/pdf').set('Content-Disposition', attachment(documentFileName(doc))).send(pdf);
  });

  // GET with the ids in the query string: the list's checkboxes submit it without JavaScript.
  r.get('/documents.zip', ...requireBuyer, documentsRole, async (req, res) => {
    const raw = ([] as unknown[]).concat(req.query.id ?? []);
    if (!raw.length) throw badRequest(tOf(res)('documents.zipNone'));
    if (raw.length > ZIP_MAX) throw badRequest(tOf(res)('documents.zipTooMany', { max: ZIP_MAX }));
    const ids = raw.map((v) => parseId(v));
    if (ids.some((id) => id === null)) throw badRequest(tOf(res)('documents.zipBadId'));
    const scope = scopeOf(viewerOf(res));
    const docs = await documentsByIds(rt.db, scope, [...new Set(ids as number[])]);
    if (docs.length !== new Set(ids).size) throw notFound('document');
    const zip = new yazl.ZipFile();
    res.type('application/zip').set('Content-Disposition', attachment(tOf(res)('documents.zipName')));
    zip.outputStream.pipe(res);
    const names = new Set<string>();
    try {
      // One document at a time: the archive streams out while the next PDF is read or rendered.
      for (const d of docs) {
        let name = documentFileName(d);
        if (names.has(name)) name = name.replace(/\.pdf$/, ` (${d.id}).pdf`);
        names.add(name);
        zip.addBuffer((await documentFile(rt.db, scope, d.id)) ?? (await renderDocumentPdf(d, res.locals.lang as string | undefined)), name);
      }
      zip.end();
    } catch (err) {
      // Headers are gone: cut the download (a truncated ZIP is refused by every unzipper) and log.
      req.log.error({ err }, 'documents zip failed');
      res.destroy(err as Error);
    }
  });

  r.get('/orders/:id/invoice.pdf', ...requireBuyer, roleGuard(maySeeOrderInvoices), async (req, res) => {
    const inv = await orderInvoice(rt.db, invoiceCounterparties(viewerOf(res)), idParam(req.params.id, 'order'));
    if (!inv) throw notFound('order');
    const pdf = await renderInvoicePdf(inv, res.locals.lang as string | undefined);
    res.type('application/pdf').set('Content-Disposition', attachment(tOf(res)('documentsPdf.invoice.file', { number: inv.number }))).send(pdf);
  });

  return r;
}
