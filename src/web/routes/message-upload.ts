// Parses the multipart form of a message (one optional file) before the CSRF check, so the
// token in the form body is seen; the file stays in memory, capped a little above the limit
// so the store can name the real size in its message.
import type { RequestHandler } from 'express';
import multer from 'multer';
import { MAX_ATTACHMENT_BYTES } from '../../store/messages/attachments.ts';
import { badRequest, invalidForm } from '../errors.ts';

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 5, fieldSize: 64 * 1024 } });
const single = upload.single('file');

export const messageUpload: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  single(req, res, (err: unknown) => {
    if (!err) return next();
    const code = (err as { code?: string }).code;
    if (code === 'LIMIT_FILE_SIZE') return next(invalidForm(`The file is larger than the ${MAX_ATTACHMENT_BYTES / 1048576} MB limit.`));
    if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') return next(invalidForm('Attach one file at most.'));
    next(badRequest('The form could not be read.'));
  });
};

/** Paths whose POST carries a message form. */
export const MESSAGE_POST_PATHS = ['/messages', '/manager/clients/:clientId/messages'];
