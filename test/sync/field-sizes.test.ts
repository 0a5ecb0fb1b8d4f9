// Field sizes are checked before staging: an over-long value names entity, record, field and size
// instead of failing inside Postgres' merge ("index row requires …", "string is too long for tsvector").
import { expect } from 'chai';
import { FIELD_BYTES, SyncInputError, validateRecords } from '../../src/sync/validate.ts';

const fails = (fn: () => void): SyncInputError => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(SyncInputError);
    return e as SyncInputError;
  }
  throw new Error('accepted');
};

describe('sync/validate: field sizes', () => {
  it('a 50 MB name, a long description, an over-long property value and too many images are refused with entity, record, field and size', () => {
    const ok = { externalId: 'p1', name: 'Дрель', description: 'д'.repeat(100_000), properties: { Цвет: 'синий' }, images: ['a.jpg'] };
    validateRecords('products', [ok]);
    const big = fails(() => validateRecords('products', [ok, { externalId: 'p-big', name: 'x'.repeat(50 * 1024 * 1024) }], 20_000));
    expect(big.message).to.equal('products[20001].name: is 52428800 bytes, more than the limit of 2000 bytes (record "p-big")');
    // Cyrillic counts two bytes a character: 1,001 characters are over the limit
    expect(fails(() => validateRecords('products', [{ externalId: 'p2', name: 'я'.repeat(1001) }])).message).to.match(/name: is 2002 bytes/);
    expect(fails(() => validateRecords('products', [{ ...ok, description: 'x'.repeat(FIELD_BYTES.long.description! + 1) }])).message).to.equal(
      'products[0].description: is 262145 bytes, more than the limit of 262144 bytes (record "p1")',
    );
    expect(fails(() => validateRecords('products', [{ ...ok, properties: { Описание: 'x'.repeat(20_000) } }])).message).to.equal(
      'products[0].properties: value of "Описание" is 20000 bytes, more than the limit of 16384 bytes (record "p1")',
    );
    expect(fails(() => validateRecords('products', [{ ...ok, images: Array.from({ length: 1001 }, () => 'a.jpg') }])).message).to.match(/images: has 1001 entries/);
    expect(fails(() => validateRecords('stock', [{ offerExternalId: 'o1', warehouseExternalId: 'w1', quantity: '1'.repeat(3000) }])).message).to.match(
      /^stock\[0\]\.quantity: is 3000 bytes, more than the limit of 2000 bytes \(record "o1 \/ w1"\)$/,
    );
  });

  it('an over-long id is refused without repeating the whole value in the message', () => {
    const e = fails(() => validateRecords('groups', [{ externalId: 'g'.repeat(1_000_000), name: 'x' }]));
    expect(e.message.length).to.be.lessThan(300);
    expect(e.message).to.match(/^groups\[0\]\.externalId: must be a non-empty id \(≤ 500 characters\), got "g+… \(1000002 characters\)$/);
  });
});
