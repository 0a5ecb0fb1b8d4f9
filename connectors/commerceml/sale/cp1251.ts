// Orders go to 1C in windows-1251 when it asked for it. iconv-lite writes the codepage; a
// character the codepage lacks (₽, emoji, CJK) is sent as an XML character reference, which
// every XML reader turns back into the same character — so no character is lost or turned into "?".
import iconv from 'iconv-lite';

// The characters windows-1251 has above ASCII (0x98 is unassigned and decodes to U+FFFD).
const UPPER = new Set(
  [...iconv.decode(Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i)), 'win1251')].filter((c) => c !== '\ufffd'),
);

/** Encodes XML text as windows-1251; characters outside it become `&#N;`. Only for text and
 *  attribute values of an XML document (a reference is not allowed inside a name or comment). */
export function encodeCp1251(text: string): Buffer {
  let safe = '';
  let from = 0;
  let i = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0x80 && !UPPER.has(ch)) {
      safe += `${text.slice(from, i)}&#${code};`;
      from = i + ch.length;
    }
    i += ch.length;
  }
  safe += text.slice(from);
  return iconv.encode(safe, 'win1251');
}
