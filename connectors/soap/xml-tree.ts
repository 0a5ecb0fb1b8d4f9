// XML → plain object tree with saxes (≈ 5–10× faster than a DOM parser on big pages, and strict:
// a truncated or malformed answer throws instead of yielding half a tree). Namespace prefixes are
// dropped, attributes ignored, every value stays a string (money is never parsed as a float).
// A repeated element becomes an array; a leaf becomes its text; an empty element becomes ''.
import { SaxesParser } from 'saxes';

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject { [name: string]: XmlValue }

const local = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

export class XmlParseError extends Error {}

export function parseXmlTree(xml: string): XmlObject {
  const parser = new SaxesParser({ xmlns: false });
  const root: XmlObject = {};
  const objs: (XmlObject | null)[] = [root];
  const texts: string[] = [''];
  const names: string[] = [];
  parser.on('opentag', (tag) => {
    if (objs[objs.length - 1] === null) objs[objs.length - 1] = {};
    objs.push(null);
    texts.push('');
    names.push(local(tag.name));
  });
  parser.on('text', (t) => {
    texts[texts.length - 1] += t;
  });
  parser.on('closetag', () => {
    const obj = objs.pop()!;
    const text = texts.pop()!;
    const name = names.pop()!;
    const value: XmlValue = obj ?? text.trim();
    const parent = objs[objs.length - 1]!;
    const prev = parent[name];
    if (prev === undefined) parent[name] = value;
    else if (Array.isArray(prev) && (prev as unknown as { repeated?: true }).repeated) prev.push(value);
    else {
      const list = [prev, value] as XmlValue[] & { repeated?: true };
      list.repeated = true;
      parent[name] = list;
    }
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    throw new XmlParseError((err as Error).message.replace(/^undefined:/, ''));
  }
  return root;
}
