// JSON inside an answer: 1C services often build their answer with ЗаписатьJSON and return it as
// the text of one element (`<return>{"cursor": …, "goods": [...]}</return>`). The decoded value
// becomes the tree the operation's paths read: JSON keys are path steps, arrays repeated items,
// every scalar stays text — numbers keep their digits (lossless-json), so money is never a float.
import { parse } from 'lossless-json';
import { MappingDataError } from './errors.ts';
import { valueAt } from './mapper.ts';
import type { DecodeSpec } from './mapping-schema.ts';
import type { XmlObject, XmlValue } from './xml-tree.ts';


function toTree(v: unknown): XmlValue {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(toTree);
  if (typeof v === 'object') {
    const out: XmlObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toTree(x);
    return out;
  }
  return String(v);
}

/** The answer as the operation's paths see it: unchanged without `decode`, else the decoded JSON. */
export function decodeAnswer(answer: XmlObject, spec: DecodeSpec | undefined, operation: string): XmlObject {
  if (!spec) return answer;
  const raw = valueAt(answer, spec.from);
  if (typeof raw !== 'string') {
    throw new MappingDataError(`${operation}: decode.from "${spec.from}": the answer has ${raw === undefined ? 'no such element' : 'elements there, not JSON text'}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(raw, null, (digits: string) => digits);
  } catch (err) {
    throw new MappingDataError(`${operation}: decode.from "${spec.from}" is not valid JSON: ${(err as Error).message}`);
  }
  const tree = toTree(parsed);
  // A top-level array is a list of items under no name: read it with `result: items`.
  return typeof tree === 'object' && !Array.isArray(tree) ? tree : { items: tree };
}
