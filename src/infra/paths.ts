// Where the repository's own folders are, found once from this file's place in the tree (the
// process may start from any working directory). Run from sources, this file is
// src/infra/paths.ts; run from the production build it is <outDir>/src/infra/paths.js. The code
// (and its compiled migrations) lives under codeRoot; views, public, mapping files and
// node_modules stay at repoRoot, the nearest folder with a package.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (sources) or the build's outDir: src/, connectors/, jobs/, migrations/ are under it. */
export const codeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

export const repoRoot = packageRoot(codeRoot);
/** True when running the compiled build (no TypeScript at run time). */
export const compiled = codeRoot !== repoRoot;
export const fromRoot = (...parts: string[]) => path.join(repoRoot, ...parts);
export const fromCode = (...parts: string[]) => path.join(codeRoot, ...parts);
