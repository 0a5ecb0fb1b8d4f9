// The cell partials compiled outside Express, so live updates send exactly the markup the
// page was rendered with.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { helpers } from '../helpers.ts';
import { fromRoot } from '../../infra/paths.ts';

const dir = fromRoot('views/partials');
const hbs = Handlebars.create();
for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn as Handlebars.HelperDelegate);

const load = (name: string) => hbs.compile(fs.readFileSync(path.join(dir, `${name}.hbs`), 'utf8'));
export const priceCell = load('price-cell');
export const stockCell = load('stock-cell');

/** One SSE message; data lines may not contain newlines. */
export function sseMessage(event: string, html: string): string {
  return `event: ${event}\ndata: ${html.replace(/\s*\n\s*/g, ' ').trim()}\n\n`;
}
