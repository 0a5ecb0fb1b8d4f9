// E-mail templates: views/mail/NAME.html.hbs and views/mail/NAME.text.hbs. The text template's
// first line is `Subject: …` (a template too), then a blank line, then the body. HTML is escaped
// by Handlebars; the text part and the subject are not HTML, so they are compiled unescaped.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { fromRoot } from '../infra/paths.ts';
import { registerCache } from '../infra/caches.ts';
import { languageOr, localeOf, translator } from '../infra/i18n/index.ts';
import { formats } from '../infra/intl.ts';
import { orderStatusLabel } from '../mirror/order-status-labels.ts';

const dir = fromRoot('views/mail');

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Compiled {
  subject: Handlebars.TemplateDelegate;
  text: Handlebars.TemplateDelegate;
  html: Handlebars.TemplateDelegate;
}

const hbs = Handlebars.create();
// Texts from the catalogs (src/infra/i18n) and dates, quantities and money as the pages print them
// (src/infra/intl.ts), in the recipient's language (`lang` in the data, set by renderMail) and the
// store's time zone.
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
type Root = { lang?: string };
const isOptions = (v: unknown): v is Handlebars.HelperOptions => typeof v === 'object' && v !== null && 'data' in v && 'hash' in v;
const langOf = (o: unknown) => languageOr(isOptions(o) ? (o.data?.root as Root | undefined)?.lang : undefined);
const fmt = (o: unknown) => formats(localeOf(langOf(o)));
const count = (h: Record<string, unknown>) =>
  typeof h.count === 'string' && h.count.trim() !== '' && Number.isFinite(Number(h.count)) ? { ...h, count: Number(h.count) } : h;
hbs.registerHelper('t', (key: unknown, o: unknown) => translator(langOf(o))(String(key), isOptions(o) ? count(o.hash as Record<string, unknown>) : {}));
hbs.registerHelper('datetime', (v: unknown, o: unknown) => fmt(o).dateTimeShort(str(v)));
/** The store's time zone's name at that instant ("GMT+3"). */
/** A calendar day ("2026-12-03") → "03.12.2026". */
hbs.registerHelper('day', (v: unknown, o: unknown) => fmt(o).day(str(v)));
hbs.registerHelper('zone', (v: unknown, o: unknown) => fmt(o).zoneName(str(v) ?? undefined));
hbs.registerHelper('qty', (v: unknown, o: unknown) => fmt(o).qty(str(v)));
hbs.registerHelper('unitLabel', (v: unknown, o: unknown) => fmt(o).unit(str(v)));
/** {{money amount}} → "1 234,50"; {{money amount currency}} → "1 234,50 ₽". */
hbs.registerHelper('money', (v: unknown, ...rest: unknown[]) => fmt(rest.at(-1)).money(str(v), rest.length > 1 ? str(rest[0]) : null));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
/** Joins its arguments: a catalog key built from a code, `(t (concat "mailApproval.state." state))`. */
hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map((a) => (a === null || a === undefined ? '' : String(a))).join(''));
// The pages' labels, in the e-mail's language.
hbs.registerHelper('statusLabel', (v: unknown, o: unknown) => orderStatusLabel(v === null || v === undefined ? null : String(v), langOf(o)));

const cache = registerCache('mail.templates', new Map<string, Compiled>());

export class UnknownTemplateError extends Error {}

function load(name: string): Compiled {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!/^[a-z0-9-]+$/.test(name)) throw new UnknownTemplateError(`bad e-mail template name "${name}"`);
  const htmlFile = path.join(dir, `${name}.html.hbs`);
  const textFile = path.join(dir, `${name}.text.hbs`);
  if (!fs.existsSync(htmlFile) || !fs.existsSync(textFile)) {
    throw new UnknownTemplateError(`e-mail template "${name}" needs views/mail/${name}.html.hbs and ${name}.text.hbs`);
  }
  const rawText = fs.readFileSync(textFile, 'utf8');
  const m = /^Subject:[ \t]*(.*)\r?\n\r?\n?/.exec(rawText);
  if (!m) throw new UnknownTemplateError(`views/mail/${name}.text.hbs must start with a "Subject: …" line`);
  const compiled: Compiled = {
    subject: hbs.compile(m[1]!, { noEscape: true, strict: false }),
    text: hbs.compile(rawText.slice(m[0].length), { noEscape: true }),
    html: hbs.compile(fs.readFileSync(htmlFile, 'utf8')),
  };
  cache.set(name, compiled);
  return compiled;
}

/** Renders a template in a language (the recipient's: src/mail/send.ts; default: the store's). */
export function renderMail(name: string, data: object, lang?: string | null): RenderedMail {
  const t = load(name);
  const d = { ...data, lang: languageOr(lang) };
  // One line, no control characters: a subject never carries a header injection.
  const subject = t.subject(d).replace(/[\r\n\t]+/g, ' ').trim();
  return { subject, text: t.text(d), html: t.html(d) };
}
