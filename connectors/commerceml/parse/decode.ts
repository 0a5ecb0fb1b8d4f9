// Bytes → text for CommerceML: UTF-8 with or without BOM, or windows-1251 as declared in the
// XML declaration. Decoding is streaming (TextDecoder with stream: true), chunk by chunk.
import { CommerceMLError } from './errors.ts';

export type XmlEncoding = 'utf-8' | 'windows-1251';

/** Reads the encoding from a BOM or the XML declaration in the first bytes. */
export function sniffEncoding(head: Uint8Array): { encoding: XmlEncoding; bom: boolean } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new CommerceMLError('UTF-16 files are not supported: send UTF-8 or windows-1251');
  }
  const decl = Buffer.from(head.subarray(0, 200)).toString('latin1');
  const m = /<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.-]+)["']/.exec(decl);
  const enc = (m?.[1] ?? 'utf-8').toLowerCase();
  if (enc === 'utf-8' || enc === 'utf8') return { encoding: 'utf-8', bom: false };
  if (['windows-1251', 'cp1251', 'win-1251', 'cp-1251'].includes(enc)) return { encoding: 'windows-1251', bom: false };
  throw new CommerceMLError(`unsupported encoding "${m?.[1]}": send UTF-8 or windows-1251`);
}

/** Turns a byte stream into a text stream, honouring the declared encoding. */
export async function* decodeStream(input: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let pending: Uint8Array = new Uint8Array(0);
  let bytes = 0;
  for await (const raw of input) {
    bytes += raw.length;
    let chunk: Uint8Array = raw;
    if (!decoder) {
      // Wait for enough bytes to see the declaration.
      pending = concat(pending, chunk);
      if (pending.length < 200) continue;
      chunk = pending;
      decoder = makeDecoder(chunk);
      chunk = stripBom(chunk);
    }
    const text = decode(decoder, chunk, true);
    if (text) yield text;
  }
  if (!decoder) {
    if (!pending.length) return;
    decoder = makeDecoder(pending);
    const text = decode(decoder, stripBom(pending), true);
    if (text) yield text;
  }
  // Bytes still held here are the start of a character whose rest never came: the file is cut
  // off (an interrupted upload), which "check the encoding" would misdiagnose.
  try {
    const tail = decoder.decode(new Uint8Array(0), { stream: false });
    if (tail) yield tail;
  } catch {
    throw new CommerceMLError(`the file is cut off: it ends inside a multi-byte ${decoder.encoding.toUpperCase()} character (after ${bytes} bytes); the upload is incomplete, send the file again`);
  }
}

function makeDecoder(head: Uint8Array): TextDecoder {
  const { encoding } = sniffEncoding(head);
  // fatal: a byte sequence that is not valid in the declared encoding refuses the file.
  return new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: true });
}

function stripBom(b: Uint8Array): Uint8Array {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function decode(d: TextDecoder, b: Uint8Array, stream: boolean): string {
  try {
    return d.decode(b, { stream });
  } catch {
    throw new CommerceMLError(`the file is not valid ${d.encoding.toUpperCase()}: check the encoding in the XML declaration`);
  }
}
