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
