// Records the parser hands over must not keep the file's text alive: saxes gives slices of the
// decoded chunk, and V8 keeps a slice as a view of its parent, so one kept id would pin a whole
// chunk — a batch of records pinned most of a big file (the bench worker ran out of heap).
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'chai';
import { parseCommerceML } from '../../../connectors/commerceml/parse/parse-file.ts';
import { emptyClassifier } from '../../../connectors/commerceml/parse/records-map.ts';
import type { ProductRecord } from '../../../src/mirror/records.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const PRODUCTS = 400;
/** Per product: text no reader takes (kept only if the chunk is). */
const FILLER = 'Ё'.repeat(40_000);

async function* file(): AsyncGenerator<Buffer> {
  yield Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.10"><Каталог><Товары>');
  for (let i = 0; i < PRODUCTS; i++) {
    const id = `00000001-0006-4000-8000-${String(i).padStart(12, '0')}`;
    // 256 KB pieces, as a file is read
    yield Buffer.from(`<Товар><Ид>${id}</Ид><Наименование>Товар номер ${i} длинное имя</Наименование><НомерВерсии>${FILLER}</НомерВерсии></Товар>`);
  }
  yield Buffer.from('</Товары></Каталог></КоммерческаяИнформация>');
}

describe('CommerceML parser: kept records do not pin the file text', () => {
  it('the heap after the parse holds the records, not the decoded chunks they came from', async () => {
    const kept: ProductRecord[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    await parseCommerceML(file(), {
      classifier: emptyClassifier(),
      batchSize: 50,
      onBatch: async (b) => {
        kept.push(...(b.products ?? []));
      },
    });
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(kept).to.have.length(PRODUCTS);
    // The file is 400 × 80 KB = 32 MB of text; the records need well under 1 MB.
    expect(grown, `heap grew by ${(grown / 1e6).toFixed(1)} MB`).to.be.below(4e6);
    expect(kept[PRODUCTS - 1]!.name).to.equal(`Товар номер ${PRODUCTS - 1} длинное имя`);
  });
});
