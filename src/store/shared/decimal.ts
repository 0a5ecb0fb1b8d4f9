// Exact decimal arithmetic on strings via BigInt at a fixed scale (money is never a float).
const SCALE = 4;
export function toUnits(v: string): bigint {
  const neg = v.trim().startsWith('-');
  const [i, f = ''] = v.trim().replace('-', '').split('.');
  const units = BigInt(i || '0') * 10n ** BigInt(SCALE) + BigInt((f + '0000').slice(0, SCALE) || '0');
  return neg ? -units : units;
}
export function fromUnits(u: bigint, decimals = 2): string {
  const neg = u < 0n;
  let a = neg ? -u : u;
  // round half up to `decimals`
  const drop = 10n ** BigInt(SCALE - decimals);
  a = (a + drop / 2n) / drop;
  const base = 10n ** BigInt(decimals);
  const s = `${a / base}${decimals ? `.${(a % base).toString().padStart(decimals, '0')}` : ''}`;
  return neg && a !== 0n ? `-${s}` : s;
}
export function mul(a: string, b: string, decimals = 2): string {
  return fromUnits((toUnits(a) * toUnits(b)) / 10n ** BigInt(SCALE), decimals);
}
export function add(a: string, b: string, decimals = 2): string {
  return fromUnits(toUnits(a) + toUnits(b), decimals);
}
export function cmp(a: string, b: string): number {
  const x = toUnits(a);
  const y = toUnits(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "101.000" → "101", "2.500" → "2.5". */
export function trimZeros(v: string): string {
  return v.includes('.') ? v.replace(/\.?0+$/, '') : v;
}
