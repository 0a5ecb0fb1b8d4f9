// The one translator of texts for people (pages, e-mails, PDFs, spreadsheets): i18next over the
// JSON message catalogs in catalogs/<language>/<section>.json beside this file (one file per
// top-level key: a feature adds its own file), with i18next's plural rules (Intl
// plural categories: Russian one/few/many/other, English one/other). The default language is
// the language of STORE_LOCALE (ru-RU → ru); a user's own choice (users.language, the `lang`
// cookie) overrides it. Interpolated values are not escaped here: Handlebars escapes what a
// helper returns, and e-mail text parts and PDFs are not HTML.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { registerCache } from '../caches.ts';
import { config } from '../config.ts';
import { formats } from '../intl.ts';
import { fromRoot } from '../paths.ts';

export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Reads a language's section files; two files with the same top-level key are a mistake. */
function readCatalog(lang: Language): Record<string, unknown> {
  const dir = fromRoot('src/infra/i18n/catalogs', lang);
  const out: Record<string, unknown> = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const section = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(section)) {
      if (key in out) throw new Error(`i18n: section "${key}" of ${lang} is defined twice (${file})`);
      out[key] = value;
    }
  }
  return out;
}

/** The catalogs (also for the completeness test). */
export const CATALOGS: Record<Language, Record<string, unknown>> = { ru: readCatalog('ru'), en: readCatalog('en') };

/** A language's name in itself, for the switcher. */
export const LANGUAGE_NAMES: Record<Language, string> = { ru: 'Русский', en: 'English' };

/** Formatting locales of languages other than the store's own (its own uses STORE_LOCALE). */
const LOCALE_OF: Record<Language, string> = { ru: 'ru-RU', en: 'en-GB' };

export const isLanguage = (v: unknown): v is Language => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

/** The default language: STORE_LOCALE's when the catalogs have it, else Russian. */
export function defaultLanguage(): Language {
  const lang = config().STORE_LOCALE.split('-')[0]!.toLowerCase();
  return isLanguage(lang) ? lang : 'ru';
}

/** A stored or requested language if it is one we have, else the default. */
export const languageOr = (v: unknown): Language => (isLanguage(v) ? v : defaultLanguage());

/** The locale dates, numbers and money are formatted in for a language (STORE_LOCALE for the store's own). */
export function localeOf(lang: Language): string {
  const store = config().STORE_LOCALE;
  return store.split('-')[0]!.toLowerCase() === lang ? store : LOCALE_OF[lang];
}

type I18n = ReturnType<typeof i18next.createInstance>;
// One instance per default language (the configuration may change between test files).
const instances = registerCache('i18n.instances', new Map<Language, I18n>());
const fixed = registerCache('i18n.translators', new Map<string, TFunction>());

function instance(): I18n {
  const lng = defaultLanguage();
  let i = instances.get(lng);
  if (!i) {
    i = i18next.createInstance();
    // initAsync false: the resources are in memory, init is done when it returns.
    void i.init({
      initAsync: false,
      resources: { ru: { translation: CATALOGS.ru }, en: { translation: CATALOGS.en } },
      supportedLngs: [...LANGUAGES],
      lng,
      fallbackLng: lng,
      interpolation: { escapeValue: false },
      returnNull: false,
    });
    // `{{available, qty}}`: a quantity (decimal string) as the language prints it ("2,5", "12 345").
    // `{{unit, unit}}`: a unit of measure as the language writes it ("pcs"/"шт" → «шт.»).
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
    i.services.formatter?.add('qty', (v: unknown, l: string | undefined) => formats(localeOf(languageOr(l))).qty(text(v)));
    i.services.formatter?.add('unit', (v: unknown, l: string | undefined) => formats(localeOf(languageOr(l))).unit(text(v)));
    instances.set(lng, i);
  }
  return i;
}

export type Translate = TFunction;

/** The translator of a language (default: the store's): `t('catalog.count', { count: 5 })` → «5 позиций». */
export function translator(lang?: string | null): Translate {
  const l = languageOr(lang);
  const key = `${defaultLanguage()}|${l}`;
  let f = fixed.get(key);
  if (!f) {
    f = instance().getFixedT(l);
    fixed.set(key, f);
  }
  return f;
}

/**
 * Marks a catalog key kept in code for a view to translate later (`{{t label}}`): the
 * completeness test finds `key('…')`, `t('…')` and the views' `t "…"` and checks both catalogs.
 */
export const key = (k: string): string => k;

/** One text in a language. */
export function t(lang: string | null | undefined, key: string, values?: Record<string, unknown>): string {
  return translator(lang)(key, values ?? {}) as string;
}
