// Generates CommerceML packages the way 1C writes them, at any scale and in any version:
//   ≤ 2.08: import.xml (classifier + catalog) and offers.xml (price types, warehouses, offers
//           with prices and stock — 2.04/2.05 as one total Количество, 2.07/2.08 as
//           <Склад ИдСклада КоличествоНаСкладе/> rows);
//   2.09+ : import___*.xml (classifier with price types, warehouses, units + catalog),
//           offers___, prices___, rests___ (Остатки/Остаток/Склад) as the Bitrix module does.
// Each product names its picture under import_files/ and the package carries it (a small JPEG
// made by sharp), as 1C sends them — so an import of a generated package warns of nothing.
// Files are streamed to disk, so hundreds of megabytes cost little memory.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { encodeCp1251 } from '../../connectors/commerceml/sale/cp1251.ts';
import type { UploadFile } from './client.ts';

export type CmlVersion = '2.03' | '2.04' | '2.05' | '2.07' | '2.08' | '2.09' | '2.10' | '3.1';
export const VERSIONS: CmlVersion[] = ['2.03', '2.04', '2.05', '2.07', '2.08', '2.09', '2.10', '3.1'];

export interface GenOptions {
  products: number;
  warehouses?: number;
  priceTypes?: number;
  groups?: number;
  /** Properties per product (enumerated, with values in the classifier). */
  properties?: number;
  version?: CmlVersion;
  encoding?: 'utf-8' | 'utf-8-bom' | 'windows-1251';
  /** false = delta package (СодержитТолькоИзменения=true). */
  full?: boolean;
  /** Every n-th product gets two characteristic offers `product#char` instead of one plain offer. */
  characteristicsEvery?: number;
  /** Id namespace, so two generated catalogs do not collide. */
  idPrefix?: number;
  /** Products with index in this set are written as deleted (the version's spelling). */
  deleted?: Set<number>;
  /** Price value offset (a second package with other prices). */
  priceBump?: number;
  /** First product index (split packages: 0..n-1 in one, n..2n-1 in the next). */
  start?: number;
  /** false = no classifier in import (a later split package refers to an earlier one). */
  classifier?: boolean;
  /** File name suffix (split packages: import0_1, import0_2 …). */
  part?: number;
  /** false = products name no picture and the package carries none (the benchmark's XML-only
   *  package). Default: each product's `Картинка` is a JPEG under import_files/, sent with it. */
  pictures?: boolean;
}

export interface GenResult {
  /** The XML files, then the pictures (`import_files/…`, named by their path in the package). */
  files: UploadFile[];
  counts: { products: number; offers: number; prices: number; stock: number; groups: number; priceTypes: number; warehouses: number; pictures: number };
  bytes: number;
}

const guid = (kind: number, prefix: number, i: number) =>
  `${(prefix >>> 0).toString(16).padStart(8, '0')}-${kind.toString(16).padStart(4, '0')}-4000-8000-${i.toString(16).padStart(12, '0')}`;

const NS: Record<CmlVersion, string> = {
  '2.03': '', '2.04': '', '2.05': '',
  '2.07': ' xmlns="urn:1C.ru:commerceml_2"', '2.08': ' xmlns="urn:1C.ru:commerceml_210"',
  '2.09': ' xmlns="urn:1C.ru:commerceml_2"', '2.10': ' xmlns="urn:1C.ru:commerceml_2"', '3.1': ' xmlns="urn:1C.ru:commerceml_3"',
};
const modern = (v: CmlVersion) => v === '2.09' || v === '2.10' || v === '3.1';

class XmlFile {
  private out: fs.WriteStream;
  private buf: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(
    readonly file: string,
    private readonly encoding: GenOptions['encoding'],
  ) {
    this.out = fs.createWriteStream(file);
    if (encoding === 'utf-8-bom') this.out.write(Buffer.from([0xef, 0xbb, 0xbf]));
  }
  async w(s: string) {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) await this.flush();
  }
  private async flush() {
    const text = this.buf.join('');
    this.buf = [];
    this.size = 0;
    const bytes = this.encoding === 'windows-1251' ? encodeCp1251(text) : Buffer.from(text, 'utf8');
    this.bytes += bytes.length;
    if (!this.out.write(bytes)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }
  async close() {
    await this.flush();
    await new Promise<void>((r, j) => this.out.end((e?: Error | null) => (e ? j(e) : r())));
  }
}

/** Distinct pictures a package draws; products share them round-robin (content-addressed, a
 *  store keeps each once), so a package of 50k products costs 24 encodes, not 50k. */
const PICTURE_COLOURS = 24;
const pictureCache = new Map<number, Promise<Buffer>>();

/** A 160×160 JPEG: a coloured card with a lighter disc, its hue by `k`. */
function picture(k: number): Promise<Buffer> {
  const i = k % PICTURE_COLOURS;
  let p = pictureCache.get(i);
  if (!p) {
    const hue = Math.round((360 * i) / PICTURE_COLOURS);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160"><rect width="160" height="160" fill="hsl(${hue},55%,45%)"/><circle cx="80" cy="80" r="46" fill="hsl(${hue},70%,80%)"/></svg>`;
    p = sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
    pictureCache.set(i, p);
  }
  return p;
}

export async function generatePackage(dir: string, o: GenOptions): Promise<GenResult> {
  const v = o.version ?? '2.10';
  const enc = o.encoding ?? 'utf-8-bom';
  const nWh = o.warehouses ?? 3;
  const nPt = o.priceTypes ?? 2;
  const nGroups = o.groups ?? Math.max(1, Math.min(200, Math.ceil(o.products / 250)));
  const nProps = o.properties ?? 12;
  const px = o.idPrefix ?? 1;
  const full = o.full ?? true;
  const charEvery = o.characteristicsEvery ?? 0;
  const withPictures = o.pictures ?? true;
  const pictures: UploadFile[] = [];
  const flag = `СодержитТолькоИзменения="${full ? 'false' : 'true'}"`;
  await fs.promises.mkdir(dir, { recursive: true });
  const decl = `<?xml version="1.0" encoding="${enc === 'windows-1251' ? 'windows-1251' : 'UTF-8'}"?>\n`;
  const root = `<КоммерческаяИнформация${NS[v]} ВерсияСхемы="${v}" ДатаФормирования="2026-11-27T10:00:00">\n`;
  const catId = guid(0xc, px, 0);
  const group = (i: number) => guid(1, px, i);
  const prop = (i: number) => guid(2, px, i);
  const val = (p: number, k: number) => guid(3, px, p * 16 + k);
  const pt = (i: number) => guid(4, px, i);
  const wh = (i: number) => guid(5, px, i);
  const prod = (i: number) => guid(6, px, i);
  const chr = (i: number, k: number) => guid(7, px, i * 4 + k);
  const offerIds = (i: number) => (charEvery && i % charEvery === 0 ? [`${prod(i)}#${chr(i, 1)}`, `${prod(i)}#${chr(i, 2)}`] : [prod(i)]);
  const del = (i: number) => o.deleted?.has(i) ?? false;
  const counts = { products: o.products, offers: 0, prices: 0, stock: 0, groups: nGroups, priceTypes: nPt, warehouses: v === '2.07' || v === '2.08' || modern(v) ? nWh : 1, pictures: 0 };
  const m = modern(v);
  const nm = (b: string) => path.join(dir, b);
  const files: XmlFile[] = [];

  const priceTypesXml = () =>
    `<ТипыЦен>${Array.from({ length: nPt }, (_, i) => `<ТипЦены><Ид>${pt(i)}</Ид><Наименование>${i === 0 ? 'Розничная' : `Оптовая ${i}`}</Наименование><Валюта>${i % 3 === 2 ? 'руб' : 'RUB'}</Валюта><Налог><Наименование>НДС</Наименование><УчтеноВСумме>true</УчтеноВСумме></Налог></ТипЦены>`).join('')}</ТипыЦен>\n`;
  const warehousesXml = () =>
    `<Склады>${Array.from({ length: nWh }, (_, i) => `<Склад><Ид>${wh(i)}</Ид><Наименование>Склад №${i + 1}</Наименование></Склад>`).join('')}</Склады>\n`;

  // import: classifier + catalog
  const part = o.part === undefined ? '' : `0_${o.part}`;
  const first = o.start ?? 0;
  const end = first + o.products;
  const imp = new XmlFile(nm(m ? `import___${guid(0xf, px, 1 + 16 * (o.part ?? 0))}.xml` : `import${part}.xml`), enc);
  files.push(imp);
  if (o.classifier === false) {
    await imp.w(decl + root);
  } else {
  await imp.w(decl + root + `<Классификатор ${flag}><Ид>${catId}</Ид><Наименование>Классификатор (Основной каталог товаров)</Наименование>\n<Группы>`);
  for (let g = 0; g < nGroups; g++) {
    // a two-level tree: every 10th group is a root, the others hang below the previous root
    const isRoot = g % 10 === 0;
    if (isRoot && g > 0) await imp.w('</Группы></Группа>');
    await imp.w(`<Группа><Ид>${group(g)}</Ид>${m ? '<НомерВерсии>AAAA</НомерВерсии><ПометкаУдаления>false</ПометкаУдаления>' : ''}<Наименование>Группа ${g + 1} «Ёлочные игрушки»</Наименование>${isRoot ? '<Группы>' : '</Группа>'}`);
  }
  await imp.w('</Группы></Группа></Группы>\n<Свойства>');
  for (let p = 0; p < nProps; p++) {
    const values = Array.from({ length: 8 }, (_, k) => `<Справочник><ИдЗначения>${val(p, k)}</ИдЗначения><Значение>Значение ${k + 1}</Значение></Справочник>`).join('');
    await imp.w(`<Свойство><Ид>${prop(p)}</Ид><Наименование>Свойство ${p + 1}</Наименование><ТипЗначений>Справочник</ТипЗначений><ВариантыЗначений>${values}</ВариантыЗначений></Свойство>`);
  }
  await imp.w('</Свойства>\n');
  if (m) {
    await imp.w(priceTypesXml() + warehousesXml());
    await imp.w('<ЕдиницыИзмерения><ЕдиницаИзмерения><Ид>796</Ид><Код>796 </Код><НаименованиеКраткое>шт</НаименованиеКраткое><НаименованиеПолное>Штука</НаименованиеПолное><МеждународноеСокращение>PCE</МеждународноеСокращение></ЕдиницаИзмерения></ЕдиницыИзмерения>\n');
  }
  await imp.w('</Классификатор>\n');
  }
  await imp.w(`<Каталог ${flag}><Ид>${catId}</Ид><ИдКлассификатора>${catId}</ИдКлассификатора><Наименование>Основной каталог товаров</Наименование>\n<Товары>\n`);
  for (let i = first; i < end; i++) {
    const d = del(i);
    const status = d && (v === '2.07' || v === '2.08') ? ' Статус="Удален"' : '';
    const mark = m ? `<НомерВерсии>AAAAAQ==</НомерВерсии><ПометкаУдаления>${d}</ПометкаУдаления>` : '';
    let pictureXml = '';
    if (withPictures) {
      const rel = `import_files/${prod(i).slice(-4)}/${prod(i)}.jpg`;
      const file = nm(rel);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, await picture(i));
      pictures.push({ name: rel, data: file });
      pictureXml = `<Картинка>${rel}</Картинка>`;
      counts.pictures++;
    }
    const props = Array.from({ length: nProps }, (_, p) => `<ЗначенияСвойства><Ид>${prop(p)}</Ид><Значение>${val(p, (i + p) % 8)}</Значение></ЗначенияСвойства>`).join('');
    await imp.w(
      `<Товар${status}><Ид>${prod(i)}</Ид>${mark}<Артикул>ART-${px}-${i}</Артикул><Штрихкод>${String(4600000000000 + i).padStart(13, '0')}</Штрихкод>` +
        `<Наименование>Товар ${i + 1} «Ёлка» №${i}</Наименование><БазоваяЕдиница Код="796" НаименованиеПолное="Штука" МеждународноеСокращение="PCE">шт</БазоваяЕдиница>` +
        `<Группы><Ид>${group(i % nGroups)}</Ид></Группы><Описание>Описание товара ${i + 1}: размер, материал, упаковка и прочие сведения для покупателя.</Описание>` +
        `${pictureXml}<Изготовитель><Ид>${guid(8, px, i % 50)}</Ид><Наименование>Завод ${i % 50}</Наименование></Изготовитель>` +
        `<ЗначенияСвойств>${props}</ЗначенияСвойств><СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>20</Ставка></СтавкаНалога></СтавкиНалогов>` +
        `<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование><Значение>Товар</Значение></ЗначениеРеквизита><ЗначениеРеквизита><Наименование>ТипНоменклатуры</Наименование><Значение>Товар</Значение></ЗначениеРеквизита></ЗначенияРеквизитов>` +
        `</Товар>\n`,
    );
  }
  await imp.w('</Товары></Каталог>\n</КоммерческаяИнформация>\n');

  const pkgHead = (f: XmlFile) =>
    f.w(decl + root + `<ПакетПредложений ${flag}><Ид>${catId}#</Ид><Наименование>Пакет предложений</Наименование><ИдКаталога>${catId}</ИдКаталога><ИдКлассификатора>${catId}</ИдКлассификатора>\n`);
  const price = (i: number, k: number, t: number) => ((100 + ((i * 7 + k * 3) % 9000)) * (1 + t * 0.05) + (o.priceBump ?? 0)).toFixed(2);
  const qty = (i: number, w: number) => String((i * 13 + w * 7) % 40);
  const pricesXml = (i: number, k: number) =>
    `<Цены>${Array.from({ length: nPt }, (_, t) => `<Цена><Представление>${price(i, k, t)} RUB за шт</Представление><ИдТипаЦены>${pt(t)}</ИдТипаЦены><ЦенаЗаЕдиницу>${price(i, k, t)}</ЦенаЗаЕдиницу><Валюта>RUB</Валюта><Единица>шт</Единица><Коэффициент>1</Коэффициент></Цена>`).join('')}</Цены>`;
  const charsXml = (id: string) =>
    id.includes('#') ? `<ХарактеристикиТовара><ХарактеристикаТовара><Наименование>Размер</Наименование><Значение>${id.endsWith('1') ? 'S' : 'M'}</Значение></ХарактеристикаТовара></ХарактеристикиТовара>` : '';

  if (!m) {
    const off = new XmlFile(nm(`offers${part}.xml`), enc);
    files.push(off);
    await pkgHead(off);
    await off.w(priceTypesXml() + (v === '2.07' || v === '2.08' ? warehousesXml() : '') + '<Предложения>\n');
    for (let i = first; i < end; i++) {
      const ids = offerIds(i);
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k]!;
        let stock = '';
        let total = 0;
        if (v === '2.07' || v === '2.08') {
          for (let w = 0; w < nWh; w++) {
            stock += `<Склад ИдСклада="${wh(w)}" КоличествоНаСкладе="${qty(i, w)}"/>`;
            total += Number(qty(i, w));
          }
          counts.stock += nWh;
        } else {
          total = Number(qty(i, 0));
          counts.stock++;
        }
        const status = del(i) && v === '2.05' ? '<Статус>Удален</Статус>' : '';
        await off.w(`<Предложение><Ид>${id}</Ид><Артикул>ART-${px}-${i}</Артикул><Наименование>Товар ${i + 1}</Наименование>${status}<БазоваяЕдиница Код="796">шт</БазоваяЕдиница>${charsXml(id)}${pricesXml(i, k)}<Количество>${total}</Количество>${stock}</Предложение>\n`);
        counts.offers++;
        counts.prices += nPt;
      }
    }
    await off.w('</Предложения></ПакетПредложений>\n</КоммерческаяИнформация>\n');
  } else {
    const q = 16 * (o.part ?? 0);
    const off = new XmlFile(nm(`offers___${guid(0xf, px, 2 + q)}.xml`), enc);
    const pri = new XmlFile(nm(`prices___${guid(0xf, px, 3 + q)}.xml`), enc);
    const res = new XmlFile(nm(`rests___${guid(0xf, px, 4 + q)}.xml`), enc);
    files.push(off, pri, res);
    for (const f of [off, pri, res]) await pkgHead(f);
    await off.w('<Предложения>\n');
    await pri.w(priceTypesXml() + '<Предложения>\n');
    await res.w('<Предложения>\n');
    for (let i = first; i < end; i++) {
      const ids = offerIds(i);
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k]!;
        await off.w(`<Предложение><Ид>${id}</Ид><НомерВерсии>AAAA</НомерВерсии><ПометкаУдаления>${del(i)}</ПометкаУдаления><Артикул>ART-${px}-${i}</Артикул><Наименование>Товар ${i + 1}</Наименование><БазоваяЕдиница Код="796 ">шт</БазоваяЕдиница>${charsXml(id)}</Предложение>\n`);
        await pri.w(`<Предложение><Ид>${id}</Ид>${pricesXml(i, k)}</Предложение>\n`);
        const rows = Array.from({ length: nWh }, (_, w) => `<Остаток><Склад><Ид>${wh(w)}</Ид><Количество>${qty(i, w)}</Количество></Склад></Остаток>`).join('');
        await res.w(`<Предложение><Ид>${id}</Ид><Остатки>${rows}</Остатки></Предложение>\n`);
        counts.offers++;
        counts.prices += nPt;
        counts.stock += nWh;
      }
    }
    for (const f of [off, pri, res]) await f.w('</Предложения></ПакетПредложений>\n</КоммерческаяИнформация>\n');
  }
  for (const f of files) await f.close();
  return {
    files: [...files.map((f) => ({ name: path.basename(f.file), data: f.file })), ...pictures],
    counts,
    bytes: files.reduce((a, f) => a + f.bytes, 0),
  };
}
