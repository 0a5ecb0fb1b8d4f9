// One error type for the web: a status and a message that is safe to show to a user.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly userMessage: string,
  ) {
    super(userMessage);
  }
}

export const notFound = (what = 'Page') => new HttpError(404, `${what} not found.`);
export const forbidden = () => new HttpError(403, 'You do not have access to this page.');
export const badRequest = (msg: string) => new HttpError(400, msg);

/** A numeric id from a URL or form, or 404 (a malformed id is just a page that does not exist). */
export function idParam(v: unknown, what = 'Page'): number {
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string' && typeof s !== 'number') throw notFound(what);
  const str = String(s);
  if (!/^\d{1,15}$/.test(str)) throw notFound(what);
  return Number(str);
}
