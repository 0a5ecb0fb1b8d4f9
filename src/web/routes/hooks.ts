// POST /hooks/accounting/:source — the accounting system announces changes. The body is signed:
// X-Counterpart-Signature: sha256=HEX(HMAC-SHA256(secret, `${X-Counterpart-Timestamp}.${raw body}`)),
// the timestamp within 5 minutes. A valid call enqueues sync.changes for the source at once
// (deduplicated while one is queued); the job reads the change feed itself, so the body is only
// a hint and never trusted as data.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { secretFromEnv } from '../../infra/config.ts';
import { log } from '../../infra/log.ts';
import { attemptLimits, type LimitRule } from '../../infra/rate-limit.ts';
import { sourceByName } from '../../mirror/sources.ts';
import { announceChanges } from '../../store/console/sync-requests.ts';
import type { Runtime } from '../../infra/runtime.ts';

const MAX_SKEW_S = 300;
const MESSAGES = {
  unknownSource: (s: string) => `no accounting source named "${s}"`,
  notConfigured: (s: string) => `webhooks are not configured for source "${s}" (set WEBHOOK_SECRET or the source's webhookSecretEnv)`,
  badTimestamp: 'missing or stale X-Counterpart-Timestamp (must be Unix seconds within 5 minutes)',
  badSignature: 'bad or missing X-Counterpart-Signature',
  tooMany: (s: number) => `too many refused calls from this address: retry in ${s} s`,
};

function validSignature(secret: string, timestamp: string, body: Buffer, header: string): boolean {
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  const given = Buffer.from(header.replace(/^sha256=/, ''), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Refused webhook calls per client address; accepted calls are given back, so a busy sender is never throttled. */
export const WEBHOOK_LIMIT: LimitRule = { name: 'webhook:ip', points: 60, windowS: 900 };

export function hookRoutes(rt: Runtime): Router {
  const r = Router();
  const limits = attemptLimits(rt.redis, rt.prefix, rt.config.QUEUE_HANDOVER_MS);
  r.post('/hooks/accounting/:source', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const name = String(req.params.source);
    const keys = [{ rule: WEBHOOK_LIMIT, key: String(req.ip) }];
    const wait = await limits.take(keys);
    if (wait > 0) return void res.status(429).set('Retry-After', String(wait)).json({ error: MESSAGES.tooMany(wait) });
    const source = await sourceByName(rt.db, name);
    if (!source) return void res.status(404).json({ error: MESSAGES.unknownSource(name) });
    const envName = typeof source.settings?.webhookSecretEnv === 'string' ? source.settings.webhookSecretEnv : undefined;
    const secret = (envName && secretFromEnv(envName)) || rt.config.WEBHOOK_SECRET;
    if (!secret) return void res.status(503).json({ error: MESSAGES.notConfigured(name) });
    const ts = String(req.get('x-counterpart-timestamp') ?? '');
    if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > MAX_SKEW_S) return void res.status(401).json({ error: MESSAGES.badTimestamp });
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!validSignature(secret, ts, body, String(req.get('x-counterpart-signature') ?? ''))) {
      log.warn({ source: name, ip: req.ip }, 'webhook with a bad signature');
      return void res.status(401).json({ error: MESSAGES.badSignature });
    }
    await limits.refund(keys);
    const queued = await announceChanges(rt, source.name);
    res.status(202).json({ accepted: true, queued });
  });
  return r;
}
