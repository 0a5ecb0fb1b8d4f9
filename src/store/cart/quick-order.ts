// Quick order: lines pasted from Excel ("SKU<TAB>qty", or "SKU qty", "SKU;qty") → parsed lines
// with a clear message for each bad one (a catalog key with values: storeErrors.quick.*, the web
// prefixes "Line N: " in the reader's language). Pure: resolving SKUs happens in cart.ts.
import type { Message } from '../../infra/domain-error.ts';

export type QuickLine =
  | { lineNo: number; raw: string; sku: string; qty: string }
  /** whole: a note about the paste (the cap), not about that line. */
  | { lineNo: number; raw: string; error: Message; whole?: boolean };

export const MAX_QUICK_LINES = 500;

/** "1 000,5" / "1000.5" / "12" → "1000.5"; null when it is not a positive number (≤ 3 decimals). */
export function parseQuantity(s: string): string | null {
  const t = s.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^\d{1,12}(\.\d{1,3})?$/.test(t)) return null;
  if (!/[1-9]/.test(t)) return null;
  return t.replace(/^0+(?=\d)/, '');
}

/** One line's SKU (or barcode) and quantity text → a parsed line or its message (the paste box and the file upload share it). */
export function quickLine(lineNo: number, raw: string, sku: string, q: string): QuickLine {
  const qty = parseQuantity(q);
  if (qty === null) return { lineNo, raw, error: { key: 'storeErrors.quick.notQuantity', params: { value: q } } };
  if (sku.length > 100) return { lineNo, raw, error: { key: 'storeErrors.quick.skuTooLong' } };
  return { lineNo, raw, sku, qty };
}

/** The message for the line past the cap (the rest is not added). */
export const tooManyLines = (lineNo: number, raw: string): QuickLine => ({ lineNo, raw, error: { key: 'storeErrors.quick.tooMany', params: { max: MAX_QUICK_LINES } }, whole: true });

export function parseQuickOrder(text: string): QuickLine[] {
  const out: QuickLine[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const lineNo = i + 1;
    if (out.length >= MAX_QUICK_LINES) {
      if (out.length === MAX_QUICK_LINES) out.push(tooManyLines(lineNo, line));
      continue;
    }
    let sku: string;
    let q: string;
    const cells = line.split(/\t|;/).map((c) => c.trim()).filter(Boolean);
    if (cells.length >= 2) {
      sku = cells[0]!;
      q = cells[1]!;
    } else {
      // "SKU qty": the quantity is the last token (a SKU may contain spaces).
      const m = line.match(/^(.*\S)\s+(\S+)$/);
      if (!m) {
        out.push({ lineNo, raw: line, error: { key: 'storeErrors.quick.noQuantityAfter', params: { text: line } } });
        continue;
      }
      sku = m[1]!;
      q = m[2]!;
    }
    out.push(quickLine(lineNo, line, sku, q));
  }
  return out;
}
