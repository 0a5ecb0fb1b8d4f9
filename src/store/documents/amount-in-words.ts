// A sum in roubles written out in Russian, as an invoice prints it ("Сто двадцать рублей 50 копеек").
// Thousands and kopecks are feminine (одна тысяча, две копейки), roubles and the larger orders masculine.

const ONES_M = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const ONES_F = ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const TEENS = ['десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать', 'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать'];
const TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];
const HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'];

type Forms = [one: string, few: string, many: string];
/** Orders of a thousand above units: their forms and grammatical gender. */
const ORDERS: { forms: Forms; feminine: boolean }[] = [
  { forms: ['тысяча', 'тысячи', 'тысяч'], feminine: true },
  { forms: ['миллион', 'миллиона', 'миллионов'], feminine: false },
  { forms: ['миллиард', 'миллиарда', 'миллиардов'], feminine: false },
  { forms: ['триллион', 'триллиона', 'триллионов'], feminine: false },
];

/** The plural form for a count: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль. */
export function plural(n: bigint, forms: Forms): string {
  const d100 = Number(n % 100n);
  const d10 = Number(n % 10n);
  if (d100 >= 11 && d100 <= 14) return forms[2];
  if (d10 === 1) return forms[0];
  if (d10 >= 2 && d10 <= 4) return forms[1];
  return forms[2];
}

/** 0 < n < 1000 in words. */
function triad(n: number, feminine: boolean): string[] {
  const out = [HUNDREDS[Math.floor(n / 100)]!];
  const rest = n % 100;
  if (rest >= 10 && rest < 20) out.push(TEENS[rest - 10]!);
  else out.push(TENS[Math.floor(rest / 10)]!, (feminine ? ONES_F : ONES_M)[rest % 10]!);
  return out.filter(Boolean);
}

/** A whole number in words; `feminine` for the units (тысяча, копейка). */
export function numberInWords(n: bigint, feminine = false): string {
  if (n < 0n) throw new RangeError('numberInWords: a negative number');
  if (n === 0n) return 'ноль';
  if (n >= 10n ** 15n) throw new RangeError('numberInWords: too large');
  const words: string[] = [];
  const groups: number[] = [];
  for (let x = n; x > 0n; x /= 1000n) groups.push(Number(x % 1000n));
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    if (!g) continue;
    if (i === 0) words.push(...triad(g, feminine));
    else {
      const order = ORDERS[i - 1]!;
      words.push(...triad(g, order.feminine), plural(BigInt(g), order.forms));
    }
  }
  return words.join(' ');
}

/**
 * "1234.5" → "Одна тысяча двести тридцать четыре рубля 50 копеек". Kopecks are written in digits,
 * as Russian invoices do; the amount is a decimal string (never a float), rounded half up to kopecks.
 */
export function roublesInWords(amount: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) throw new RangeError(`roublesInWords: "${amount}" is not a decimal amount`);
  const frac = `${m[3] ?? ''}000`;
  let kopecks = BigInt(m[2]!) * 100n + BigInt(frac.slice(0, 2)) + (Number(frac[2]) >= 5 ? 1n : 0n);
  const negative = m[1] === '-' && kopecks > 0n;
  const roubles = kopecks / 100n;
  kopecks %= 100n;
  const text = `${numberInWords(roubles)} ${plural(roubles, ['рубль', 'рубля', 'рублей'])} ${String(kopecks).padStart(2, '0')} ${plural(kopecks, ['копейка', 'копейки', 'копеек'])}`;
  const full = negative ? `минус ${text}` : text;
  return full[0]!.toUpperCase() + full.slice(1);
}
