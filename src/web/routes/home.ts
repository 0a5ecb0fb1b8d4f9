import { Router } from 'express';
import { sourceFreshness } from '../../mirror/freshness.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { tOf } from '../i18n.ts';

const RUN_STATES = new Set(['running', 'succeeded', 'failed']);

/** A demo sign-in on the start page (src/demo/accounts.ts makes them; `npm start` only). */
export interface DemoSignIn {
  role: string;
  companyRole?: string;
  email: string;
  password: string;
  /** A catalog key and its values, said in the page's language. */
  note: { key: string; values?: Record<string, unknown> };
}

export function homeRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    // Anonymous visitors see the way in only (sign in, apply): which accounting systems feed the
    // store and how their syncs went is for the signed-in.
    const signedIn = Boolean(res.locals.viewer);
    const sources = signedIn ? await sourceFreshness(rt.db, rt.config.SOURCE_STALE_AFTER_S) : [];
    const tr = tOf(res);
    // the demo sign-ins (app.locals, `npm start` only) in the page's language
    const demoAccounts = ((req.app.locals.demoAccounts ?? []) as DemoSignIn[]).map((a) => ({
      ...a,
      role: tr(`home.demo.roles.${a.role}`),
      companyRole: a.companyRole ? tr(`company.roles.${a.companyRole}`) : undefined,
      note: tr(a.note.key, a.note.values ?? {}),
    }));
    const runState = (state: string) => (RUN_STATES.has(state) ? tr(`home.runStates.${state}`) : state);
    const shown = sources.map((s) => (s.last_run ? { ...s, last_run: { ...s.last_run, state: runState(s.last_run.state) } } : s));
    res.render('home', { title: null, signedIn, sources: shown, demoAccounts });
  });
  return r;
}
