// Parses the multipart form of a message (one optional file) before the CSRF check, so the
// token in the form body is seen; the file stays in memory, capped a little above the limit
// so the store can name the real size in its message.
import type { RequestHandler } from 'express';
import multer from 'multer';
import { MAX_ATTACHMENT_BYTES } from '../../store/messages/attachments.ts';
import { badRequest, invalidForm } from '../errors.ts';

// Browsers send the file name as raw UTF-8 without a charset: read it as UTF-8 ("Счёт.txt"), not latin1.
const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 5, fieldSize: 64 * 1024 } });

/** Bidirectional controls (U+202A–202E, U+2066–2069, U+200E/200F, U+061C) let "invoice‮fdp.exe" show as "invoiceexe.pdf". */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
export const cleanFileName = (name: string) => name.normalize('NFC').replace(BIDI, '');
const single = upload.single('file');

export const messageUpload: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  single(req, res, (err: unknown) => {
    if (!err) {
      if (req.file) req.file.originalname = cleanFileName(req.file.originalname);
      return next();
    }
    const code = (err as { code?: string }).code;
    if (code === 'LIMIT_FILE_SIZE') return next(invalidForm(`The file is larger than the ${MAX_ATTACHMENT_BYTES / 1048576} MB limit.`));
    if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') return next(invalidForm('Attach one file at most.'));
    next(badRequest('The form could not be read.'));
  });
};

/** Paths whose POST carries a message form. */
export const MESSAGE_POST_PATHS = ['/messages', '/manager/clients/:clientId/messages', '/quotes/:quoteId/messages'];
