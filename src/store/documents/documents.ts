// Mirrored documents as the storefront lists and serves them, always scoped to the counterparties
// access.ts allows: another client's (or another legal entity's) document simply is not there.
import { z } from 'zod';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { DOCUMENT_KINDS, type DocumentKind, type DocumentLine } from '../../mirror/records.ts';

export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
  invoice: 'Счёт на оплату',
  shipment: 'Отгрузочный документ (УПД / ТОРГ-12)',
  reconciliation: 'Акт сверки',
};

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'дата в формате ГГГГ-ММ-ДД')
  .refine((v) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v), 'такой даты нет');
const blank = (v: unknown) => (v === '' ? undefined : v);

/** The list's query string: every filter optional; anything else is a 400 naming the filter. */
export const filtersSchema = z.object({
  kind: z.preprocess(blank, z.enum(DOCUMENT_KINDS, { message: `вид документа: ${DOCUMENT_KINDS.join(', ')}` }).optional()),
  from: z.preprocess(blank, isoDate.optional()),
  to: z.preprocess(blank, isoDate.optional()),
  counterpartyId: z.preprocess(blank, z.string().regex(/^\d{1,15}$/, 'юрлицо: номер').transform(Number).optional()),
}).refine((f) => !(f.from && f.to && f.from > f.to), { message: 'дата «с» позже даты «по»', path: ['from'] });
export type DocumentFilters = z.infer<typeof filtersSchema>;

const FIELD_NAMES: Record<string, string> = { kind: 'Вид', from: 'Дата с', to: 'Дата по', counterpartyId: 'Юрлицо' };

/** Parses the filters or throws a DomainError('malformed') that names the bad one. */
export function parseFilters(query: Record<string, unknown>): DocumentFilters {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const res = filtersSchema.safeParse({ kind: one(query.kind), from: one(query.from), to: one(query.to), counterpartyId: one(query.counterpartyId) });
  if (res.success) return res.data;
  const i = res.error.issues[0]!;
  throw new DomainError('malformed', `Фильтр «${FIELD_NAMES[String(i.path[0])] ?? i.path.join('.')}»: ${i.message}.`);
}

export interface DocumentSummary {
  id: number;
  kind: DocumentKind;
  kindLabel: string;
  number: string;
  date: string;
  amount: string;
  vatAmount: string | null;
  currency: string;
  status: string | null;
  counterpartyId: number;
  counterpartyName: string;
  hasFile: boolean;
}

export interface DocumentDetail extends DocumentSummary {
  periodFrom: string | null;
  periodTo: string | null;
  lines: DocumentLine[];
  fileName: string | null;
  counterpartyInn: string | null;
  counterpartyKpp: string | null;
}

const SUMMARY_COLUMNS = `d.id, d.kind, d.number, to_char(d.date, 'YYYY-MM-DD') AS date, d.amount::text AS amount, d.vat_amount::text AS vat_amount,
  d.currency, d.status, d.counterparty_id, c.name AS counterparty_name, (d.file_base64 IS NOT NULL) AS has_file`;

function summary(r: Record<string, unknown>): DocumentSummary {
  const kind = r.kind as DocumentKind;
  return {
    id: Number(r.id), kind, kindLabel: DOCUMENT_KIND_LABELS[kind], number: String(r.number), date: String(r.date), amount: String(r.amount),
    vatAmount: (r.vat_amount as string | null) ?? null, currency: String(r.currency), status: (r.status as string | null) ?? null,
    counterpartyId: Number(r.counterparty_id), counterpartyName: String(r.counterparty_name), hasFile: Boolean(r.has_file),
  };
}

export const LIST_LIMIT = 500;

/** Newest first; a counterparty filter outside the scope finds nothing (never someone else's). */
export async function listDocuments(db: Db, scope: number[], f: DocumentFilters, limit = LIST_LIMIT): Promise<DocumentSummary[]> {
  const ids = f.counterpartyId !== undefined ? scope.filter((id) => id === f.counterpartyId) : scope;
  if (!ids.length) return [];
  const where = ['d.counterparty_id = ANY(?::bigint[])', 'NOT d.deleted'];
  const args: (string | number | number[])[] = [ids];
  const add = (sql: string, v: string | undefined) => {
    if (v === undefined) return;
    where.push(sql);
    args.push(v);
  };
  add('d.kind = ?', f.kind);
  add('d.date >= ?::date', f.from);
  add('d.date <= ?::date', f.to);
  const { rows } = await db.raw(
    `SELECT ${SUMMARY_COLUMNS} FROM documents d JOIN counterparties c ON c.id = d.counterparty_id
      WHERE ${where.join(' AND ')} ORDER BY d.date DESC, d.id DESC LIMIT ?`,
    [...args, limit],
  );
  return rows.map(summary);
}

/** The documents of `ids` within the scope (the bulk download's selection), in the order asked. */
export async function documentsByIds(db: Db, scope: number[], ids: number[]): Promise<DocumentDetail[]> {
  if (!scope.length || !ids.length) return [];
  const { rows } = await db.raw(
    `SELECT ${SUMMARY_COLUMNS}, to_char(d.period_from, 'YYYY-MM-DD') AS period_from, to_char(d.period_to, 'YYYY-MM-DD') AS period_to,
            d.lines, d.file_name, c.inn, c.kpp
       FROM documents d JOIN counterparties c ON c.id = d.counterparty_id
      WHERE d.id = ANY(?::bigint[]) AND d.counterparty_id = ANY(?::bigint[]) AND NOT d.deleted`,
    [ids, scope],
  );
  const byId = new Map<number, DocumentDetail>(
    rows.map((r: Record<string, unknown>) => [
      Number(r.id),
      {
        ...summary(r), periodFrom: (r.period_from as string | null) ?? null, periodTo: (r.period_to as string | null) ?? null,
        lines: (r.lines as DocumentLine[]) ?? [], fileName: (r.file_name as string | null) ?? null,
        counterpartyInn: (r.inn as string | null) ?? null, counterpartyKpp: (r.kpp as string | null) ?? null,
      },
    ]),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function documentById(db: Db, scope: number[], id: number): Promise<DocumentDetail | null> {
  return (await documentsByIds(db, scope, [id]))[0] ?? null;
}

/** The system's own printed form of a document in scope, when it sent one. */
export async function documentFile(db: Db, scope: number[], id: number): Promise<Buffer | null> {
  if (!scope.length) return null;
  const row = await db('documents').where({ id, deleted: false }).whereIn('counterparty_id', scope).first('file_base64');
  return row?.file_base64 ? Buffer.from(row.file_base64, 'base64') : null;
}

/** A file name for a document: kind, number and date, safe on every file system. */
export function documentFileName(d: Pick<DocumentSummary, 'kind' | 'number' | 'date' | 'id'>): string {
  const kind = { invoice: 'Счёт', shipment: 'Отгрузка', reconciliation: 'Акт сверки' }[d.kind];
  const name = [...`${kind} ${d.number} от ${d.date}`].map((c) => (c < ' ' || '\\/:*?"<>|'.includes(c) ? '_' : c)).join('');
  return `${name.slice(0, 150)}.pdf`;
}
