// connectors/commerceml/README.md lists every warning and failure text the exchange answers
// with. This reads them out of the code — each string a warning line starts with, each text an
// upload, parse or refusal error is thrown with, each reason a record is skipped for — and
// checks that the README carries their words (the values in `${…}` are written N, <file> … there).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const DIR = 'connectors/commerceml';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The literal parts of the string literal starting at `i` (quotes or a template); the
 *  placeholders' expressions (and literals nested in them) are skipped. */
function literalParts(src: string, i: number): { parts: string[]; end: number } {
  const q = src[i]!;
  const parts: string[] = [];
  let cur = '';
  let j = i + 1;
  while (j < src.length && src[j] !== q) {
    if (src[j] === '\\') {
      cur += src[j + 1];
      j += 2;
    } else if (q === '`' && src.startsWith('${', j)) {
      parts.push(cur);
      cur = '';
      j = skipExpression(src, j + 2);
    } else cur += src[j++];
  }
  parts.push(cur);
  return { parts, end: j + 1 };
}

function skipExpression(src: string, j: number): number {
  let depth = 1;
  while (depth > 0) {
    const c = src[j]!;
    if (c === '`' || c === "'" || c === '"') j = literalParts(src, j).end;
    else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      j++;
    }
  }
  return j;
}

/** Where an answer text starts: thrown errors, failure answers, skip reasons, warning lines and
 *  the warnings a sync run keeps. */
const MARKERS = [
  /new (?:UploadError|CommerceMLError|Refused)\(/g,
  /\bfail\(/g,
  /answer\(res, 'failure', /g,
  /\bskip\(out\.skipped\w+, /g,
  /export const PRICE_\w+ = /g,
  /(?=`warning: )/g,
  /\bmessage: /g, // warnings kept in a sync run
  /(?=`\$\{u\.count\} <)/g, // the parser's "not read" note
  /(?='the same Ид repeated)/g,
];

function answerTexts(): { file: string; text: string[] }[] {
  const out: { file: string; text: string[] }[] = [];
  for (const file of sources(DIR)) {
    const src = fs.readFileSync(file, 'utf8');
    for (const re of MARKERS) {
      for (const m of src.matchAll(re)) {
        const at = m.index + m[0].length;
        if (!'`\'"'.includes(src[at]!)) continue; // a variable (e.g. fail(msg)): its texts are found where they are made
        out.push({ file, text: literalParts(src, at).parts });
      }
    }
  }
  return out;
}

describe('connectors/commerceml/README.md', () => {
  // lines wrap anywhere in the README, inside a code span too
  const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8').replace(/\s+/g, ' ');

  it('names every warning, failure and skip reason the code answers with', () => {
    const texts = answerTexts();
    expect(texts.length, 'the markers found the texts').to.be.greaterThan(60);
    const missing: string[] = [];
    for (const t of texts) {
      for (const part of t.text) {
        // words, not glue such as "warning: " or " (line "
        const words = part.replace(/^warning: /, '').replace(/\s+/g, ' ').trim();
        if (words.replace(/[^\p{L}]/gu, '').length < 6) continue;
        if (!readme.includes(words)) missing.push(`${t.file}: "${words}"`);
      }
    }
    expect(missing, `not in the README:\n${missing.join('\n')}`).to.deep.equal([]);
  });

  it('the check itself sees a text the README lacks', () => {
    const d = '$'; // the source text of a template literal with two placeholders
    const src = `throw new UploadError(\`${d}{name}: the moon is made of cheese (${d}{n} times)\`);`;
    const at = src.indexOf('`');
    expect(literalParts(src, at).parts.map((p) => p.trim())).to.deep.equal(['', ': the moon is made of cheese (', 'times)']);
    expect(readme.includes('the moon is made of cheese')).to.equal(false);
  });
});
