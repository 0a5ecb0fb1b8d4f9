// The mapping file's schema (documented for engineers in connectors/mappings/README.md).
import { z } from 'zod';
import { ORDER_STATUS_CODES } from '../../src/mirror/order-status.ts';
import { modifierSchema } from './modifiers.ts';

// Steps are XML names (1C publishes Russian ones: `return.Номенклатура.Ид`): letters of any
// script, digits, _ and -; namespace prefixes are dropped by the reader, so they are not written.
const step = '[\\p{L}_][\\p{L}\\p{N}_-]*';
const path = z.string().regex(new RegExp(`^\\^?${step}(\\.${step})*$`, 'u'), 'must be a dotted element path like "Offers.Offer" or "return.Номенклатура" (a leading ^ reads the parent item)');
const opName = z.string().regex(/^[\p{L}_][\p{L}\p{N}_]*$/u, 'must be an operation name from the WSDL');
/** The answer carries JSON inside one element (1C's ЗаписатьJSON): the operation's other paths read inside it. */
const decode = z.strictObject({ from: path, as: z.literal('json') });
export type DecodeSpec = z.infer<typeof decode>;
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone name like "Europe/Moscow"');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const args = z.record(z.string(), scalar);

const leafFieldSchema = z.union([
  path,
  z.strictObject({
    from: path.optional(),
    value: scalar.optional(),
    modifiers: z.array(modifierSchema).optional(),
  }).refine((f) => f.from !== undefined || f.value !== undefined, 'needs "from" (a path in the answer) or "value" (a constant)'),
]);
export type LeafFieldSpec = z.infer<typeof leafFieldSchema>;

export const fieldSchema = z.union([
  path,
  z.strictObject({
    from: path.optional(),
    value: scalar.optional(),
    modifiers: z.array(modifierSchema).optional(),
    /** Nested rows (a document's lines): one row per item at `from`, each field read inside its item. */
    rows: z.record(z.string(), leafFieldSchema).optional(),
  })
    .refine((f) => f.from !== undefined || f.value !== undefined, 'needs "from" (a path in the answer) or "value" (a constant)')
    .refine((f) => !f.rows || (f.from !== undefined && !f.modifiers?.length), '"rows" needs "from" (the path of the row items) and takes no modifiers'),
]);
export type FieldSpec = z.infer<typeof fieldSchema>;

const paging = z.strictObject({
  pageArg: z.string().min(1),
  sizeArg: z.string().min(1),
  pageSize: z.number().int().min(1).max(10_000),
  firstPage: z.number().int().min(0).default(1),
  /** Path of the total item count in the answer (optional: paging also stops at a short page). */
  total: path.optional(),
  /** Path of the number of pages in the answer (1C services often answer pages, not items): exactly that many are read. */
  totalPages: path.optional(),
}).refine((p) => !(p.total && p.totalPages), 'give "total" (items) or "totalPages", not both');

export const entitySchema = z.strictObject({
  operation: opName,
  args: args.optional(),
  paging: paging.optional(),
  decode: decode.optional(),
  /** Path of the item list in the answer. */
  result: path,
  /** One record per nested item (e.g. each Prices.Price of an Offer); "^Field" reads the parent. */
  each: path.optional(),
  fields: z.record(z.string(), fieldSchema),
});
export type EntityMapping = z.infer<typeof entitySchema>;

/** One reservation operation: SOAP element (a dotted path, under `root` when given) → reservation field. */
const reservationOperation = z.strictObject({
  operation: opName,
  root: z.string().min(1).optional(),
  fields: z.record(path, z.string()),
  /** Where the answer names the system's own id of the reservation (kept as reservations.external_id). */
  result: z.strictObject({ externalId: path }).optional(),
});
export type ReservationOperationMapping = z.infer<typeof reservationOperation>;

export const mappingSchema = z.strictObject({
  version: z.literal(1),
  system: z.string().min(1),
  service: z.strictObject({
    endpoint: z.string().url('must be a URL like http://host:port/path'),
    namespace: z.string().min(1),
    soapActionPrefix: z.string().default(''),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    auth: z.strictObject({ type: z.literal('basic'), usernameEnv: envName, passwordEnv: envName }).optional(),
    /** How date-times without an offset are read (1C answers local time). Default UTC. */
    timeZone: timeZone.optional(),
  }),
  info: z.strictObject({ operation: opName, decode: decode.optional(), asOf: path, cursor: path.optional() }).optional(),
  entities: z.record(z.string(), entitySchema),
  changes: z.strictObject({
    operation: opName,
    cursorArg: z.string().min(1),
    args: args.optional(),
    decode: decode.optional(),
    nextCursor: path,
    hasMore: path.optional(),
    asOf: path.optional(),
    /** Entity → path of its changed items in the answer (the entity's fields and `each` apply). */
    results: z.record(z.string(), path),
  }).optional(),
  orders: z.strictObject({
    create: z.strictObject({
      operation: opName,
      root: z.string().min(1),
      fields: z.record(z.string(), z.string()),
      lines: z.strictObject({ path, fields: z.record(z.string(), z.string()) }),
      result: z.strictObject({ externalId: path, externalNumber: path.optional() }),
    }),
    statuses: z.strictObject({
      operation: opName,
      cursorArg: z.string().min(1),
      args: args.optional(),
      nextCursor: path,
      result: path,
      fields: z.record(z.string(), fieldSchema),
      /** The system's status text (after the field's modifiers) → the store's status code. */
      codes: z.record(z.string().min(1), z.enum(ORDER_STATUS_CODES, { message: `must be one of ${ORDER_STATUS_CODES.join(', ')}` })).default({}),
    }).optional(),
  }).optional(),
  /** Reservations held in the system too: all three operations, or the section is left out. */
  reservations: z.strictObject({ place: reservationOperation, extend: reservationOperation, release: reservationOperation }).optional(),
});
export type Mapping = z.infer<typeof mappingSchema>;
