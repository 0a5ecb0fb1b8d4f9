// Price list download (XLSX via exceljs streaming writer, and CSV) for the current counterparty.
import ExcelJS from 'exceljs';
import { Router } from 'express';
import { log } from '../../infra/log.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { storeToday } from '../../store/arrivals/arrivals.ts';
import { listWarehouses } from '../../store/catalog/availability.ts';
import { priceListRows } from '../../store/catalog/pricelist.ts';
import { buyerScope, requireBuyer } from '../auth/context.ts';
import { tOf } from '../i18n.ts';
import type { Translate } from '../../infra/i18n/index.ts';
import { formats } from '../../infra/intl.ts';

const quote = (s: string) => (/[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * A text cell (names, SKUs, units, header warehouse names). A leading = + - @ tab or CR makes
 * Excel/LibreOffice read the cell as a formula (=HYPERLINK(…) from a synced product name), so
 * such cells get a leading ' (the OWASP CSV-injection rule) and are shown as text.
 */
export const csvText = (v: string | null | undefined) => {
  const s = v ?? '';
  return quote(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
};

/** A number from a SQL numeric (price, quantity): written as is, so "-3" stays a number; anything else is text. */
export const csvNumber = (v: string | null | undefined) => (v && /^-?\d+(\.\d+)?$/.test(v) ? v : csvText(v));

export function pricelistRoutes(rt: Runtime): Router {
  const r = Router();

  // Column headers in the buyer's language (src/infra/i18n).
  const header = async (t: Translate) => {
    const warehouses = await listWarehouses(rt.readDb);
    const cols = ['sku', 'name', 'unit', 'price', 'currency', 'vatIncluded'].map((c) => t(`pricelist.col.${c}`));
    for (const w of warehouses) cols.push(w.kind === 'partner' ? t('pricelist.partnerCol', { name: w.name, days: w.deliveryDays }) : w.name);
    for (const w of warehouses.filter((x) => x.kind === 'partner')) cols.push(t('pricelist.priceAt', { name: w.name }));
    return { warehouses, cols };
  };

  const fileName = (res: Parameters<typeof buyerScope>[0], ext: string) => {
    const today = storeToday(); // the store's calendar day, not UTC's
    return `pricelist-${buyerScope(res).counterpartyId}-${today}.${ext}`;
  };

  r.get('/pricelist.csv', ...requireBuyer, async (_req, res) => {
    const { counterpartyId, contractId } = buyerScope(res);
    const t = tOf(res);
    const { warehouses, cols } = await header(t);
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName(res, 'csv')}"` });
    // BOM + semicolons: what Excel with a Russian locale opens without a wizard.
    res.write(`\ufeff${cols.map(csvText).join(';')}\r\n`);
    try {
      for await (const row of priceListRows(rt.readDb, { counterpartyId, contractId })) {
        const cells = [csvText(row.sku), csvText(row.name), csvText(row.unit), csvNumber(row.price), csvText(row.currency), row.vat_included === null ? '' : t(row.vat_included ? 'pricelist.yes' : 'pricelist.no')];
        for (const w of warehouses) cells.push(csvNumber(row.stock[String(w.id)] ?? '0'));
        for (const w of warehouses.filter((x) => x.kind === 'partner')) cells.push(csvNumber(row.partner[String(w.id)] ?? ''));
        if (!res.write(`${cells.join(';')}\r\n`)) await new Promise((ok) => res.once('drain', ok));
      }
    } catch (err) {
      // Headers are out: the only honest signal left is a broken download.
      log.error({ err }, 'price list failed');
      res.destroy();
      return;
    }
    res.end();
  });

  r.get('/pricelist.xlsx', ...requireBuyer, async (_req, res) => {
    const { viewer, counterpartyId, contractId } = buyerScope(res);
    const t = tOf(res);
    const { warehouses, cols } = await header(t);
    res.set({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="${fileName(res, 'xlsx')}"`,
    });
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true });
    const ws = wb.addWorksheet(t('pricelist.sheet'), { views: [{ state: 'frozen', ySplit: 2 }] });
    const cp = viewer.counterparties.find((c) => c.id === counterpartyId);
    const f = formats(res.locals.locale as string | undefined);
    ws.addRow([t('pricelist.title', { name: cp?.name ?? '', when: `${f.dateTimeShort(new Date())} (${f.zoneName()})` })]).commit();
    const head = ws.addRow(cols);
    head.font = { bold: true };
    head.commit();
    try {
    for await (const row of priceListRows(rt.readDb, { counterpartyId, contractId })) {
      // Numbers go in as numbers for Excel sums; they come from 2–3 decimal strings, exact in a double.
      const cells: (string | number | null)[] = [row.sku, row.name, row.unit, row.price === null ? null : Number(row.price), row.currency, t(row.vat_included ? 'pricelist.yes' : 'pricelist.no')];
      for (const w of warehouses) cells.push(Number(row.stock[String(w.id)] ?? 0));
      for (const w of warehouses.filter((x) => x.kind === 'partner')) cells.push(row.partner[String(w.id)] ? Number(row.partner[String(w.id)]) : null);
      ws.addRow(cells).commit();
    }
    ws.commit();
    await wb.commit();
    } catch (err) {
      log.error({ err }, 'price list failed');
      res.destroy();
    }
  });

  return r;
}
