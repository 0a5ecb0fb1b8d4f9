// Every request gets an id: the proxy's X-Request-Id when it sent a sane one, else a new UUID.
// It is set as req.id before the request log, which pino-http then logs as the request's id,
// and echoed as X-Request-Id so a user's report can be matched to the log.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  const id = given && SANE.test(given) ? given : randomUUID();
  (req as { id?: string }).id = id;
  res.setHeader('X-Request-Id', id);
  next();
};
