// Russian tax ids. INN: 10 digits (a legal entity) or 12 (a sole trader), with check digits
// (weights of the Federal Tax Service: n10 for 10 digits, n11 and n12 for 12). KPP: 9 characters —
// tax office (4 digits), reason (2 digits or capital letters), number (3 digits); sole traders have none.
const W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

const check = (d: number[], w: number[]) => (w.reduce((s, x, i) => s + x * d[i]!, 0) % 11) % 10;

/** What is wrong with an INN (in Russian), or null when it is valid. */
export function innProblem(inn: string): string | null {
  if (!/^\d+$/.test(inn)) return 'ИНН состоит только из цифр.';
  if (inn.length !== 10 && inn.length !== 12) return `ИНН — 10 цифр (организация) или 12 цифр (ИП), а здесь ${inn.length}.`;
  const d = [...inn].map(Number);
  const ok = inn.length === 10 ? check(d, W10) === d[9] : check(d, W11) === d[10] && check(d, W12) === d[11];
  return ok ? null : `ИНН ${inn} не проходит проверку контрольных цифр — проверьте, не опечатка ли.`;
}

export const isValidInn = (inn: string): boolean => innProblem(inn) === null;

const KPP = /^\d{4}[\dA-Z]{2}\d{3}$/;

/** What is wrong with a KPP for this INN (in Russian), or null: required for a 10-digit INN, none for a sole trader. */
export function kppProblem(kpp: string, inn: string): string | null {
  if (inn.length === 12) return kpp ? 'У ИП нет КПП: оставьте поле пустым.' : null;
  if (!kpp) return 'Укажите КПП организации (9 знаков).';
  return KPP.test(kpp) ? null : `КПП — 9 знаков, например 770101001; «${kpp.slice(0, 20)}» не подходит.`;
}
