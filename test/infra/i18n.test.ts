// The message catalogs (src/infra/i18n): i18next's plural rules in Russian and English, the
// default language from STORE_LOCALE, the Handlebars helper in the page's language, and
// completeness: both catalogs hold the same keys (every plural category of each language) and
// every key a view or the code names.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Handlebars from 'handlebars';
import { resetCaches } from '../../src/infra/caches.ts';
import { resetConfigForTests } from '../../src/infra/config.ts';
import { CATALOGS, defaultLanguage, LANGUAGES, type Language, languageOr, localeOf, t, translator } from '../../src/infra/i18n/index.ts';
import { repoRoot } from '../../src/infra/paths.ts';
import { helpers } from '../../src/web/helpers.ts';

/** Every key of a catalog, flattened ("catalog.sort.name", "catalog.count_one" …). */
function flatKeys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? flatKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const categories = (lang: Language) => new Intl.PluralRules(lang).resolvedOptions().pluralCategories as string[];

/** The keys a language can answer: plain keys and plural bases (when every category of the language is there). */
function answerable(lang: Language): Set<string> {
  const keys = flatKeys(CATALOGS[lang]);
  const out = new Set(keys.filter((k) => !PLURAL.test(k)));
  for (const base of new Set(keys.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')))) {
    if (categories(lang).every((c) => keys.includes(`${base}_${c}`))) out.add(base);
  }
  return out;
}

function filesUnder(dir: string, ext: string[]): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, ext) : ext.some((x) => e.name.endsWith(x)) ? [p] : [];
  });
}

/** Keys named literally: `{{t "k"` / `(t "k"` in views, `t('k'`, `tr('k'`, `key('k')` in code. */
function usedKeys(): Map<string, string> {
  const used = new Map<string, string>();
  for (const f of filesUnder(path.join(repoRoot, 'views'), ['.hbs'])) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/[{(]t\s+"([^"]+)"/g)) used.set(m[1]!, path.relative(repoRoot, f));
  }
  for (const dir of ['src', 'jobs']) {
    for (const f of filesUnder(path.join(repoRoot, dir), ['.ts'])) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/\b(?:t|tr|key)\(\s*'([a-z][\w]*(?:\.[\w]+)+)'/g)) used.set(m[1]!, path.relative(repoRoot, f));
    }
  }
  return used;
}

describe('infra/i18n: message catalogs with plural rules', () => {
  const saved = process.env.STORE_LOCALE;
  const setLocale = (v: string | undefined) => {
    if (v === undefined) delete process.env.STORE_LOCALE;
    else process.env.STORE_LOCALE = v;
    resetConfigForTests();
    resetCaches();
  };
  afterEach(() => setLocale(saved));

  it('counts in Russian with one/few/many and in English with one/other', () => {
    const ru = translator('ru');
    expect([1, 2, 5, 11, 21, 22, 25, 104].map((count) => ru('catalog.count', { count }))).to.deep.equal([
      '1 позиция',
      '2 позиции',
      '5 позиций',
      '11 позиций',
      '21 позиция',
      '22 позиции',
      '25 позиций',
      '104 позиции',
    ]);
    expect([1, 2, 5].map((count) => t('en', 'catalog.count', { count }))).to.deep.equal(['1 item', '2 items', '5 items']);
    expect(t('ru', 'pagination.pageOf', { page: 2, pages: 7 })).to.equal('Страница 2 из 7');
    expect(t('en', 'pagination.pageOf', { page: 2, pages: 7 })).to.equal('Page 2 of 7');
  });

  it('defaults to the language of STORE_LOCALE (Russian when the catalogs do not have it); an unknown choice falls back to it', () => {
    setLocale(undefined);
    expect(defaultLanguage()).to.equal('ru');
    expect(t(null, 'catalog.sort.stock')).to.equal('Остаток');
    expect(languageOr('de')).to.equal('ru');
    expect([localeOf('ru'), localeOf('en')]).to.deep.equal(['ru-RU', 'en-GB']);
    setLocale('en-US');
    expect(defaultLanguage()).to.equal('en');
    expect(t(undefined, 'catalog.sort.stock')).to.equal('Stock');
    expect(localeOf('en')).to.equal('en-US');
    setLocale('de-DE');
    expect(defaultLanguage()).to.equal('ru');
  });

  it('the Handlebars helper t speaks the page language, interpolates, takes a database count as text, and escapes', () => {
    const hbs = Handlebars.create();
    hbs.registerHelper(helpers);
    const render = (src: string, data: Record<string, unknown>) => hbs.compile(src)(data);
    expect(render('{{t "catalog.count" count=n}}', { lang: 'ru', n: '5' })).to.equal('5 позиций');
    expect(render('{{t "catalog.count" count=n}}', { lang: 'en', n: 1 })).to.equal('1 item');
    expect(render('{{t "catalog.count" count=n}}', { n: 3 })).to.equal('3 позиции'); // no lang: the default
    expect(render('{{#each xs}}{{t "catalog.count" count=this}} {{/each}}', { lang: 'en', xs: [1, 2] })).to.equal('1 item 2 items ');
    expect(render('<a title="{{t "common.asOf" when=w}}">', { lang: 'ru', w: '<b>"x"</b>' })).to.equal(
      '<a title="Цены и остатки на &lt;b&gt;&quot;x&quot;&lt;/b&gt;">',
    );
  });

  it('both catalogs hold the same keys, with every plural category of their language', () => {
    const sets = LANGUAGES.map((l) => answerable(l));
    const [ru, en] = sets as [Set<string>, Set<string>];
    expect([...ru].filter((k) => !en.has(k)), 'in the ru catalog, not in en').to.deep.equal([]);
    expect([...en].filter((k) => !ru.has(k)), 'in the en catalog, not in ru').to.deep.equal([]);
    for (const lang of LANGUAGES) {
      const keys = flatKeys(CATALOGS[lang]);
      const bases = new Set(keys.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
      const incomplete = [...bases].filter((b) => !categories(lang).every((c) => keys.includes(`${b}_${c}`)));
      expect(incomplete, `${lang}: plural keys missing a category of ${categories(lang).join('/')}`).to.deep.equal([]);
    }
  });

  it('every key a view or the code names is in both catalogs', () => {
    const used = usedKeys();
    expect(used.size).to.be.greaterThan(10);
    for (const lang of LANGUAGES) {
      const have = answerable(lang);
      const missing = [...used].filter(([k]) => !have.has(k)).map(([k, f]) => `${k} (${f})`);
      expect(missing, `missing in ${lang}.json`).to.deep.equal([]);
    }
  });

  it('the completeness check can fail: a key no catalog has is reported', () => {
    expect(answerable('ru').has('catalog.noSuchKey')).to.equal(false);
    expect(answerable('ru').has('catalog.count')).to.equal(true);
    expect(t('ru', 'catalog.noSuchKey')).to.equal('catalog.noSuchKey');
  });
});
