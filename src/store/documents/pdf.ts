// PDFs the store renders itself (pdfkit): a mirrored document without a printed form of its own,
// and the store's invoice for an order. The standard PDF fonts have no Cyrillic, so the text is
// set in DejaVu Sans from Debian's fonts-dejavu-core (.ci/run and the Dockerfile install it).
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { formats } from '../../infra/intl.ts';
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

/** "1234567.5" → "1 234 567,50" (as the pages print money: src/infra/intl.ts); empty stays empty. */
const money = (v: string | null | undefined) => (v ? formats().money(v) : '');
const qty = (v: string | null | undefined) => (v ? formats().qty(v) : '');
const ruDate = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

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

const LINE_COLUMNS: Column[] = [
  { title: '№', width: 25, align: 'center' },
  { title: 'Наименование', width: 215 },
  { title: 'Кол-во', width: 50, align: 'right' },
  { title: 'Ед.', width: 35, align: 'center' },
  { title: 'Цена', width: 70, align: 'right' },
  { title: 'Сумма', width: 120, align: 'right' },
];
const lineRows = (lines: DocumentLine[]) =>
  lines.map((l, i) => [String(l.lineNo ?? i + 1), l.sku ? `${l.name} (${l.sku})` : l.name, qty(l.quantity), l.unit ?? '', money(l.price), money(l.amount)]);

/** A mirrored document printed from its data (when the system sent no file of its own). */
export function renderDocumentPdf(d: DocumentDetail): Promise<Buffer> {
  const title = `${d.kindLabel} № ${d.number} от ${ruDate(d.date)}`;
  const doc = newDoc(title);
  doc.font('bold').fontSize(14).text(title).moveDown(0.5);
  doc.font('regular').fontSize(9);
  doc.text(`Контрагент: ${d.counterpartyName}${d.counterpartyInn ? `, ИНН ${d.counterpartyInn}` : ''}${d.counterpartyKpp ? `, КПП ${d.counterpartyKpp}` : ''}`);
  if (d.periodFrom && d.periodTo) doc.text(`Период: с ${ruDate(d.periodFrom)} по ${ruDate(d.periodTo)}`);
  if (d.status) doc.text(`Статус: ${d.status}`);
  doc.moveDown(0.5);
  if (d.lines.length) table(doc, LINE_COLUMNS, lineRows(d.lines));
  doc.font('bold').text(`${d.kind === 'reconciliation' ? 'Сальдо' : 'Итого'}: ${money(d.amount)} ${d.currency === 'RUB' ? 'руб.' : d.currency}`, { align: 'right' });
  if (d.vatAmount && d.kind !== 'reconciliation') doc.font('regular').text(`В том числе НДС: ${money(d.vatAmount)}`, { align: 'right' });
  doc.moveDown(1).font('regular').fontSize(7).fillColor('#666')
    .text('Напечатано магазином по данным учётной системы; печатная форма учётной системы не передана.');
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
  vat: { rate: string; amount: string }[];
  contract: string | null;
}

/** The store's own invoice (счёт на оплату) for an order, with both parties' requisites. */
export function renderInvoicePdf(inv: InvoiceInput): Promise<Buffer> {
  const title = `Счёт на оплату № ${inv.number} от ${ruDate(inv.date)}`;
  const doc = newDoc(title);
  const s = inv.seller;
  const half = 257;
  table(doc, [{ title: 'Банк получателя', width: half }, { title: 'Реквизиты', width: half }], [
    [s.bankName, `БИК ${s.bic}\nСч. № ${s.corrAccount}`],
    [`ИНН ${s.inn}${s.kpp ? `  КПП ${s.kpp}` : ''}\nПолучатель: ${s.name}`, `Сч. № ${s.account}`],
  ]);
  doc.moveDown(0.5).font('bold').fontSize(14).text(title).moveDown(0.5);
  const party = (who: string, r: Requisites) => {
    const parts = [r.name, r.inn ? `ИНН ${r.inn}` : '', r.kpp ? `КПП ${r.kpp}` : '', r.address ?? ''];
    const bank = r.bankName && r.account ? `р/с ${r.account} в ${r.bankName}${r.bic ? `, БИК ${r.bic}` : ''}${r.corrAccount ? `, к/с ${r.corrAccount}` : ''}` : '';
    doc.font('bold').fontSize(9).text(`${who}: `, { continued: true }).font('regular').text([...parts, bank].filter(Boolean).join(', '));
  };
  party('Поставщик', { ...s, kpp: s.kpp || null });
  party('Покупатель', inv.buyer);
  if (inv.contract) doc.font('bold').text('Основание: ', { continued: true }).font('regular').text(inv.contract);
  doc.moveDown(0.5);
  table(doc, LINE_COLUMNS, lineRows(inv.lines.map((l, i) => ({ ...l, lineNo: i + 1 }))));
  doc.font('bold').text(`Итого: ${money(inv.total)}`, { align: 'right' });
  for (const v of inv.vat) doc.font('regular').text(`В том числе НДС ${v.rate}%: ${money(v.amount)}`, { align: 'right' });
  doc.text(`Всего к оплате: ${money(inv.total)}`, { align: 'right' }).moveDown(0.5);
  doc.text(`Всего наименований ${inv.lines.length}, на сумму ${money(inv.total)} руб.`);
  doc.font('bold').text(roublesInWords(inv.total)).moveDown(1.5);
  doc.font('regular').text(`Руководитель ____________ ${s.director}        Бухгалтер ____________ ${s.accountant}`);
  return collect(doc);
}
