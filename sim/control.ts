// The control surface: change data as an accountant would, set faults, read the state. The
// same operations back the HTTP routes (/control/…) and the `npm run sim` command line.
import { z } from 'zod';
import { faultSchema, type Faults } from './faults.ts';
import { SimError, type SimState } from './state.ts';
import type { WebhookAnnouncer } from './webhook.ts';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal like "12" or "1234.50"');

const commands = {
  'POST /control/stock': z.object({ offerId: z.string(), warehouseId: z.string(), quantity: decimal }),
  'POST /control/price': z.object({ offerId: z.string(), priceTypeId: z.string(), value: decimal }),
  'POST /control/products': z.object({
    id: z.string().min(1), name: z.string().min(1), sku: z.string().min(1), groupId: z.string().optional(), unit: z.string().optional(),
    prices: z.record(z.string(), decimal).optional(), stock: z.record(z.string(), decimal).optional(),
  }),
  'POST /control/product-deletion': z.object({ productId: z.string(), deleted: z.boolean().default(true) }),
  'POST /control/link': z.object({ counterpartyId: z.string(), headId: z.string().nullable() }),
  'POST /control/contract-price': z.object({ contractId: z.string(), offerId: z.string(), value: decimal.nullable() }),
  'POST /control/order-status': z.object({ order: z.string(), status: z.string().min(1), note: z.string().default('') }),
  'POST /control/faults': faultSchema,
  'DELETE /control/faults': z.object({}).passthrough(),
  'PUT /control/webhook': z.object({ url: z.string().url(), secret: z.string().min(8) }),
  'DELETE /control/webhook': z.object({}).passthrough(),
  'GET /control/state': z.object({}).passthrough(),
} as const;

export type ControlCommand = keyof typeof commands;

export interface ControlContext { state: SimState; faults: Faults; webhook: WebhookAnnouncer }

export interface ControlAnswer { status: number; body: unknown }

/** Runs one control command; bad input is a 400 naming the field, unknown ids a 404. */
export function runControl(ctx: ControlContext, method: string, path: string, input: unknown): ControlAnswer {
  const key = `${method} ${path}` as ControlCommand;
  const schema = commands[key];
  if (!schema) return { status: 404, body: { error: `no control command ${method} ${path}`, commands: Object.keys(commands) } };
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { status: 400, body: { error: `${i.path.join('.') || 'body'}: ${i.message}` } };
  }
  const a = parsed.data as Record<string, never>;
  const { state, faults, webhook } = ctx;
  try {
    switch (key) {
      case 'POST /control/stock': state.setStock(a.offerId, a.warehouseId, a.quantity); break;
      case 'POST /control/price': state.setPrice(a.offerId, a.priceTypeId, a.value); break;
      case 'POST /control/products': return { status: 201, body: { offer: state.addProduct(a as never), cursor: state.cursor() } };
      case 'POST /control/product-deletion': state.markProductDeleted(a.productId, a.deleted); break;
      case 'POST /control/link': state.linkCounterparty(a.counterpartyId, a.headId); break;
      case 'POST /control/contract-price': state.setContractPrice(a.contractId, a.offerId, a.value); break;
      case 'POST /control/order-status': return { status: 200, body: { status: state.postOrderStatus(a.order, a.status, a.note) } };
      case 'POST /control/faults': faults.set(a as never); return { status: 200, body: { faults: faults.active() } };
      case 'DELETE /control/faults': faults.clear(); return { status: 200, body: { faults: [] } };
      case 'PUT /control/webhook': webhook.target = { url: a.url, secret: a.secret }; return { status: 200, body: { webhook: a.url } };
      case 'DELETE /control/webhook': webhook.target = null; return { status: 200, body: { webhook: null } };
      case 'GET /control/state':
        return {
          status: 200,
          body: { cursor: state.cursor(), counts: state.counts(), faults: faults.active(), orders: state.orders(), reservations: state.reservations(), webhook: webhook.target?.url ?? null },
        };
    }
  } catch (err) {
    if (err instanceof SimError) return { status: err.code === 'not_found' ? 404 : 400, body: { error: err.message } };
    throw err;
  }
  return { status: 200, body: { cursor: state.cursor() } };
}
