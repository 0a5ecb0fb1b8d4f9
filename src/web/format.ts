// Display formats for decimal strings (never through floats for money) and status labels.

/** "1234567.5" → "1 234 567,50" (2 decimals, grouped, Russian style). */
export function money(v: string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const neg = v.startsWith('-');
  const [int, frac = ''] = (neg ? v.slice(1) : v).split('.');
  const cents = (frac + '00').slice(0, 2);
  const grouped = int!.length > 3 ? int!.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0') : int!;
  return `${neg ? '−' : ''}${grouped},${cents}`;
}

/** "10.000" → "10", "2.500" → "2,5". */
export function qty(v: string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '0';
  if (!v.includes('.')) return v;
  const [int, frac = ''] = v.split('.');
  const f = frac.replace(/0+$/, '');
  return f ? `${int},${f}` : int!;
}


// The labels live beside the codes: the web and the e-mails (which may not import the web) share them.
export { orderStatusLabel } from '../mirror/order-status-labels.ts';
