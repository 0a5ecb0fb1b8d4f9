// Text input is refused at the boundary when it carries control characters (NUL and the other
// C0 codes except tab, newline and carriage return, and DEL): PostgreSQL cannot store a NUL in
// text, so one used to end as a 500 in whatever query it reached (search, quick order,
// messages, sign-in, console forms…). Query strings, form fields and route-less path segments
// are all checked here, once.
import type { RequestHandler } from 'express';
import { badRequest } from './errors.ts';

/** True when the text has a character below U+0020 other than tab, LF and CR, or DEL. */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

function hasControl(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return hasControlCharacter(v);
  if (depth > 4 || v === null || typeof v !== 'object') return false;
  for (const [k, x] of Object.entries(v)) if (hasControlCharacter(k) || hasControl(x, depth + 1)) return true;
  return false;
}

export const refuseControlCharacters: RequestHandler = (req, _res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(badRequest('The address could not be understood.'));
  }
  if (hasControlCharacter(path) || hasControl(req.query) || hasControl(req.body)) {
    return next(badRequest('The request contains control characters (such as NUL). Remove them and try again.'));
  }
  next();
};
