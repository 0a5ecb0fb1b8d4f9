#!/usr/bin/env node
// The `counterpart` command. With a production build (`npm run build` → dist/, or the folder in
// COUNTERPART_DIST) it runs the compiled JavaScript with plain Node.js; without one, the
// TypeScript sources through tsx (a development dependency).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(root, process.env.COUNTERPART_DIST || 'dist');
const main = path.join(dist, 'src/main.js');

if (fs.existsSync(main)) {
  await import(pathToFileURL(main).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
