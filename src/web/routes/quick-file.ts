// Quick order from a file (XLSX or CSV) next to the paste box: the multipart form is parsed
// before the CSRF check (its token is a form field); the file stays in memory, capped at
// MAX_QUICK_FILE_BYTES. Reading the file is the store's (src/store/cart/quick-file.ts); the
// lines go through the paste box's code, so the report is the same, one message per line.
import { type RequestHandler, Router } from 'express';
import multer from 'multer';
import type { Runtime } from '../../infra/runtime.ts';
import { addQuickLines } from '../../store/cart/cart.ts';
import { MAX_QUICK_FILE_BYTES, parseQuickFile } from '../../store/cart/quick-file.ts';
import { requireOrdering } from '../auth/context.ts';
import { httpStatus, messageText, refusal } from '../domain-errors.ts';
import { quickResultView } from './cart.ts';
import { owner } from './cart.ts';
import { tOf } from '../i18n.ts';

export const QUICK_FILE_PATH = '/cart/quick/file';

const single = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_QUICK_FILE_BYTES, files: 1, fields: 5, fieldSize: 4096 } }).single('file');

const TOO_BIG = `Файл больше ${MAX_QUICK_FILE_BYTES / 1048576} МБ: для заказа достаточно колонок с артикулом и количеством.`;

/** Parses the upload form; a refused upload (too big, two files, unreadable form) is kept for the route to show. */
export const quickFileUpload: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  single(req, res, (err: unknown) => {
    if (err) {
      const code = (err as { code?: string }).code;
      res.locals.uploadError =
        code === 'LIMIT_FILE_SIZE' ? TOO_BIG : code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT' ? 'Загрузите один файл.' : 'Форму с файлом не удалось прочитать. Попробуйте ещё раз.';
      req.body ??= {};
    }
    next();
  });
};

export function quickFileRoutes(rt: Runtime): Router {
  const r = Router();
  r.post(QUICK_FILE_PATH, ...requireOrdering, async (req, res) => {
    const page = (status: number, extra: Record<string, unknown>) => res.status(status).render('quick-order', { title: tOf(res)('quick.title'), ...extra });
    if (res.locals.uploadError) return page(422, { fileError: res.locals.uploadError });
    const file = req.file;
    if (!file) return page(422, { fileError: 'Выберите файл XLSX или CSV.' });
    let lines: Awaited<ReturnType<typeof parseQuickFile>>;
    try {
      lines = await parseQuickFile(file.buffer);
    } catch (err) {
      const refused = refusal(err, 'invalid');
      return page(httpStatus(refused), { fileError: messageText(res, refused), fileName: file.originalname });
    }
    if (lines.length === 0) return page(422, { fileError: 'В файле нет строк с артикулом и количеством.', fileName: file.originalname });
    const result = await addQuickLines(rt.db, owner(res), lines);
    page(result.added.length === 0 ? 422 : 200, { result: quickResultView(res, result), fileName: file.originalname });
  });
  return r;
}
