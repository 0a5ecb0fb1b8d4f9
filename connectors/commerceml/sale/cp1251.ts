// A windows-1251 encoder (Node's TextDecoder reads it; nothing built in writes it). Covers
// ASCII, Cyrillic, Ё/ё, № and the common typographic signs; anything else becomes "?".
const EXTRA: Record<string, number> = {
  'Ё': 0xa8, 'ё': 0xb8, '№': 0xb9, '«': 0xab, '»': 0xbb, '—': 0x97, '–': 0x96, '\u00a0': 0xa0,
  '“': 0x93, '”': 0x94, '„': 0x84, '…': 0x85, '°': 0xb0, '§': 0xa7, '©': 0xa9, '®': 0xae, '±': 0xb1, '€': 0x88,
};

export function encodeCp1251(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  let i = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out[i++] = c;
    else if (c >= 0x410 && c <= 0x44f) out[i++] = c - 0x410 + 0xc0;
    else out[i++] = EXTRA[ch] ?? 0x3f;
  }
  return out.subarray(0, i);
}
