// Handlebars helpers shared by every template. All return escaped text.
const dateTime = new Intl.DateTimeFormat('ru-RU', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Moscow' });

export const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  /** "as of" stamps: dd.mm.yyyy, hh:mm:ss Moscow time. */
  datetime: (v: unknown) => (v ? dateTime.format(new Date(String(v))) : '—'),
  json: (v: unknown) => JSON.stringify(v),
};
