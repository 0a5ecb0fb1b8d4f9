// Russian tax ids with valid check digits, so the data passes the same checks real data does.
const W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function check(digits: number[], weights: number[]): number {
  return (weights.reduce((s, w, i) => s + w * digits[i]!, 0) % 11) % 10;
}

/** A legal entity's 10-digit INN (sole traders: 12 digits) from a random source. */
export function makeInn(r: () => number, soleTrader = false): string {
  const d = Array.from({ length: soleTrader ? 10 : 9 }, () => Math.floor(r() * 10));
  d[0] = 1 + Math.floor(r() * 9);
  if (!soleTrader) return [...d, check(d, W10)].join('');
  d.push(check(d, W11));
  d.push(check(d, W12));
  return d.join('');
}

export function isValidInn(inn: string): boolean {
  const d = [...inn].map(Number);
  if (inn.length === 10) return check(d, W10) === d[9];
  if (inn.length === 12) return check(d, W11) === d[10] && check(d, W12) === d[11];
  return false;
}

export function makeKpp(r: () => number, inn: string): string {
  return `${inn.slice(0, 4)}01${String(Math.floor(r() * 1000)).padStart(3, '0')}`;
}
