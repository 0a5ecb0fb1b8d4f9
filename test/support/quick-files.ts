// Files for the quick order tests, made by other codecs than the code under test uses:
// XLSX written by exceljs, windows-1251 encoded with a table built from Node's TextDecoder
// (the code decodes with iconv-lite), ZIPs by yazl.
import ExcelJS from 'exceljs';
import yazl from 'yazl';

export async function xlsx(rows: ExcelJS.CellValue[][], sheet = 'Заказ'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

let table: Map<string, number> | undefined;

/** Text → windows-1251 bytes (ASCII and the 128 upper code points; anything else throws). */
export function cp1251(text: string): Buffer {
  if (!table) {
    table = new Map();
    const dec = new TextDecoder('windows-1251');
    for (let b = 0x80; b <= 0xff; b++) table.set(dec.decode(Uint8Array.of(b)), b);
  }
  return Buffer.from(
    Array.from(text, (ch) => {
      const c = ch.charCodeAt(0);
      if (c < 0x80) return c;
      const b = table!.get(ch);
      if (b === undefined) throw new Error(`not in windows-1251: ${ch}`);
      return b;
    }),
  );
}

export function zipOf(name: string, content: string): Promise<Buffer> {
  const z = new yazl.ZipFile();
  z.addBuffer(Buffer.from(content), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}
