// Plays a 1C "exchange with a website" node: checkauth → init → file (chunked, zipped or not) →
// import (repeated while `progress`) → deactivate → complete; and the sale side query → success →
// file → import. Used by the tests, the demo and the benchmark, so they all go the real path.
import fs from 'node:fs';
import yazl from 'yazl';

export interface Answer {
  status: string;
  lines: string[];
  raw: Buffer;
  httpStatus: number;
  headers: Headers;
}

export interface ClientOptions {
  login: string;
  password: string;
  /** CommerceML version announced at init (2.05 … 3.1). */
  version?: string;
  pollMs?: number;
  /** Largest chunk this client sends (1C uses the server's file_limit). */
  maxChunk?: number;
  /** Send Basic authorization on every call and keep no cookie (some hand-written processors). */
  authEveryCall?: boolean;
}

export interface UploadFile {
  name: string;
  /** Bytes, or a path on disk. */
  data: Buffer | string;
}

const order = (name: string) => {
  const n = name.toLowerCase().replace(/^.*\//, '');
  const i = ['classifier', 'import', 'offers', 'prices', 'rests', 'contragents', 'documents', 'orders'].findIndex((p) => n.startsWith(p));
  return i < 0 ? 99 : i;
};
/** The order 1C imports package files in: classifier/import → offers → prices → rests → others. */
export const importOrder = (names: string[]) => [...names].sort((a, b) => order(a) - order(b) || a.localeCompare(b));

export class OneCClient {
  cookie?: string;
  sessid?: string;
  fileLimit = 0;
  zip = false;
  polls = 0;

  constructor(
    readonly url: string,
    readonly opts: ClientOptions,
  ) {}

  async call(type: 'catalog' | 'sale', mode: string, extra: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
    const u = new URL(this.url);
    u.searchParams.set('type', type);
    u.searchParams.set('mode', mode);
    for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
    if (this.sessid && mode !== 'checkauth' && !this.opts.authEveryCall) u.searchParams.set('sessid', this.sessid);
    const headers: Record<string, string> = {};
    if (mode === 'checkauth' || this.opts.authEveryCall) headers.authorization = `Basic ${Buffer.from(`${this.opts.login}:${this.opts.password}`).toString('base64')}`;
    else if (this.cookie && !this.opts.authEveryCall) headers.cookie = this.cookie;
    const res = await fetch(u, { method: body ? 'POST' : 'GET', headers, body: body ? new Uint8Array(body) : undefined });
    const raw = Buffer.from(await res.arrayBuffer());
    const text = raw.toString('utf8').replace(/^\uFEFF/, '');
    const [status = '', ...lines] = text.split('\n');
    return { status, lines, raw, httpStatus: res.status, headers: res.headers };
  }

  async checkauth(type: 'catalog' | 'sale'): Promise<Answer> {
    const a = await this.call(type, 'checkauth');
    if (a.status === 'success') {
      this.cookie = `${a.lines[0]}=${a.lines[1]}`;
      this.sessid = a.lines.find((l) => l.startsWith('sessid='))?.slice(7);
    }
    return a;
  }

  async init(type: 'catalog' | 'sale'): Promise<Answer> {
    const a = await this.call(type, 'init', { version: this.opts.version ?? '2.10' });
    this.zip = /zip=yes/.test(a.status);
    const fl = /file_limit=(\d+)/.exec(a.raw.toString())?.[1];
    this.fileLimit = Number(fl ?? 0);
    return a;
  }

  /** Sends one file in chunks of at most file_limit bytes (the same filename each time). */
  async upload(type: 'catalog' | 'sale', f: UploadFile): Promise<Answer> {
    const chunk = Math.max(1, Math.min(this.fileLimit || Number.POSITIVE_INFINITY, this.opts.maxChunk ?? 32 * 1024 * 1024));
    let last: Answer | undefined;
    if (Buffer.isBuffer(f.data)) {
      for (let off = 0; off < f.data.length || off === 0; off += chunk) {
        last = await this.call(type, 'file', { filename: f.name }, f.data.subarray(off, off + chunk));
        if (last.status !== 'success') return last;
        if (!f.data.length) break;
      }
      return last!;
    }
    const fh = await fs.promises.open(f.data, 'r');
    try {
      const buf = Buffer.allocUnsafe(chunk);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, chunk, null);
        if (!bytesRead) break;
        last = await this.call(type, 'file', { filename: f.name }, buf.subarray(0, bytesRead));
        if (last.status !== 'success') return last;
      }
    } finally {
      await fh.close();
    }
    return last ?? (await this.call(type, 'file', { filename: f.name }, Buffer.alloc(0)));
  }

  /** Calls import for one file until the answer is not `progress`. */
  async importFile(type: 'catalog' | 'sale', filename: string, maxPolls = 100_000): Promise<Answer> {
    for (let i = 0; i < maxPolls; i++) {
      const a = await this.call(type, 'import', { filename });
      this.polls++;
      if (a.status !== 'progress') return a;
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 200));
    }
    throw new Error(`import of ${filename} still in progress after ${maxPolls} polls`);
  }

  /**
   * A whole catalog exchange as 1C runs it. With zip (when the server says zip=yes) every file
   * goes into one archive `v8_XXXX.zip`; imports then name the XML files inside it.
   */
  async pushCatalog(files: UploadFile[], o: { zip?: boolean; zipPath?: string } = {}): Promise<{ answers: Record<string, Answer>; failed?: Answer }> {
    const answers: Record<string, Answer> = {};
    const auth = await this.checkauth('catalog');
    if (auth.status !== 'success') return { answers, failed: auth };
    await this.init('catalog');
    const xmls = importOrder(files.filter((f) => f.name.toLowerCase().endsWith('.xml')).map((f) => f.name));
    if (o.zip !== false && this.zip) {
      const archive = await zipFiles(files, o.zipPath);
      const up = await this.upload('catalog', { name: 'v8_2C7E_125d5b.zip', data: archive });
      if (up.status !== 'success') return { answers, failed: up };
    } else {
      for (const f of files) {
        const up = await this.upload('catalog', f);
        if (up.status !== 'success') return { answers, failed: up };
      }
    }
    for (const name of xmls) {
      const a = await this.importFile('catalog', name);
      answers[name] = a;
      if (a.status !== 'success') return { answers, failed: a };
    }
    answers.deactivate = await this.call('catalog', 'deactivate');
    answers.complete = await this.call('catalog', 'complete');
    return { answers };
  }
}

/** Packs files into a zip (in memory, or streamed to `toPath` for big packages). */
export async function zipFiles(files: UploadFile[], toPath?: string): Promise<Buffer | string> {
  const z = new yazl.ZipFile();
  for (const f of files) {
    if (Buffer.isBuffer(f.data)) z.addBuffer(f.data, f.name);
    else z.addFile(f.data, f.name);
  }
  z.end();
  if (toPath) {
    await new Promise<void>((resolve, reject) => {
      const out = fs.createWriteStream(toPath);
      z.outputStream.pipe(out).on('close', () => resolve()).on('error', reject);
    });
    return toPath;
  }
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
