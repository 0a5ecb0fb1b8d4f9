// The seller's requisites on the store's own invoices: a setting ('invoices.seller'); until an
// admin sets it, an invoice cannot be printed (a made-up seller on a payment document is worse).
import { z } from 'zod';

const digits = (n: number, what: string) => z.string().trim().regex(new RegExp(`^\\d{${n}}$`), `${what}: ${n} digits`);

export const sellerSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'name').max(500),
    inn: z.string().trim().regex(/^\d{10}(\d{2})?$/, 'INN: 10 or 12 digits'),
    kpp: z.union([digits(9, 'KPP'), z.literal('')]).default(''),
    address: z.string().trim().min(1, 'address').max(1000),
    bankName: z.string().trim().min(1, 'bank name').max(500),
    bic: digits(9, 'BIC'),
    account: digits(20, 'account'),
    corrAccount: digits(20, 'correspondent account'),
    /** VAT rate in percent the invoice states when a line has none (prices include VAT). */
    vatRate: z.string().regex(/^\d{1,2}$/, 'VAT rate in whole percent').default('20'),
    director: z.string().trim().max(200).default(''),
    accountant: z.string().trim().max(200).default(''),
  })
  .nullable();
export type Seller = NonNullable<z.infer<typeof sellerSchema>>;
