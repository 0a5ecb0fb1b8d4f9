import { expect } from 'chai';
import { messageIn } from '../../../src/infra/domain-error.ts';
import { parseQuantity, parseQuickOrder } from '../../../src/store/cart/quick-order.ts';

describe('store/quick-order: parsing pasted lines', () => {
  it('reads Excel (tab), semicolon and space separated lines, skipping blanks', () => {
    const lines = parseQuickOrder('SKU-001\t5\r\n\r\nSKU-002;2,5\nAB 12 X  10\n  sku-004   1 000 \n');
    expect(lines).to.deep.equal([
      { lineNo: 1, raw: 'SKU-001\t5', sku: 'SKU-001', qty: '5' },
      { lineNo: 3, raw: 'SKU-002;2,5', sku: 'SKU-002', qty: '2.5' },
      { lineNo: 4, raw: 'AB 12 X  10', sku: 'AB 12 X', qty: '10' },
      // "1 000" with a thousands space: the last token is "000" → not a quantity
      { lineNo: 5, raw: 'sku-004   1 000', error: { key: 'storeErrors.quick.notQuantity', params: { value: '000' } } },
    ]);
  });

  it('names each bad line: missing quantity, bad number, zero, negative, too many decimals', () => {
    const lines = parseQuickOrder('SKU-001\nSKU-002 abc\nSKU-003 0\nSKU-004 -2\nSKU-005 1.2345\nSKU-006\t1 000');
    // the web prefixes the line number; the texts in English (en catalog) and in Russian
    expect(lines.map((l) => ('error' in l ? `Line ${l.lineNo}: ${messageIn('en', l.error)}` : l.qty))).to.deep.equal([
      'Line 1: no quantity after "SKU-001" (expected "SKU quantity").',
      'Line 2: "abc" is not a quantity (a positive number, e.g. 5 or 2,5).',
      'Line 3: "0" is not a quantity (a positive number, e.g. 5 or 2,5).',
      'Line 4: "-2" is not a quantity (a positive number, e.g. 5 or 2,5).',
      'Line 5: "1.2345" is not a quantity (a positive number, e.g. 5 or 2,5).',
      '1000',
    ]);
    expect(lines.slice(0, 2).map((l) => ('error' in l ? messageIn('ru', l.error) : ''))).to.deep.equal([
      'нет количества после «SKU-001» (ожидается «артикул количество»).',
      '«abc» — не количество (нужно положительное число, например 5 или 2,5).',
    ]);
  });

  it('parses quantities exactly', () => {
    expect(parseQuantity('007')).to.equal('7');
    expect(parseQuantity('0,5')).to.equal('0.5');
    expect(parseQuantity('1e3')).to.equal(null);
    expect(parseQuantity('')).to.equal(null);
  });

  it('caps the number of lines with a message', () => {
    const text = Array.from({ length: 502 }, (_, i) => `S${i} 1`).join('\n');
    const lines = parseQuickOrder(text);
    expect(lines).to.have.length(501);
    expect(messageIn('en', (lines[500] as { error: { key: string } }).error)).to.contain('Only 500 lines');
  });
});
