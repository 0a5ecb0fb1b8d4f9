// Streams a CommerceML file through saxes and hands over one small element tree per item
// (group, property, price type, warehouse, unit, product, offer, counterparty, document).
// Element names are matched by local name, so files with and without the CommerceML
// namespace read the same. A DOCTYPE (and so any entity declaration) refuses the file.
import { SaxesParser } from 'saxes';
import { decodeStream } from './decode.ts';
import { CommerceMLError } from './errors.ts';
import { own, type XNode } from './xml-node.ts';

export type ItemKind =
  | 'group' | 'property' | 'priceType' | 'warehouse' | 'unit' | 'product' | 'offer' | 'counterparty' | 'document';

/** Root children of a CommerceML file that carry the full/delta flag. */
export type SectionName = 'Классификатор' | 'Каталог' | 'ПакетПредложений' | 'Контрагенты' | 'Документ';

export interface FileHeader {
  version?: string;
  generatedAt?: string;
  /** Sections present in the file with their `СодержитТолькоИзменения` flag (undefined = absent). */
  sections: Map<SectionName, { onlyChanges?: boolean }>;
  /**
   * Elements that carry catalog data but sit where no reader looks (e.g. a `Товар` outside any
   * `Товары`), by path: counted so the import answer names them instead of dropping them silently.
   */
  unread: Map<string, number>;
}

const ROOT = 'КоммерческаяИнформация';
const SECTIONS: Record<string, SectionName> = {
  Классификатор: 'Классификатор',
  Каталог: 'Каталог',
  ПакетПредложений: 'ПакетПредложений',
  ИзмененияПакетаПредложений: 'ПакетПредложений',
  Контрагенты: 'Контрагенты',
  Документ: 'Документ',
  Контейнер: 'Документ',
};

// Items are recognised by what they are — the element and its list — not by depth: 1C nodes and
// Bitrix emulators nest `Каталог` in `Классификатор`, put `ПакетПредложений` in an import file
// (UT 10.1) or send `ИзмененияПакетаПредложений`; a list is read wherever it sits outside an item.
const ITEMS: Record<string, Record<string, ItemKind>> = {
  Группы: { Группа: 'group' },
  Свойства: { Свойство: 'property', СвойствоНоменклатуры: 'property' },
  ЕдиницыИзмерения: { ЕдиницаИзмерения: 'unit' },
  ТипыЦен: { ТипЦены: 'priceType' },
  Склады: { Склад: 'warehouse' },
  Товары: { Товар: 'product' },
  Предложения: { Предложение: 'offer' },
  Контрагенты: { Контрагент: 'counterparty' },
};
const DOCUMENT_PARENTS = new Set([ROOT, 'Контейнер', 'Документы']);
/** Element names that carry data: met outside the places above, they are reported as unread. */
const DATA_ELEMENTS = new Set([
  'Группа', 'Свойство', 'СвойствоНоменклатуры', 'ЕдиницаИзмерения', 'ТипЦены', 'Склад', 'Товар', 'Предложение',
  'Контрагент', 'Документ', 'Цены', 'Цена', 'Остатки', 'Остаток',
]);

/**
 * Limits against hostile files (documented in the connector README). A group tree deeper than
 * MAX_GROUP_DEPTH is refused: the catalog and everything after it must not recurse without
 * bound. One captured item is held in memory until it closes, so its size is bounded too.
 */
export const LIMITS = {
  /** Levels of `Группа` inside `Группа` (1C trees are a handful of levels deep). */
  maxGroupDepth: 100,
  /** Element nesting inside one item other than the group nesting itself. */
  maxItemDepth: 32,
  /** Elements in one product/offer/… item. */
  maxItemElements: 100_000,
  /** Elements in one top-level group with all its subgroups. */
  maxGroupTreeElements: 500_000,
  /** Characters of XML in one item (a group tree: four times this). */
  maxItemChars: 16 * 1024 * 1024,
  /** Element nesting of the whole document. */
  maxXmlDepth: 400,
};

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function kindFor(stack: string[]): ItemKind | undefined {
  const last = stack[stack.length - 1]!;
  const parent = stack[stack.length - 2]!;
  if (last === 'Документ') return DOCUMENT_PARENTS.has(parent) ? 'document' : undefined;
  return ITEMS[parent]?.[last];
}

/** Where an item sat: for a document, the `Контейнер` (3.x) it shares with related documents. */
export interface ItemPlace {
  /** 1-based number of the root's `Контейнер` the item is in (undefined outside one). */
  container?: number;
}

export interface ReadOptions {
  onItem(kind: ItemKind, node: XNode, header: FileHeader, place: ItemPlace): void;
  /** Awaited after each chunk: the consumer flushes full batches here (backpressure). */
  drain?(): Promise<void>;
}

export async function readItems(input: AsyncIterable<Uint8Array>, opts: ReadOptions): Promise<FileHeader> {
  const header: FileHeader = { sections: new Map(), unread: new Map() };
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  // The item being captured: its root and the open path inside it.
  let captureKind: ItemKind | undefined;
  let captureStack: XNode[] = [];
  let flagSection: SectionName | undefined;
  let flagDepth = 0;
  let flagText = '';
  // Depth of an unread data element being skipped (its subtree is not looked at).
  let skipDepth = 0;
  let sawRoot = false;
  // 3.x wraps an order with its payments and shipments in one `Контейнер`.
  let containers = 0;
  let inContainer = 0;
  // Bounds of the item being captured (see LIMITS).
  let captureLine = 0;
  let captureStart = 0;
  let captureElements = 0;
  let captureGroups = 0;

  const itemName = () => {
    const root = captureStack[0];
    const id = root?.children.find((c) => c.name === 'Ид')?.text.trim();
    return `<${root?.name}${id ? ` Ид="${id.slice(0, 100)}"` : ''}> starting at line ${captureLine}`;
  };
  const checkItemSize = () => {
    if (!captureKind) return;
    const max = captureKind === 'group' ? LIMITS.maxItemChars * 4 : LIMITS.maxItemChars;
    if (parser.position - captureStart > max) fail(`item ${itemName()} is larger than the limit of ${max} characters`);
  };

  const fail = (msg: string): never => {
    throw new CommerceMLError(`${msg} (line ${parser.line})`);
  };
  parser.on('doctype', () => fail('DOCTYPE and entity declarations are not allowed in CommerceML files'));
  parser.on('error', (err) => fail(`malformed XML: ${err.message.replace(/^.*?:\d+:\d+: /, '')}`));
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    stack.push(name);
    if (stack.length > LIMITS.maxXmlDepth) fail(`elements nested deeper than ${LIMITS.maxXmlDepth} levels (<${name}> at depth ${stack.length})`);
    if (stack.length === 1) {
      if (name !== ROOT) fail(`not a CommerceML file: the root element is <${name}>, expected <${ROOT}>`);
      sawRoot = true;
      header.version = attr(tag.attributes, 'ВерсияСхемы');
      header.generatedAt = attr(tag.attributes, 'ДатаФормирования');
      return;
    }
    if (captureKind) {
      const node: XNode = { name, attrs: attrs(tag.attributes), children: NO_CHILDREN, text: '' };
      const parent = captureStack[captureStack.length - 1]!;
      if (parent.children === NO_CHILDREN) parent.children = [node];
      else parent.children.push(node);
      captureStack.push(node);
      if (captureKind === 'group' && name === 'Группа') {
        captureGroups++;
        if (captureGroups > LIMITS.maxGroupDepth) fail(`groups nested deeper than ${LIMITS.maxGroupDepth} levels (<Группа> at depth ${captureGroups})`);
      }
      const maxElements = captureKind === 'group' ? LIMITS.maxGroupTreeElements : LIMITS.maxItemElements;
      if (++captureElements > maxElements) fail(`item ${itemName()} has more than ${maxElements} elements`);
      if (captureStack.length - 2 * Math.max(0, captureGroups - 1) > LIMITS.maxItemDepth) fail(`item ${itemName()} nests elements deeper than ${LIMITS.maxItemDepth} levels`);
      checkItemSize();
      return;
    }
    if (skipDepth) return;
    if (name === 'Контейнер' && stack.length === 2) {
      containers++;
      inContainer = containers;
    }
    const section = SECTIONS[name];
    if (section && !header.sections.has(section)) {
      const flag = attr(tag.attributes, 'СодержитТолькоИзменения');
      header.sections.set(section, { onlyChanges: flag === undefined ? undefined : flag.trim() === 'true' });
    } else if (name === 'СодержитТолькоИзменения' && SECTIONS[stack[stack.length - 2]!]) {
      flagSection = SECTIONS[stack[stack.length - 2]!];
      flagDepth = stack.length;
      flagText = '';
    }
    const kind = kindFor(stack);
    if (kind) {
      captureKind = kind;
      captureStack = [{ name, attrs: attrs(tag.attributes), children: NO_CHILDREN, text: '' }];
      captureLine = parser.line;
      captureStart = parser.position;
      captureElements = 1;
      captureGroups = kind === 'group' ? 1 : 0;
    } else if (DATA_ELEMENTS.has(name)) {
      const where = stack.join('/');
      header.unread.set(where, (header.unread.get(where) ?? 0) + 1);
      skipDepth = stack.length;
    }
  });
  const onText = (t: string) => {
    checkItemSize();
    if (captureKind) captureStack[captureStack.length - 1]!.text += t;
    else if (flagSection) flagText += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const depth = stack.length;
    if (depth === 2 && stack[1] === 'Контейнер') inContainer = 0;
    stack.pop();
    if (skipDepth) {
      if (depth === skipDepth) skipDepth = 0;
    } else if (captureKind) {
      const node = captureStack.pop()!;
      if (node.text.length) node.text = own(node.text);
      if (captureKind === 'group' && node.name === 'Группа') captureGroups--;
      if (!captureStack.length) {
        const kind = captureKind;
        captureKind = undefined;
        opts.onItem(kind, node, header, inContainer ? { container: inContainer } : {});
      }
    } else if (flagSection && depth === flagDepth) {
      const s = header.sections.get(flagSection);
      if (s && s.onlyChanges === undefined) s.onlyChanges = flagText.trim() === 'true';
      flagSection = undefined;
    }
  });

  for await (const text of decodeStream(input)) {
    parser.write(text);
    // saxes holds a text node until it ends: an endless value inside an item stops here.
    checkItemSize();
    if (opts.drain) await opts.drain();
  }
  parser.close();
  if (!sawRoot) throw new CommerceMLError('empty file: no XML found');
  return header;
}

function attr(a: Record<string, string | { value: string }>, name: string): string | undefined {
  for (const [k, v] of Object.entries(a)) if (local(k) === name) return typeof v === 'string' ? v : v.value;
  return undefined;
}

const NO_ATTRS: Record<string, string> = Object.freeze({}) as Record<string, string>;
/** Most elements are leaves: they share one (frozen) empty list until a child comes. */
const NO_CHILDREN: XNode[] = Object.freeze([]) as unknown as XNode[];

function attrs(a: Record<string, string | { value: string }>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k in a) {
    const v = a[k]!;
    out ??= {};
    out[local(k)] = own(typeof v === 'string' ? v : v.value);
  }
  return out ?? NO_ATTRS;
}
