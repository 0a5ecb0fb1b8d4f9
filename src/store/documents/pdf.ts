// PDFs the store renders itself (pdfkit): a mirrored document without a printed form of its own,
// and the store's invoice for an order. The standard PDF fonts have no Cyrillic, so the text is
// set in DejaVu Sans from Debian's fonts-dejavu-core (.ci/run and the Dockerfile install it).
// Texts come from the catalogs (documentsPdf.*), figures and dates through src/infra/intl.ts, in
// the reader's language (default: the store's).
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { languageOr, localeOf, type Translate, translator } from '../../infra/i18n/index.ts';
import { type Formats, formats } from '../../infra/intl.ts';
import type { DocumentLine } from '../../mirror/records.ts';
import { roublesInWords } from './amount-in-words.ts';
import type { DocumentDetail } from './documents.ts';
import type { Seller } from './seller.ts';

export const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

function fontsOrThrow(): void {
  if (!fs.existsSync(REGULAR) || !fs.existsSync(BOLD)) {
    throw new Error(`PDF font missing: ${REGULAR} (install Debian's fonts-dejavu-core)`);
  }
}

/** The reader's texts and formats: money "1 234 567,50" (as the pages print it), empty stays empty. */
interface Speech {
  t: Translate;
  f: Formats;
  money(v: string | null | undefined, currency?: string | null): string;
  qty(v: string | null | undefined): string;
  lang: string;
}
function speech(lang?: string | null): Speech {
  const l = languageOr(lang);
  const f = formats(localeOf(l));
  return { t: translator(l), f, lang: l, money: (v, c) => (v ? f.money(v, c) : ''), qty: (v) => (v ? f.qty(v) : '') };
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

function newDoc(title: string): PDFKit.PDFDocument {
  fontsOrThrow();
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: title, Producer: 'Counterpart' } });
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);
  doc.font('regular').fontSize(9);
  return doc;
}

interface Column { title: string; width: number; align?: 'left' | 'right' | 'center' }

/** A simple ruled table; rows move to a new page when the page is full. */
function table(doc: PDFKit.PDFDocument, cols: Column[], rows: string[][]): void {
  const x0 = doc.page.margins.left;
  const pad = 3;
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(8);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: cols[i]!.width - 2 * pad }))) + 2 * pad;
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const y = doc.y;
    let x = x0;
    cells.forEach((c, i) => {
      doc.rect(x, y, cols[i]!.width, h).stroke();
      doc.text(c, x + pad, y + pad, { width: cols[i]!.width - 2 * pad, align: cols[i]!.align ?? 'left' });
      x += cols[i]!.width;
    });
    doc.x = x0;
    doc.y = y + h;
  };
  drawRow(cols.map((c) => c.title), true);
  for (const r of rows) drawRow(r, false);
  doc.font('regular').fontSize(9).moveDown(0.5);
}

const lineColumns = ({ t }: Speech): Column[] => [
  { title: t('documentsPdf.col.no'), width: 25, align: 'center' },
  { title: t('documentsPdf.col.name'), width: 215 },
  { title: t('documentsPdf.col.qty'), width: 50, align: 'right' },
  { title: t('documentsPdf.col.unit'), width: 35, align: 'center' },
  { title: t('documentsPdf.col.price'), width: 70, align: 'right' },
  { title: t('documentsPdf.col.amount'), width: 120, align: 'right' },
];
const lineRows = (sp: Speech, lines: DocumentLine[]) =>
  lines.map((l, i) => [String(l.lineNo ?? i + 1), l.sku ? `${l.name} (${l.sku})` : l.name, sp.qty(l.quantity), l.unit ? sp.f.unit(l.unit) : '', sp.money(l.price), sp.money(l.amount)]);

/** A mirrored document printed from its data (when the system sent no file of its own), in a language (default: the store's). */
export function renderDocumentPdf(d: DocumentDetail, lang?: string | null): Promise<Buffer> {
  const sp = speech(lang);
  const { t, f } = sp;
  const title = t('documentsPdf.title', { kind: t(`documentsPdf.kind.${d.kind}`), number: d.number, date: f.day(d.date) });
  const doc = newDoc(title);
  doc.font('bold').fontSize(14).text(title).moveDown(0.5);
  doc.font('regular').fontSize(9);
  const ids = [d.counterpartyInn ? t('documentsPdf.inn', { inn: d.counterpartyInn }) : '', d.counterpartyKpp ? t('documentsPdf.kpp', { kpp: d.counterpartyKpp }) : ''];
  doc.text(t('documentsPdf.counterparty', { name: [d.counterpartyName, ...ids].filter(Boolean).join(', ') }));
  if (d.periodFrom && d.periodTo) doc.text(t('documentsPdf.period', { from: f.day(d.periodFrom), to: f.day(d.periodTo) }));
  if (d.status) doc.text(t('documentsPdf.status', { status: d.status }));
  doc.moveDown(0.5);
  if (d.lines.length) table(doc, lineColumns(sp), lineRows(sp, d.lines));
  const amount = sp.money(d.amount, d.currency);
  doc.font('bold').text(t(d.kind === 'reconciliation' ? 'documentsPdf.balance' : 'documentsPdf.total', { amount }), { align: 'right' });
  if (d.vatAmount && d.kind !== 'reconciliation') doc.font('regular').text(t('documentsPdf.vatIncluded', { amount: sp.money(d.vatAmount) }), { align: 'right' });
  doc.moveDown(1).font('regular').fontSize(7).fillColor('#666').text(t('documentsPdf.printedByStore'));
  return collect(doc);
}

export interface Requisites {
  name: string;
  inn: string | null;
  kpp: string | null;
  address: string | null;
  bankName: string | null;
  bic: string | null;
  account: string | null;
  corrAccount: string | null;
}

export interface InvoiceInput {
  number: string;
  date: string;
  seller: Seller;
  buyer: Requisites;
  lines: { name: string; sku: string | null; unit: string | null; quantity: string; price: string; amount: string; vatRate: string | null }[];
  total: string;
  /** The order's currency (ISO 4217). */
  currency: string;
  vat: { rate: string; amount: string }[];
  contract: string | null;
}

/** The store's own invoice (счёт на оплату) for an order, with both parties' requisites, in a language (default: the store's). */
export function renderInvoicePdf(inv: InvoiceInput, lang?: string | null): Promise<Buffer> {
  const sp = speech(lang);
  const { t, f } = sp;
  const title = t('documentsPdf.invoice.title', { number: inv.number, date: f.day(inv.date) });
  const doc = newDoc(title);
  const s = inv.seller;
  const half = 257;
  const inn = (r: { inn: string | null; kpp: string | null }) =>
    [r.inn ? t('documentsPdf.inn', { inn: r.inn }) : '', r.kpp ? t('documentsPdf.kpp', { kpp: r.kpp }) : ''].filter(Boolean);
  table(doc, [{ title: t('documentsPdf.invoice.bank'), width: half }, { title: t('documentsPdf.invoice.requisites'), width: half }], [
    [s.bankName, `${t('documentsPdf.invoice.bic', { bic: s.bic })}\n${t('documentsPdf.invoice.accountNo', { account: s.corrAccount })}`],
    [`${inn({ inn: s.inn, kpp: s.kpp || null }).join('  ')}\n${t('documentsPdf.invoice.payee', { name: s.name })}`, t('documentsPdf.invoice.accountNo', { account: s.account })],
  ]);
  doc.moveDown(0.5).font('bold').fontSize(14).text(title).moveDown(0.5);
  const party = (who: string, r: Requisites) => {
    const parts = [r.name, ...inn(r), r.address ?? ''];
    const bank =
      r.bankName && r.account
        ? t('documentsPdf.invoice.bankAccount', { account: r.account, bank: r.bankName }) +
          (r.bic ? t('documentsPdf.invoice.bankBic', { bic: r.bic }) : '') +
          (r.corrAccount ? t('documentsPdf.invoice.corr', { corr: r.corrAccount }) : '')
        : '';
    doc.font('bold').fontSize(9).text(`${who}: `, { continued: true }).font('regular').text([...parts, bank].filter(Boolean).join(', '));
  };
  party(t('documentsPdf.invoice.seller'), { ...s, kpp: s.kpp || null });
  party(t('documentsPdf.invoice.buyer'), inv.buyer);
  if (inv.contract) doc.font('bold').text(`${t('documentsPdf.invoice.basis')}: `, { continued: true }).font('regular').text(inv.contract);
  doc.moveDown(0.5);
  table(doc, lineColumns(sp), lineRows(sp, inv.lines.map((l, i) => ({ ...l, lineNo: i + 1 }))));
  doc.font('bold').text(t('documentsPdf.total', { amount: sp.money(inv.total) }), { align: 'right' });
  for (const v of inv.vat) doc.font('regular').text(t('documentsPdf.vatRate', { rate: f.qty(v.rate), amount: sp.money(v.amount) }), { align: 'right' });
  doc.text(t('documentsPdf.invoice.due', { amount: sp.money(inv.total) }), { align: 'right' }).moveDown(0.5);
  doc.text(t('documentsPdf.invoice.summary', { count: inv.lines.length, amount: sp.money(inv.total, inv.currency) }));
  // The amount in words is a Russian invoice's legal line (roubles only): printed in Russian.
  if (sp.lang === 'ru' && inv.currency === 'RUB') doc.font('bold').text(roublesInWords(inv.total));
  doc.moveDown(1.5).font('regular').text(t('documentsPdf.invoice.signatures', { director: s.director, accountant: s.accountant }));
  return collect(doc);
}
