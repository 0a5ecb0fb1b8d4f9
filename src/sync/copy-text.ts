// Encodes rows for PostgreSQL's COPY text format (the fastest way to hand rows to the server).
export type PgType = 'text' | 'boolean' | 'int' | 'numeric' | 'jsonb' | 'date' | 'timestamptz';

const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' };

export function copyValue(v: unknown, type: PgType): string {
  if (v === null || v === undefined) return '\\N';
  let s: string;
  if (type === 'boolean') return v ? 't' : 'f';
  if (type === 'jsonb') s = JSON.stringify(v);
  else s = typeof v === 'string' ? v : String(v);
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : s;
}
