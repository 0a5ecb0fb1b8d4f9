// Pictures of a catalog file's products (`Картинка`: a path such as `import_files/ab/abcd.jpg`,
// uploaded in the same session or inside its archive): each is kept content-addressed in the blob
// store (src/mirror/images.ts) and the product's `images` list refers to it as `sha256:<hex>`,
// so pictures outlive the session's uploads, which `complete` removes. A path not uploaded in
// this session resolves to what it was when last sent; a file that is not a readable picture is
// left out and named in the import's answer.
import { readAll } from '../../../src/infra/blob/index.ts';
import { log } from '../../../src/infra/log.ts';
import { ImageError, type ImageDeps, imageRef, keepImage, knownSourceImages, MAX_IMAGE_BYTES, rememberSourceImage } from '../../../src/mirror/images.ts';
import { safeRelativeName, uploadKey } from '../exchange/files.ts';
import type { RecordBatch } from '../parse/parse-file.ts';

const SAMPLES = 10;

export class PictureResolver {
  private readonly resolved = new Map<string, string | null>();
  private kept = 0;
  private added = 0;
  private known = 0;
  private readonly missing: string[] = [];
  private missingCount = 0;
  private readonly broken: string[] = [];
  private brokenCount = 0;
  /** The session's uploads, listed once: most paths of a big package are looked up, few are there. */
  private uploads?: Set<string>;

  constructor(
    private readonly deps: ImageDeps,
    private readonly sourceId: number,
    private readonly area: string,
  ) {}

  /** Replaces the picture paths of the batch's products by content references. */
  async resolve(batch: RecordBatch): Promise<void> {
    const products = batch.products?.filter((p) => p.images?.length);
    if (!products?.length) return;
    const todo = [...new Set(products.flatMap((p) => p.images!))].filter((p) => !this.resolved.has(p) && !/^https?:\/\//i.test(p));
    const earlier = await knownSourceImages(this.deps.db, this.sourceId, todo);
    for (const path of todo) this.resolved.set(path, await this.one(path, earlier.get(path)));
    for (const p of products) {
      p.images = p.images!.flatMap((path) => {
        const r = this.resolved.has(path) ? this.resolved.get(path) : path;
        return r === null ? [] : [r ?? path];
      });
    }
  }

  /** The reference for one path; the path itself when it cannot be resolved yet; null when broken. */
  private async one(path: string, earlier: string | undefined): Promise<string | null> {
    const rel = safeRelativeName(path);
    const key = rel ? uploadKey(this.area, rel) : undefined;
    this.uploads ??= new Set(await this.deps.blobs.list(this.area));
    const size = key && this.uploads.has(key) ? await this.deps.blobs.size(key) : undefined;
    if (key === undefined || size === undefined) {
      if (earlier) {
        this.known++;
        return imageRef(earlier);
      }
      this.missingCount++;
      if (this.missing.length < SAMPLES) this.missing.push(path);
      return path;
    }
    try {
      if (size > MAX_IMAGE_BYTES) throw new ImageError(`${size} bytes, more than the limit of ${MAX_IMAGE_BYTES}`);
      const { sha, created } = await keepImage(this.deps, await readAll(this.deps.blobs, key, MAX_IMAGE_BYTES));
      await rememberSourceImage(this.deps.db, this.sourceId, path, sha);
      this.kept++;
      if (created) this.added++;
      return imageRef(sha);
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      this.brokenCount++;
      if (this.broken.length < SAMPLES) this.broken.push(`${path} (${err.message})`);
      log.warn({ path, err: err.message }, 'commerceml import: a picture is not a readable image');
      return null;
    }
  }

  /** Lines for the import's answer. */
  lines(): string[] {
    const out: string[] = [];
    if (this.kept || this.known || this.missingCount || this.brokenCount) {
      out.push(`pictures: ${this.kept} kept (${this.added} new), ${this.known} as sent before, ${this.missingCount} not uploaded, ${this.brokenCount} not images`);
    }
    const more = (shown: number, all: number) => (all > shown ? ` and ${all - shown} more` : '');
    if (this.brokenCount) out.push(`warning: ${this.brokenCount} picture(s) are not readable images and were left out: ${this.broken.join('; ')}${more(this.broken.length, this.brokenCount)}`);
    if (this.missingCount) out.push(`warning: ${this.missingCount} picture(s) were not uploaded (nor sent in an earlier exchange): ${this.missing.join(', ')}${more(this.missing.length, this.missingCount)}`);
    return out;
  }
}
