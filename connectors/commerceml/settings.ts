// A CommerceML source's settings (sources.settings jsonb), validated when a request uses them.
//   login            the login typed into the 1C exchange node (unique among commerceml sources)
//   passwordEnv      name of an environment variable holding the password (read via secretFromEnv), or
//   passwordHash     an argon2 hash of the password (for deployments that keep no plain secret)
//   ordersEncoding   encoding of the `sale&mode=query` answer: 'utf-8-bom' (default) or 'windows-1251'
//   zip              answer zip=yes at init (default true)
//   droppedData      'failure' (default) or 'warning': how an import answers when a file held
//                    products/offers/prices/stock and none of it was applied
//   quietPeriodS     seconds after a catalog session's last call when a full package's deletions
//                    happen without deactivate/complete (default COMMERCEML_QUIET_PERIOD_S; 0: never)
//   limits           bytes: fileLimit (chunk size 1C may send), maxFileBytes, maxSessionBytes,
//                    maxUnzippedBytes; maxZipEntries
import { z } from 'zod';

const MB = 1024 * 1024;

export const limitsSchema = z.object({
  fileLimit: z.number().int().positive().default(100 * MB),
  maxFileBytes: z.number().int().positive().default(1024 * MB),
  maxSessionBytes: z.number().int().positive().default(2048 * MB),
  maxUnzippedBytes: z.number().int().positive().default(4096 * MB),
  maxZipEntries: z.number().int().positive().default(20_000),
});

export const settingsSchema = z
  .object({
    login: z.string().min(1),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    passwordHash: z.string().startsWith('$argon2').optional(),
    ordersEncoding: z.enum(['utf-8-bom', 'windows-1251']).default('utf-8-bom'),
    zip: z.boolean().default(true),
    droppedData: z.enum(['failure', 'warning']).default('failure'),
    quietPeriodS: z.number().int().min(0).max(7 * 24 * 3600).optional(),
    limits: limitsSchema.default(limitsSchema.parse({})),
  })
  .refine((s) => s.passwordEnv || s.passwordHash, 'needs passwordEnv or passwordHash');

export type CommerceMLSettings = z.infer<typeof settingsSchema>;
export type Limits = z.infer<typeof limitsSchema>;

export function parseSettings(raw: unknown): CommerceMLSettings | string {
  const r = settingsSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  return `${i.path.join('.') || 'settings'}: ${i.message}`;
}
