// Documents and bank requisites of the counterparties. Drawn from a PRNG of their own, so adding
// them left every other generated value (and the tests that assert them) as it was.
import { int, money, pick, rng } from './random.ts';
import type { SimCounterparty, SimDocument, SimDocumentLine, SimOffer } from './types.ts';
import { CITIES } from './vocab.ts';

const BANKS = ['ПАО Сбербанк', 'Банк ВТБ (ПАО)', 'АО «Альфа-Банк»', 'АО «Райффайзенбанк»', 'ПАО «Промсвязьбанк»'];
const digits = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Fills legal address and bank details in place (sole traders get an account too). */
export function addRequisites(seed: number, cps: SimCounterparty[]): void {
  const r = rng(seed ^ 0x5eed_ba4c);
  for (const cp of cps) {
    const bicTail = digits(r, 3);
    cp.legalAddress = `${int(r, 101_000, 199_999)}, г. ${pick(r, CITIES)}, ул. ${pick(r, ['Ленина', 'Садовая', 'Мира', 'Гагарина', 'Заводская'])}, д. ${int(r, 1, 120)}`;
    cp.bankName = pick(r, BANKS);
    cp.bic = `04452${digits(r, 1)}${bicTail}`;
    cp.account = `40702810${digits(r, 12)}`;
    cp.corrAccount = `30101810${digits(r, 9)}${bicTail}`;
  }
}

function lines(r: () => number, offers: SimOffer[], n: number): SimDocumentLine[] {
  return Array.from({ length: n }, () => {
    const o = offers[Math.floor(r() * offers.length)]!;
    const qty = int(r, 1, 40);
    const price = Math.max(100, o.baseKopecks);
    const amount = qty * price;
    // Prices include VAT 20%: VAT = amount × 20 / 120, in kopecks.
    return {
      name: o.name, sku: o.sku, unit: 'шт', quantity: String(qty), price: money(price), amount: money(amount), vatRate: '20',
      vatAmount: money(Math.round((amount * 20) / 120)),
    };
  });
}

const sum = (ls: SimDocumentLine[], k: 'amount' | 'vatAmount') =>
  money(ls.reduce((s, l) => s + Math.round(Number(l[k]) * 100), 0));

/**
 * Per counterparty: two invoices (one paid), a shipment document (УПД or ТОРГ-12) for the paid
 * one, and a quarterly reconciliation statement with a printed form. Dates lie in 2026.
 */
export function generateDocuments(seed: number, cps: SimCounterparty[], offers: SimOffer[]): SimDocument[] {
  const r = rng(seed ^ 0x00d0_c5);
  const out: SimDocument[] = [];
  if (!offers.length) return out;
  let n = 0;
  const id = () => `DOC-${pad(++n, 6)}`;
  for (const cp of cps) {
    const month = int(r, 1, 9);
    const day = int(r, 1, 28);
    const date = (m: number, d: number) => `2026-${pad(m, 2)}-${pad(d, 2)}`;
    for (const [k, paid] of [[0, true], [1, false]] as const) {
      const ls = lines(r, offers, int(r, 1, 4));
      const inv: SimDocument = {
        id: id(), counterpartyId: cp.id, kind: 'Счет на оплату', number: `СЧ-${pad(n, 6)}`, date: date(month + k, day), amount: sum(ls, 'amount'),
        vatAmount: sum(ls, 'vatAmount'), status: paid ? 'Оплачен' : 'Не оплачен', periodFrom: null, periodTo: null, lines: ls, hasFile: false, deleted: false,
      };
      out.push(inv);
      if (paid) {
        out.push({
          ...inv, id: id(), kind: r() < 0.5 ? 'УПД' : 'ТОРГ-12', number: `РН-${pad(n, 6)}`, date: date(month, Math.min(28, day + 1)), status: 'Отгружен',
        });
      }
    }
    const q = Math.floor((month - 1) / 3);
    out.push({
      id: id(), counterpartyId: cp.id, kind: 'Акт сверки', number: `АС-${pad(n, 6)}`, date: date(q * 3 + 3, 28), amount: cp.debt,
      vatAmount: '0.00', status: 'Подписан', periodFrom: date(q * 3 + 1, 1), periodTo: date(q * 3 + 3, 28),
      lines: [{ name: 'Сальдо на конец периода', sku: '', unit: '', quantity: '', price: '', amount: cp.debt, vatRate: '', vatAmount: '' }],
      hasFile: true, deleted: false,
    });
  }
  return out;
}
