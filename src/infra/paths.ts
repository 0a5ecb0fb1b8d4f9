// Where the repository's own folders are, found once from this file's place in the tree (the
// process may start from any working directory).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fromRoot = (...parts: string[]) => path.join(repoRoot, ...parts);
