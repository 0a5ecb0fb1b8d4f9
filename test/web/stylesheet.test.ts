// public/app.css is built on design tokens: every colour is a custom property declared in :root,
// rules use var(--…); no selector depends on column order (nth-child / nth-of-type), which breaks
// as soon as a column is added (a warehouse, a price type).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const css = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/app.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
const COLOUR = /#[0-9a-f]{3,8}\b|\b(?:rgb|rgba|hsl|hsla|oklch)\(|(?<![\w-])(?:white|black|red|green|blue|gray|grey)(?![\w-])/gi;

/** The rule blocks of the sheet as [selector, body], at-rules unwrapped. */
function rules(text: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^{}]+)\{([^{}]*)\}/g;
  for (const m of text.matchAll(re)) out.push([m[1]!.replace(/@media[^{]*\{/, '').trim(), m[2]!]);
  return out;
}

describe('web/stylesheet: one sheet on design tokens', () => {
  it('declares its colours once, in :root, and uses only tokens elsewhere', () => {
    const all = rules(css);
    const root = all.filter(([sel]) => sel === ':root');
    expect(root.length, 'a :root block').to.be.greaterThan(0);
    expect(root[0]![1].match(COLOUR)?.length ?? 0, 'colour tokens in :root').to.be.greaterThan(10);
    const literal = all.filter(([sel]) => sel !== ':root').flatMap(([sel, body]) => (body.match(COLOUR) ?? []).map((c) => `${sel} → ${c}`));
    expect(literal).to.deep.equal([]);
    const used = new Set([...css.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]));
    const declared = new Set([...root.map(([, b]) => b).join('').matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1]));
    expect([...used].filter((v) => !declared.has(v)), 'tokens used but never declared').to.deep.equal([]);
  });

  it('has a visible focus style and no selector tied to column order', () => {
    expect(css).to.match(/:focus-visible\s*\{[^}]*outline:\s*var\(--focus-ring\)/);
    expect(css).to.not.match(/nth-(?:child|of-type|last-child)/);
  });
});
