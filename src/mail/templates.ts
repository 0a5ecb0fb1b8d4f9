// E-mail templates: views/mail/NAME.html.hbs and views/mail/NAME.text.hbs. The text template's
// first line is `Subject: …` (a template too), then a blank line, then the body. HTML is escaped
// by Handlebars; the text part and the subject are not HTML, so they are compiled unescaped.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { fromRoot } from '../infra/paths.ts';
import { registerCache } from '../infra/caches.ts';
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
// Dates, quantities and money as the pages print them (src/infra/intl.ts), in the store's time zone.
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
hbs.registerHelper('datetime', (v: unknown) => formats().dateTimeShort(str(v)));
/** The store's time zone's name at that instant ("GMT+3"). */
hbs.registerHelper('zone', (v: unknown) => formats().zoneName(str(v) ?? undefined));
hbs.registerHelper('qty', (v: unknown) => formats().qty(str(v)));
hbs.registerHelper('unitLabel', (v: unknown) => formats().unit(str(v)));
/** {{money amount}} → "1 234,50"; {{money amount currency}} → "1 234,50 ₽". */
hbs.registerHelper('money', (v: unknown, ...rest: unknown[]) => formats().money(str(v), rest.length > 1 ? str(rest[0]) : null));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
// The pages' labels, in the e-mails' language.
hbs.registerHelper('statusLabel', (v: unknown) => orderStatusLabel(v === null || v === undefined ? null : String(v), 'ru'));

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

export function renderMail(name: string, data: object): RenderedMail {
  const t = load(name);
  // One line, no control characters: a subject never carries a header injection.
  const subject = t.subject(data).replace(/[\r\n\t]+/g, ' ').trim();
  return { subject, text: t.text(data), html: t.html(data) };
}
