// A web service shaped the way 1C:Enterprise publishes one for a website — not the project's
// simulator: document/literal, each answer wraps one `return` element in the `m:` namespace,
// Russian element names (and one Russian operation name), Basic auth with a Cyrillic login,
// local (Moscow) times without an offset, 1C's empty date, "20%" and "1 234,50", pages
// counted in pages, warehouses named by id in some rows and by name in others, and a change
// feed that answers JSON inside `return` (ЗаписатьJSON).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const ONEC_LOGIN = 'Обмен';
export const ONEC_PASSWORD = 'пароль-1С';
const NS = 'http://www.example.org/ut-site';

const esc = (s: string) => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
type Node = string | { [k: string]: Node | Node[] };
function xml(v: Node | Node[], name?: string): string {
  if (Array.isArray(v)) return v.map((x) => xml(x, name)).join('');
  const inner = typeof v === 'string' ? esc(v) : Object.entries(v).map(([k, x]) => xml(x, k)).join('');
  return name ? `<m:${name}>${inner}</m:${name}>` : inner;
}

/** A `Номенклатура` item: a tree of element names, as the XML writer takes it. */
type Good = { [element: string]: Node };

export interface OnecService {
  url: string;
  calls: { operation: string; args: Record<string, string> }[];
  /** The next GetChanges answers this text inside `return` instead of the feed (e.g. cut-off JSON). */
  breakFeed(text: string | null): void;
  stop(): Promise<void>;
}

const GOODS: Good[] = [
  { Ид: 'Т-1', Наименование: 'Болт М8×40', Артикул: 'Б-840', СтавкаНДС: '20%', Цены: { СтрокаЦены: [{ ВидЦены: 'ОПТ', Цена: '1 234,50' }] }, Остатки: { Остаток: [{ Склад: 'С-1', Количество: '120' }, { Склад: 'Дальний склад', Количество: '4' }] } },
  { Ид: 'Т-2', Наименование: 'Гайка М8', Артикул: 'Г-8', СтавкаНДС: '20%', Цены: { СтрокаЦены: [{ ВидЦены: 'ОПТ', Цена: '3,15' }] }, Остатки: { Остаток: [{ Склад: 'С-1', Количество: '1 500' }] } },
  { Ид: 'Т-3', Наименование: 'Шайба 8', Артикул: 'Ш-8', СтавкаНДС: '10%', Цены: { СтрокаЦены: [{ ВидЦены: 'ОПТ', Цена: '0,80' }] }, Остатки: { Остаток: [{ Склад: 'С-2', Количество: '2,5' }] } },
  { Ид: 'Т-4', Наименование: 'Шпилька М8', Артикул: 'Ш-М8', СтавкаНДС: '20%', Цены: { СтрокаЦены: [{ ВидЦены: 'ОПТ', Цена: '45,00' }] }, Остатки: { Остаток: [] } },
  { Ид: 'Т-5', Наименование: 'Анкер 10', Артикул: 'А-10', СтавкаНДС: '0%', Цены: { СтрокаЦены: [{ ВидЦены: 'ОПТ', Цена: '12 000,00' }] }, Остатки: { Остаток: [{ Склад: 'Дальний склад', Количество: '9' }] } },
];
// The service pages as 1C query code often does: a fixed page count, pages not all full.
const PAGES = [[GOODS[0]!, GOODS[1]!], [GOODS[2]!], [GOODS[3]!, GOODS[4]!]];

const FEED: Record<string, object> = {
  '5': {
    cursor: '6', hasMore: true, serverTime: '2024-05-01T12:20:00',
    goods: [{ Ид: 'Т-1', Наименование: 'Болт М8×40', Артикул: 'Б-840', СтавкаНДС: '20%', Цены: { СтрокаЦены: [{ ВидЦены: 'ОПТ', Цена: '%NUM%' }] }, Остатки: { Остаток: [{ Склад: 'Дальний склад', Количество: 7 }] } }],
  },
  '6': {
    cursor: '7', hasMore: false, serverTime: '2024-05-01T12:30:00',
    goods: [{ Ид: 'Т-6', Наименование: 'Дюбель 6', Артикул: 'Д-6', СтавкаНДС: '20%', Цены: { СтрокаЦены: [{ ВидЦены: 'ОПТ', Цена: '1.05' }] }, Остатки: { Остаток: [{ Склад: 'С-2', Количество: '300' }] } }],
  },
};

const OPERATIONS = ['ПолучитьСведения', 'GetWarehouses', 'GetPriceTypes', 'GetGoods', 'GetCounterparties', 'GetChanges'];

function answer(operation: string, args: Record<string, string>, broken: string | null): Node {
  switch (operation) {
    case 'ПолучитьСведения': return { ВремяСервера: '2024-05-01T12:00:00', Курсор: '5' };
    case 'GetWarehouses': return { Склад: [
      { Ид: 'С-1', Наименование: 'Основной склад', Вид: 'Собственный', Комиссия: '0%' },
      { Ид: 'С-2', Наименование: 'Склад Подольск', Вид: 'Собственный', Комиссия: '0' },
      { Ид: 'С-9', Наименование: 'Дальний склад', Вид: 'Партнерский', Комиссия: '5%' },
    ] };
    case 'GetPriceTypes': return { ВидЦены: [{ Ид: 'ОПТ', Наименование: 'Оптовая', Валюта: 'RUB' }] };
    case 'GetGoods': {
      const page = Number(args.НомерСтраницы ?? '1');
      return { ВсегоСтраниц: String(PAGES.length), Номенклатура: PAGES[page - 1] ?? [] };
    }
    case 'GetCounterparties': return { Контрагент: [
      { Ид: 'К-1', Наименование: 'ООО «Ромашка»', ИНН: '7701234567', КПП: '770101001', Договоры: { Договор: [
        { Ид: 'Д-1', Наименование: 'Основной договор', ДатаНачала: '01.02.2024', ДатаОкончания: '0001-01-01T00:00:00' },
      ] } },
    ] };
    // %NUM% becomes a JSON number with more digits than a double holds (1C writes numbers unquoted).
    case 'GetChanges': return broken ?? JSON.stringify(FEED[args.Курсор ?? ''] ?? { cursor: args.Курсор, hasMore: false, goods: [] }).replace('"%NUM%"', '12345678901234.5678');
    default: throw new Error(`no operation ${operation}`);
  }
}

function readArgs(body: string, operation: string): Record<string, string> {
  const inner = new RegExp(`<(?:\\w+:)?${operation}[^>]*>([\\s\\S]*)</(?:\\w+:)?${operation}>`).exec(body)?.[1] ?? '';
  return Object.fromEntries([...inner.matchAll(/<(?:\w+:)?([\p{L}\w]+)>([^<]*)<\/(?:\w+:)?\1>/gu)].map((m) => [m[1]!, m[2]!]));
}

export async function startOnecService(): Promise<OnecService> {
  const calls: OnecService['calls'] = [];
  let broken: string | null = null;
  const expected = `Basic ${Buffer.from(`${ONEC_LOGIN}:${ONEC_PASSWORD}`, 'utf8').toString('base64')}`;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="1C"' }).end();
        return;
      }
      if (req.method === 'GET' && req.url?.endsWith('?wsdl')) {
        const ops = OPERATIONS.map((o) => `<wsdl:operation name="${o}"><soap:operation soapAction="${NS}#${o}"/></wsdl:operation>`).join('');
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(
          `<?xml version="1.0" encoding="UTF-8"?><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" targetNamespace="${NS}"><wsdl:binding name="UTSiteSoapBinding">${ops}</wsdl:binding></wsdl:definitions>`,
        );
        return;
      }
      const operation = /<(?:\w+:)?Body>\s*<(?:\w+:)?([\p{L}\w]+)/u.exec(body)?.[1] ?? '';
      const args = readArgs(body, operation);
      calls.push({ operation, args });
      let ret: Node;
      try {
        ret = answer(operation, args, operation === 'GetChanges' ? broken : null);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' }).end(
          `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>${esc((err as Error).message)}</faultstring></soap:Fault></soap:Body></soap:Envelope>`,
        );
        return;
      }
      if (operation === 'GetChanges') broken = null;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(
        `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m:${operation}Response xmlns:m="${NS}"><m:return xmlns:xs="http://www.w3.org/2001/XMLSchema">${xml(ret)}</m:return></m:${operation}Response></soap:Body></soap:Envelope>`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ut/ws/site`,
    calls,
    breakFeed: (text) => {
      broken = text;
    },
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
