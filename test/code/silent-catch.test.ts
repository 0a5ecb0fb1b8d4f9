// "Every catch-all logs": product code has no catch that swallows an error without a word — no
// `.catch(() => {})` (or one answering undefined/null/false/[]) and no empty `catch {}` block.
// A catch either logs with context, handles only the error it expects, or rethrows.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const ROOTS = ['src', 'connectors', 'jobs'];
const SILENT = [
  /\.catch\(\s*(?:\(\s*\w*\s*\)|\w+)\s*=>\s*(?:\{\s*\}|undefined|null|false|\[\](?:\s+as\s+[\w[\]<>]+)?)\s*\)/,
  /\bcatch\s*(?:\(\s*\w*\s*\))?\s*\{\s*\}/,
];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|js|cjs|mjs)$/.test(e.name) ? [p] : [];
  });
}

function silentCatches(text: string): string[] {
  return text.split('\n').filter((line) => SILENT.some((re) => re.test(line))).map((line) => line.trim());
}

describe('code: no silent catch-alls in product code', () => {
  it('finds the silent forms (the check itself can fail)', () => {
    expect(silentCatches('a.catch(() => {});\nb.catch((e) => log.warn({ e }, "x"));\ntry { x() } catch {}\nc.catch(() => [] as string[])\nd.catch(() => undefined)')).to.have.length(4);
    expect(silentCatches('value.catch(() => cache.delete(key));\n} catch (err) {\n  log.warn(err);')).to.deep.equal([]);
  });

  it('src, connectors and jobs have none', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const found = ROOTS.flatMap((r) => files(path.join(root, r)).flatMap((f) => silentCatches(fs.readFileSync(f, 'utf8')).map((l) => `${path.relative(root, f)}: ${l}`)));
    expect(found).to.deep.equal([]);
  });
});
