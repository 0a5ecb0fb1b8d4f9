// Streams a CommerceML file through saxes and hands over one small element tree per item
// (group, property, price type, warehouse, unit, product, offer, counterparty, document).
// Element names are matched by local name, so files with and without the CommerceML
// namespace read the same. A DOCTYPE (and so any entity declaration) refuses the file.
import { SaxesParser } from 'saxes';
import { decodeStream } from './decode.ts';
import { CommerceMLError } from './errors.ts';
import type { XNode } from './xml-node.ts';

export type ItemKind =
  | 'group' | 'property' | 'priceType' | 'warehouse' | 'unit' | 'product' | 'offer' | 'counterparty' | 'document';

/** Root children of a CommerceML file that carry the full/delta flag. */
export type SectionName = 'Классификатор' | 'Каталог' | 'ПакетПредложений' | 'Контрагенты' | 'Документ';

export interface FileHeader {
  version?: string;
  generatedAt?: string;
  /** Sections present in the file with their `СодержитТолькоИзменения` flag (undefined = absent). */
  sections: Map<SectionName, { onlyChanges?: boolean }>;
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
const OFFER_SECTIONS = new Set(['ПакетПредложений', 'ИзмененияПакетаПредложений']);

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function kindFor(stack: string[]): ItemKind | undefined {
  const n = stack.length;
  const last = stack[n - 1];
  const p1 = stack[n - 2];
  const p2 = stack[n - 3];
  if (n === 4) {
    if (p2 === 'Классификатор') {
      if (p1 === 'Группы' && last === 'Группа') return 'group';
      if (p1 === 'Свойства' && (last === 'Свойство' || last === 'СвойствоНоменклатуры')) return 'property';
      if (p1 === 'ЕдиницыИзмерения' && last === 'ЕдиницаИзмерения') return 'unit';
    }
    if (p2 === 'Классификатор' || OFFER_SECTIONS.has(p2!)) {
      if (p1 === 'ТипыЦен' && last === 'ТипЦены') return 'priceType';
      if (p1 === 'Склады' && last === 'Склад') return 'warehouse';
    }
    if (p2 === 'Каталог' && p1 === 'Товары' && last === 'Товар') return 'product';
    if (OFFER_SECTIONS.has(p2!) && p1 === 'Предложения' && last === 'Предложение') return 'offer';
  }
  if (n === 3 && p1 === 'Контрагенты' && last === 'Контрагент') return 'counterparty';
  if ((n === 2 && last === 'Документ') || (n === 3 && p1 === 'Контейнер' && last === 'Документ')) return 'document';
  return undefined;
}

export interface ReadOptions {
  onItem(kind: ItemKind, node: XNode, header: FileHeader): void;
  /** Awaited after each chunk: the consumer flushes full batches here (backpressure). */
  drain?(): Promise<void>;
}

export async function readItems(input: AsyncIterable<Uint8Array>, opts: ReadOptions): Promise<FileHeader> {
  const header: FileHeader = { sections: new Map() };
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  // The item being captured: its root and the open path inside it.
  let captureKind: ItemKind | undefined;
  let captureStack: XNode[] = [];
  let flagSection: SectionName | undefined;
  let flagText = '';
  let sawRoot = false;

  const fail = (msg: string): never => {
    throw new CommerceMLError(`${msg} (line ${parser.line})`);
  };
  parser.on('doctype', () => fail('DOCTYPE and entity declarations are not allowed in CommerceML files'));
  parser.on('error', (err) => fail(`malformed XML: ${err.message.replace(/^.*?:\d+:\d+: /, '')}`));
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    stack.push(name);
    if (stack.length === 1) {
      if (name !== ROOT) fail(`not a CommerceML file: the root element is <${name}>, expected <${ROOT}>`);
      sawRoot = true;
      header.version = attr(tag.attributes, 'ВерсияСхемы');
      header.generatedAt = attr(tag.attributes, 'ДатаФормирования');
      return;
    }
    if (captureKind) {
      const node: XNode = { name, attrs: attrs(tag.attributes), children: [], text: '' };
      captureStack[captureStack.length - 1]!.children.push(node);
      captureStack.push(node);
      return;
    }
    if (stack.length === 2) {
      const section = SECTIONS[name];
      if (section && !header.sections.has(section)) {
        const flag = attr(tag.attributes, 'СодержитТолькоИзменения');
        header.sections.set(section, { onlyChanges: flag === undefined ? undefined : flag.trim() === 'true' });
      }
    } else if (stack.length === 3 && name === 'СодержитТолькоИзменения') {
      flagSection = SECTIONS[stack[1]!];
      flagText = '';
    }
    const kind = kindFor(stack);
    if (kind) {
      captureKind = kind;
      captureStack = [{ name, attrs: attrs(tag.attributes), children: [], text: '' }];
    }
  });
  const onText = (t: string) => {
    if (captureKind) captureStack[captureStack.length - 1]!.text += t;
    else if (flagSection) flagText += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    stack.pop();
    if (captureKind) {
      const node = captureStack.pop()!;
      if (!captureStack.length) {
        const kind = captureKind;
        captureKind = undefined;
        opts.onItem(kind, node, header);
      }
    } else if (flagSection && stack.length === 2) {
      const s = header.sections.get(flagSection);
      if (s && s.onlyChanges === undefined) s.onlyChanges = flagText.trim() === 'true';
      flagSection = undefined;
    }
  });

  for await (const text of decodeStream(input)) {
    parser.write(text);
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

function attrs(a: Record<string, string | { value: string }>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k in a) {
    const v = a[k]!;
    out ??= {};
    out[local(k)] = typeof v === 'string' ? v : v.value;
  }
  return out ?? NO_ATTRS;
}
