// The web process of the catalog benchmark (a child, so the server has its own core and
// autocannon another). Serves the real app plus /__ceiling: the same catalog template and
// layout rendered from the model the real page produced once — Express + Handlebars with no
// database, the ceiling the real page is measured against.
import express, { Router } from 'express';
import { createRuntime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';

const rt = await createRuntime();
let captured: { view: string; model: Record<string, unknown>; locals: Record<string, unknown> } | null = null;
const render = express.response.render;
express.response.render = function (this: express.Response, view: string, options?: object, cb?: never) {
  if (!captured && view === 'catalog') {
    captured = { view, model: structuredClone({ ...(options ?? {}) }) as Record<string, unknown>, locals: structuredClone({ ...this.locals }) };
  }
  return render.apply(this, [view, options, cb] as never);
} as typeof render;

const ceiling = Router();
ceiling.get('/', (_req, res) => {
  if (!captured) {
    res.status(503).send('load the real page once first');
    return;
  }
  Object.assign(res.locals, captured.locals);
  res.render(captured.view, captured.model);
});

const app = createApp(rt, [{ path: '/__ceiling', router: ceiling }]);
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
});
const stop = async () => {
  server.closeAllConnections();
  server.close();
  await rt.shutdown();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
