// Production is the default: every start without `--demo` refuses unsafe settings and retires
// whatever an earlier demo run left in the database (its sign-ins with published passwords, its
// 1C exchange source with published credentials, its simulator source).
import type { Config } from '../../infra/config.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { log } from '../../infra/log.ts';
import type { Runtime } from '../../infra/runtime.ts';

/** Refuses a start whose settings are unsafe for what it runs; names every missing variable. */
export function assertSafeStart(cfg: Config, opts: { demo: boolean }): void {
  if (opts.demo) {
    if (cfg.NODE_ENV === 'production') {
      throw new DomainError('invalid', 'The demo does not run with NODE_ENV=production: its accounts and 1C login have published passwords.', { code: 'start.demo_in_production' });
    }
    return;
  }
  const missing = [
    !cfg.PUBLIC_URL && 'PUBLIC_URL (the https:// address buyers use; links in e-mails are built from it)',
    !cfg.SESSION_SECRET && 'SESSION_SECRET (at least 16 characters; signs session cookies)',
  ].filter(Boolean);
  if (missing.length) {
    throw new DomainError('invalid', `A start without --demo needs ${missing.join(' and ')}. For a try-out run \`npm start\` (the demo).`, { code: 'start.unsafe_settings' });
  }
}

export interface RetiredDemo {
  users: string[];
  sources: string[];
}

/** Disables the demo's sign-ins (ending their sessions and links) and its sources. Idempotent. */
export async function retireDemo(rt: Runtime): Promise<RetiredDemo> {
  return rt.db.transaction(async (trx) => {
    const users = await trx('users').where({ demo: true }).whereNull('disabled_at').update({ disabled_at: trx.fn.now(), password_hash: null }).returning(['id', 'email']);
    const ids = users.map((u) => u.id);
    if (ids.length) {
      await trx('sessions').whereRaw("(sess->>'userId')::bigint = ANY(?)", [ids]).del();
      await trx('user_tokens').whereIn('user_id', ids).del();
    }
    // The exchange login and its hash go too, so re-enabling the row by hand cannot revive them.
    const sources = await trx('sources')
      .where({ demo: true })
      .whereNull('disabled_at')
      .update({ disabled_at: trx.fn.now(), settings: trx.raw("settings - 'login' - 'passwordHash'") })
      .returning(['name']);
    const retired = { users: users.map((u) => u.email), sources: sources.map((s) => s.name) };
    if (retired.users.length || retired.sources.length) log.warn(retired, 'started without --demo: the demo sign-ins and sources of an earlier demo run are disabled');
    return retired;
  });
}
