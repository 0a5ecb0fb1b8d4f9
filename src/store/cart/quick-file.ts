// Quick order from a file: an XLSX (its first sheet) or a CSV (`;`, `,` or tab; UTF-8, UTF-16
// with a BOM, or windows-1251) → the same parsed lines as the paste box (quick-order.ts), each
// numbered by its row in the file. The header row is found among the first rows by its names
// (Артикул / Штрихкод / Количество, SKU / Barcode / Qty…); a file without one is read as two
// columns "SKU, quantity" when its first row looks like that. Pure: no database. A file that is
// not a spreadsheet, is broken or has no such columns is refused with a DomainError ('invalid').
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { DomainError, type Message } from '../../infra/domain-error.ts';
import { MAX_QUICK_LINES, type QuickLine, quickLine, tooManyLines } from './quick-order.ts';

/** 500 lines are a few kilobytes; an exported price list with pictures is not an order. */
export const MAX_QUICK_FILE_BYTES = 1024 * 1024;
/** What the XLSX may unpack to (its parts' declared sizes): a small file must not unzip to gigabytes. */
const MAX_XLSX_UNPACKED = 32 * 1024 * 1024;
const MAX_XLSX_PARTS = 2000;
/** The header row is looked for among this many first non-empty rows. */
const HEADER_ROWS = 10;

type Column = 'sku' | 'barcode' | 'qty';

/** Header names, normalized (lower case, ё → е, letters and digits only), best first. */
const NAMES: Record<Column, string[]> = {
  sku: ['артикул', 'арт', 'артикултовара', 'sku', 'article', 'articleno', 'artno', 'art', 'vendorcode', 'partnumber', 'partno', 'itemcode', 'productcode', 'кодтовара', 'код', 'code'],
  barcode: ['штрихкод', 'шк', 'ean', 'ean13', 'gtin', 'barcode', 'upc'],
  qty: ['количество', 'колво', 'кол', 'qty', 'quantity', 'count', 'заказ'],
};

function normalize(cell: string): string {
  return cell
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** The column a header cell names and how good a match it is (lower is better), or null. */
function headerOf(cell: string): { col: Column; rank: number } | null {
  const n = normalize(cell);
  // "Количество, шт" / "Qty (pcs)": a trailing unit does not change the column.
  const bare = n.replace(/(шт|штук|ед|едизм|pcs|pc|units?)$/u, '');
  for (const col of ['sku', 'barcode', 'qty'] as Column[]) {
    const rank = NAMES[col].findIndex((x) => x === n || (bare.length > 0 && x === bare));
    if (rank >= 0) return { col, rank };
  }
  return null;
}

interface Layout {
  /** Index into the rows of the first data row. */
  start: number;
  sku: number | null;
  barcode: number | null;
  qty: number;
}

/** The header row among the first rows: one with a quantity column and a SKU or barcode column. */
function findHeader(rows: string[][]): Layout | null {
  let seen = 0;
  for (const [i, cells] of rows.entries()) {
    if (cells.every((c) => c.trim() === '')) continue;
    if (++seen > HEADER_ROWS) break;
    const best: Partial<Record<Column, { idx: number; rank: number }>> = {};
    for (const [idx, c] of cells.entries()) {
      const h = headerOf(c);
      if (h && (best[h.col] === undefined || h.rank < best[h.col]!.rank)) best[h.col] = { idx, rank: h.rank };
    }
    if (best.qty && (best.sku || best.barcode)) return { start: i + 1, sku: best.sku?.idx ?? null, barcode: best.barcode?.idx ?? null, qty: best.qty.idx };
  }
  return null;
}

/** No header: the first non-empty row must look like "SKU, quantity" (as pasted from Excel). */
function headerless(rows: string[][]): Layout | null {
  const i = rows.findIndex((cells) => cells.some((c) => c.trim() !== ''));
  if (i < 0) return null;
  const [a = '', b = ''] = rows[i]!.map((c) => c.trim());
  if (!a || 'error' in quickLine(1, '', a, b)) return null;
  return { start: i, sku: 0, barcode: null, qty: 1 };
}

/** A character below U+0020 other than tab, LF and CR, or DEL (PostgreSQL cannot store a NUL). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

/** Data rows → parsed lines, numbered by `lineNo(row index)`. */
function toLines(rows: string[][], layout: Layout, lineNo: (i: number) => number): QuickLine[] {
  const out: QuickLine[] = [];
  for (let i = layout.start; i < rows.length; i++) {
    const cells = rows[i]!;
    const at = (idx: number | null) => (idx === null ? '' : (cells[idx] ?? '').trim());
    const code = at(layout.sku) || at(layout.barcode);
    const q = at(layout.qty);
    if (!code && !q) continue;
    const n = lineNo(i);
    const raw = cells.map((c) => c.trim()).join('\t').trim();
    if (out.length >= MAX_QUICK_LINES) {
      out.push(tooManyLines(n, raw));
      break;
    }
    if (hasControl(code) || hasControl(q)) out.push({ lineNo: n, raw: '', error: { key: 'storeErrors.quick.control' } });
    else if (!code) out.push({ lineNo: n, raw, error: { key: 'storeErrors.quick.noCode', params: { qty: q } } });
    else if (!q) out.push({ lineNo: n, raw, error: { key: 'storeErrors.quick.noQty', params: { code } } });
    else out.push(quickLine(n, raw, code, q));
  }
  return out;
}

const refuse = (code: string, message: Message) => new DomainError('invalid', message, { code: `quick_file.${code}` });

const NOT_A_SPREADSHEET: Message = { key: 'storeRefusals.quickFile.notSpreadsheet' };
const NO_COLUMNS: Message = { key: 'storeRefusals.quickFile.noColumns' };

function layoutOf(rows: string[][]): Layout {
  const layout = findHeader(rows) ?? headerless(rows);
  if (!layout) throw refuse('no_columns', NO_COLUMNS);
  return layout;
}

// ── XLSX ──────────────────────────────────────────────────────────────────────────────────

/** The declared unpacked size and whether the ZIP holds a workbook; refuses a broken archive. */
async function inspectZip(buf: Buffer): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))),
  ).catch(() => {
    throw refuse('broken', { key: 'storeRefusals.quickFile.brokenXlsx' });
  });
  let total = 0;
  let parts = 0;
  let workbook = false;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      total += e.uncompressedSize;
      parts++;
      if (e.fileName === 'xl/workbook.xml') workbook = true;
      if (total > MAX_XLSX_UNPACKED || parts > MAX_XLSX_PARTS) {
        zip.close();
        reject(refuse('too_big', { key: 'storeRefusals.quickFile.xlsxTooBig' }));
        return;
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', () => reject(refuse('broken', { key: 'storeRefusals.quickFile.brokenXlsx' })));
    zip.readEntry();
  });
  if (!workbook) throw refuse('not_spreadsheet', { key: 'storeRefusals.quickFile.zipNotWorkbook' });
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(Number(v.toPrecision(15))); // 0.30000000000000004 → 0.3
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('result' in v) return cellText((v.result ?? null) as ExcelJS.CellValue);
  if ('formula' in v || 'sharedFormula' in v) return '';
  if ('text' in v) return typeof v.text === 'string' ? v.text : cellText(v.text as ExcelJS.CellValue);
  return '';
}

async function readXlsx(buf: Buffer): Promise<QuickLine[]> {
  await inspectZip(buf);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch {
    throw refuse('broken', { key: 'storeRefusals.quickFile.unreadableXlsx' });
  }
  const ws = wb.worksheets[0];
  if (!ws) throw refuse('no_columns', NO_COLUMNS);
  const rows: string[][] = [];
  const rowNos: number[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNo) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    rows.push(Array.from(cells, (c) => c ?? ''));
    rowNos.push(rowNo);
  });
  return toLines(rows, layoutOf(rows), (i) => rowNos[i]!);
}

// ── CSV ───────────────────────────────────────────────────────────────────────────────────

/** Bytes → text: a BOM decides; else UTF-8 when it is valid UTF-8, else windows-1251 (Excel's "CSV" in a Russian Windows). */
export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf.subarray(2), 'utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf16be');
  if (buf.includes(0)) throw refuse('not_spreadsheet', NOT_A_SPREADSHEET);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return iconv.decode(buf, 'win1251');
  }
}

type CsvRecord = { record: string[]; info: { lines: number } };

function parseCsv(text: string, delimiter: string, toLine?: number): CsvRecord[] {
  return parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true, ...(toLine ? { to_line: toLine } : {}) }) as unknown as CsvRecord[];
}

const DELIMITERS = [';', '\t', ','];

function readCsv(buf: Buffer): QuickLine[] {
  const text = decodeText(buf);
  if (hasControl(text)) throw refuse('not_spreadsheet', NOT_A_SPREADSHEET);
  if (!text.trim()) throw refuse('empty', { key: 'storeRefusals.quickFile.empty' });
  // The separator is the one under which a header row is found; else the one the first line uses most.
  let delimiter: string | undefined;
  for (const d of DELIMITERS) {
    try {
      if (findHeader(parseCsv(text, d, HEADER_ROWS * 4).map((r) => r.record))) {
        delimiter = d;
        break;
      }
    } catch {
      // a quote this separator cannot read: try the next
    }
  }
  if (!delimiter) {
    const first = text.split(/\r\n?|\n/).find((l) => l.trim()) ?? '';
    const count = (d: string) => first.split(d).length;
    delimiter = DELIMITERS.reduce((best, d) => (count(d) > count(best) ? d : best), DELIMITERS[0]!);
  }
  let records: CsvRecord[];
  try {
    records = parseCsv(text, delimiter);
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw refuse('broken', line ? { key: 'storeRefusals.quickFile.brokenCsvAt', params: { line } } : { key: 'storeRefusals.quickFile.brokenCsv' });
  }
  const rows = records.map((r) => r.record);
  return toLines(rows, layoutOf(rows), (i) => records[i]!.info.lines);
}

// ── the file ──────────────────────────────────────────────────────────────────────────────

const startsWith = (buf: Buffer, bytes: number[]) => bytes.every((b, i) => buf[i] === b);

/** A file's bytes → parsed lines (XLSX by its ZIP signature, else CSV text), or a refusal naming the problem. */
export async function parseQuickFile(buf: Buffer): Promise<QuickLine[]> {
  if (buf.length === 0) throw refuse('empty', { key: 'storeRefusals.quickFile.empty' });
  if (buf.length > MAX_QUICK_FILE_BYTES) throw refuse('too_big', { key: 'storeRefusals.quickFile.tooBig', params: { mb: MAX_QUICK_FILE_BYTES / 1048576, lines: MAX_QUICK_LINES } });
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04]) || startsWith(buf, [0x50, 0x4b, 0x05, 0x06])) return readXlsx(buf);
  if (startsWith(buf, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw refuse('xls', { key: 'storeRefusals.quickFile.xls' });
  }
  // Common binary formats that happen to decode as text: PDF, PNG, JPEG, GIF, gzip, RAR, 7z.
  const binary = [[0x25, 0x50, 0x44, 0x46], [0x89, 0x50, 0x4e, 0x47], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46, 0x38], [0x1f, 0x8b], [0x52, 0x61, 0x72, 0x21], [0x37, 0x7a, 0xbc, 0xaf]];
  if (binary.some((m) => startsWith(buf, m))) throw refuse('not_spreadsheet', NOT_A_SPREADSHEET);
  return readCsv(buf);
}
