// A fast serializer for the big lists of the service. The `soap` package writes the envelope
// and small answers; for pages of thousands of offers its generic serializer is ~10× slower
// than this, so list contents are handed to it pre-rendered (its `$xml` key).
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
export const escapeXml = (s: string) => (/[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (c) => ESC[c]!) : s);

function value(name: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map((x) => value(name, x)).join('');
  if (typeof v === 'object') {
    let inner = '';
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) inner += value(k, x);
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

/** `{ Offer: [...] }` → `{ $xml: '<Offer>…</Offer>…' }` (element names as the WSDL declares them). */
export function rendered(list: Record<string, unknown>): { $xml: string } {
  let xml = '';
  for (const [k, v] of Object.entries(list)) xml += value(k, v);
  return { $xml: xml };
}
