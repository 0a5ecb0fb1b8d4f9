import { expect } from 'chai';
import { DomainError } from '../../../src/infra/domain-error.ts';
import { decodeText, MAX_QUICK_FILE_BYTES, parseQuickFile } from '../../../src/store/cart/quick-file.ts';
import { cp1251, xlsx, zipOf } from '../../support/quick-files.ts';
import { messageIn } from '../../../src/infra/domain-error.ts';

/** A line's message in English, as the web shows it ("Line N: …"). */
const en = (l: { lineNo: number; error: Parameters<typeof messageIn>[1] }) => `Line ${l.lineNo}: ${messageIn('en', l.error)}`;
const ok = (lines: Awaited<ReturnType<typeof parseQuickFile>>) => lines.map((l) => ('error' in l ? `${l.lineNo}: ${en(l)}` : `${l.lineNo}: ${l.sku} × ${l.qty}`));

async function refusal(buf: Buffer): Promise<DomainError> {
  try {
    await parseQuickFile(buf);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('store/quick-file: quick order lines from an XLSX or CSV', () => {
  it('finds the header row under a title in an XLSX, Russian names, numbers and formulas as cells', async () => {
    const buf = await xlsx([
      ['Заказ поставщику'],
      [],
      ['№', 'Наименование', 'Артикул', 'Кол-во, шт'],
      [1, 'Дрель', 'SKU-002', 4],
      [2, 'Молоток', 'SKU-003', { formula: 'A5*1.5', result: 0.1 + 0.2 }],
      [3, 'Пусто', '', ''],
      [4, 'Без количества', 'SKU-004', ''],
      [5, 'Без артикула', '', 3],
      [6, 'Плохое', 'SKU-005', 'много'],
      [7, 'Итого', 'SKU-006', 1.2345],
    ]);
    expect(ok(await parseQuickFile(buf))).to.deep.equal([
      '4: SKU-002 × 4',
      '5: SKU-003 × 0.3',
      '7: Line 7: no quantity for "SKU-004".',
      '8: Line 8: no SKU or barcode for the quantity "3".',
      '9: Line 9: "много" is not a quantity (a positive number, e.g. 5 or 2,5).',
      '10: Line 10: "1.2345" is not a quantity (a positive number, e.g. 5 or 2,5).',
    ]);
  });

  it('reads English headers, numeric barcodes, and prefers Артикул over Код; barcode when the SKU cell is empty', async () => {
    expect(ok(await parseQuickFile(await xlsx([['Barcode', 'Qty'], [4600000000005, 2]])))).to.deep.equal(['2: 4600000000005 × 2']);
    const both = await xlsx([
      ['Код', 'Штрихкод', 'Артикул', 'Количество'],
      ['00012', '4600000000003', 'SKU-001', 1],
      ['00013', '4600000000004', '', 2],
    ]);
    expect(ok(await parseQuickFile(both))).to.deep.equal(['2: SKU-001 × 1', '3: 4600000000004 × 2']);
  });

  it('reads a CSV in UTF-8 (with and without a BOM) and windows-1251, `;` with decimal commas or `,` with quotes', async () => {
    const semi = 'Артикул;Наименование;Количество\r\nSKU-002;Дрель;2,5\r\nSKU-003;"Молоток; 500 г";1\r\n';
    expect(ok(await parseQuickFile(Buffer.from(semi)))).to.deep.equal(['2: SKU-002 × 2.5', '3: SKU-003 × 1']);
    expect(ok(await parseQuickFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(semi)])))).to.deep.equal(['2: SKU-002 × 2.5', '3: SKU-003 × 1']);
    const comma = cp1251('"Штрихкод","Кол-во"\n"4600000000002","3"\n\n4600000000001,"1,5"\n');
    expect(comma.toString('latin1')).to.not.contain('Штрихкод');
    expect(ok(await parseQuickFile(comma))).to.deep.equal(['2: 4600000000002 × 3', '4: 4600000000001 × 1.5']);
    // Excel's "Unicode text": UTF-16 LE with a BOM, tab separated
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('SKU\tQuantity\nSKU-001\t7\n', 'utf16le')]);
    expect(ok(await parseQuickFile(utf16))).to.deep.equal(['2: SKU-001 × 7']);
  });

  it('decodes windows-1251 that is not valid UTF-8, keeps UTF-8 as it is', () => {
    expect(decodeText(cp1251('Артикул;Количество'))).to.equal('Артикул;Количество');
    expect(decodeText(Buffer.from('Артикул;Количество'))).to.equal('Артикул;Количество');
  });

  it('reads a file without a header as "SKU, quantity" columns when its first row looks so', async () => {
    expect(ok(await parseQuickFile(Buffer.from('SKU-002;3\nSKU-001;1\n')))).to.deep.equal(['1: SKU-002 × 3', '2: SKU-001 × 1']);
    expect(ok(await parseQuickFile(await xlsx([['SKU-002', 3]])))).to.deep.equal(['1: SKU-002 × 3']);
  });

  it('caps the lines like the paste box', async () => {
    const csv = `SKU;Qty\n${Array.from({ length: 505 }, (_, i) => `S${i};1`).join('\n')}`;
    const lines = await parseQuickFile(Buffer.from(csv));
    expect(lines).to.have.length(501);
    expect(lines[500]).to.deep.include({ lineNo: 502, whole: true });
    expect(messageIn('en', (lines[500] as { error: { key: string } }).error)).to.equal('Only 500 lines at a time; the rest was not added.');
    expect(messageIn('ru', (lines[500] as { error: { key: string } }).error)).to.equal('Не больше 500 строк за раз; остальные не добавлены.');
  });

  it('names what is wrong with a file that cannot be an order', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect((await refusal(png)).code).to.equal('quick_file.not_spreadsheet');
    expect((await refusal(Buffer.from('d0cf11e0a1b11ae1000000000000', 'hex'))).code).to.equal('quick_file.xls');
    expect((await refusal(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]))).code).to.equal('quick_file.broken');
    expect((await refusal(Buffer.from('Привет, мир\nэто не заказ\n'))).userMessage).to.contain('не нашлись колонки');
    expect((await refusal(Buffer.from('SKU;Qty\n"SKU-001;1\n'))).code).to.equal('quick_file.broken');
    expect((await refusal(Buffer.from('SKU;Qty\nA\u0000;1'))).code).to.equal('quick_file.not_spreadsheet');
    expect((await refusal(Buffer.alloc(0))).code).to.equal('quick_file.empty');
    expect((await refusal(Buffer.alloc(MAX_QUICK_FILE_BYTES + 1, 0x41))).code).to.equal('quick_file.too_big');
    expect((await refusal(await zipOf('hello.txt', 'hi'))).code).to.equal('quick_file.not_spreadsheet');
    expect((await refusal(await xlsx([]))).code).to.equal('quick_file.no_columns');
  });
});
