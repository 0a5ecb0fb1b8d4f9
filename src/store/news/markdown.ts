// News bodies are Markdown written by staff or imported from the accounting system: rendered
// with raw HTML disabled, and links/images limited to safe schemes, so a body can never carry
// script into a buyer's page.
import MarkdownIt from 'markdown-it';

const SAFE_LINK = /^(https?:|mailto:|tel:|\/(?!\/)|#)/i;
const SAFE_IMAGE = /^(https?:|\/(?!\/))/i;

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());

const defaultImage = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const src = String(tokens[idx]!.attrGet('src') ?? '');
  if (!SAFE_IMAGE.test(src)) return md.utils.escapeHtml(tokens[idx]!.content);
  return defaultImage(tokens, idx, options, env, self);
};
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const href = String(tokens[idx]!.attrGet('href') ?? '');
  if (/^https?:/i.test(href)) {
    tokens[idx]!.attrSet('rel', 'noopener nofollow');
    tokens[idx]!.attrSet('target', '_blank');
  }
  return self.renderToken(tokens, idx, options);
};

/** Safe HTML for a Markdown text (may be triple-stashed: no raw HTML survives). */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

/** A plain-text excerpt of a Markdown text for lists and e-mails. */
export function markdownExcerpt(text: string, max = 200): string {
  const plain = text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[#*_`>~|-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}
