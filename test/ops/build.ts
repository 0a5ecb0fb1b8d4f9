// The production build, made once per test run into a scratch folder inside the checkout (so the
// package's type and node_modules apply), and a way to run `counterpart` from it with plain
// Node.js: a loader hook refuses any TypeScript file and any development dependency, so a
// production path that still needs tsx or a demo package fails the test.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { fromRoot } from '../../src/infra/paths.ts';

const scratch = fromRoot('.scratch', `build-${process.pid}`);
let built: Promise<string> | undefined;

const HOOKS = `
const dev = new Set(Object.keys(JSON.parse(process.env.CP_PACKAGE_JSON).devDependencies));
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (r.url.endsWith('.ts') || (m && dev.has(m[1]))) throw new Error('production build loaded ' + r.url + ' (from ' + context.parentURL + ')');
  return r;
}`;

/** Builds once (tsc -p tsconfig.build.json into a scratch outDir); resolves to the outDir. */
export function buildOnce(): Promise<string> {
  built ??= (async () => {
    fs.rmSync(scratch, { recursive: true, force: true });
    const outDir = path.join(scratch, 'dist');
    const tsc = fromRoot('node_modules/typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', fromRoot('tsconfig.build.json'), '--outDir', outDir], { cwd: fromRoot() });
    fs.writeFileSync(path.join(scratch, 'hooks.mjs'), HOOKS);
    fs.writeFileSync(path.join(scratch, 'guard.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    return outDir;
  })();
  return built;
}

export function removeBuild(): void {
  fs.rmSync(scratch, { recursive: true, force: true });
  built = undefined;
}

export interface Run {
  child: ChildProcess;
  out: () => string;
  stdout: () => string;
  exit: Promise<number | null>;
}

/** `node bin/counterpart.js ARGS` from the build, the way the container starts it. */
export async function runBuilt(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const outDir = await buildOnce();
  let out = '';
  let stdout = '';
  const child = spawn(process.execPath, ['--import', path.join(scratch, 'guard.mjs'), 'bin/counterpart.js', ...args], {
    cwd: fromRoot(),
    env: { ...process.env, NODE_OPTIONS: '', COUNTERPART_DIST: outDir, CP_PACKAGE_JSON: fs.readFileSync(fromRoot('package.json'), 'utf8'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out, stdout: () => stdout, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
