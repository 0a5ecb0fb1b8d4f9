// Product pictures for the pages: a product's `images` entry as an address the browser loads —
// a kept picture (`sha256:…`, src/mirror/images.ts) as its thumbnail route, an http(s) URL as it
// is; anything else (a 1C path whose file never arrived) as nothing, so the page shows its
// neutral placeholder instead of a broken image.
import { shaOf, type ThumbSize } from '../../mirror/images.ts';

export const IMAGES_PATH = '/images';

export function imageUrl(ref: string | null | undefined, size: ThumbSize): string | null {
  if (!ref) return null;
  const sha = shaOf(ref);
  if (sha) return `${IMAGES_PATH}/${sha}/${size}.webp`;
  return /^https?:\/\//i.test(ref) ? ref : null;
}

export { imageInfo, originalKey, THUMB_SIZES, type ThumbSize, thumbnail } from '../../mirror/images.ts';
