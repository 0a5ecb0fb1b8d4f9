// The buyer's pages speak the page's language: each page rendered in Russian (the default) has
// none of a short list of English UI words in its title and main part (texts, and the labels
// a screen reader or a tooltip reads: aria-label, placeholder, title, confirmations); the same
// pages in English (the `lang` cookie, or users.language) do have them — so the check can fail.
import { expect } from 'chai';
import { storeToday } from '../../src/store/arrivals/arrivals.ts';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

/** English UI words none of the fixture's data (product, warehouse, company names) contains. */
const ENGLISH = /\b(Extend|Reserved|Reservations?|Save|Delete|Remove|Rename|Download|Sign in|Password|Cancel|Approve|Reject|Invite|Employees?|Comment|Quantity|Price|Status|Templates?|Documents?|Warehouse|Role|Limit|Welcome|Reset|Choose|Show|Select|Total|Amount|Created|Valid until|Sources|never|stale|until|Back|Error|not found|Request|Name|Phone|Send|Lines?|Parked|Current|Ask|link)\b/;

/** The page's title and <main>: its text and the attribute texts people read or hear. */
function readable(html: string): string {
  const title = /<title>([\s\S]*?)<\/title>/.exec(html)?.[1] ?? '';
  const main = html.slice(html.indexOf('<main>'), html.indexOf('</main>'));
  const attrs = [...main.matchAll(/\b(?:aria-label|placeholder|title|data-confirm|hx-confirm)="([^"]*)"/g)].map((m) => m[1]);
  const text = main.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ');
  return [title, text, ...attrs].join(' ').replace(/&[a-z]+;|&#\d+;/g, ' ').replace(/\s+/g, ' ');
}

const day = (n: number) => {
  const d = new Date(`${storeToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

describe('web/pages in the page language: no English left on the Russian buyer pages, English on request', () => {
  const w = useWorld({ staff: true, tables: ['orders', 'outbox', 'reservations'] });

  /** A buyer with something on every page: an invited employee, a template, a draft, a quote, a reservation. */
  async function furnished(): Promise<{ a: WebClient; pages: string[] }> {
    const a = await w.signIn('a');
    await a.get('/company');
    expect((await a.post('/company/invite', { email: 'olga@alpha.test', name: 'Ольга', companyRole: 'buyer', scope: 'all' })).status).to.equal(303);
    await a.post('/cart/add', { offerId: String(w.fx.offers[1]), qty: '2' });
    await a.get('/templates');
    const t = await a.post('/templates', { name: 'Понедельник' });
    expect(t.status).to.equal(303);
    await a.get('/cart');
    const q = await a.post('/quotes', { desiredDate: day(5), comment: 'Срочно' });
    expect(q.status).to.equal(303);
    await a.get('/carts');
    expect((await a.post('/carts', { name: 'Объект' })).status).to.equal(303);
    const r = await a.post('/reservations', { offerId: String(w.fx.offers[1]), warehouseId: String(w.fx.warehouses.main), quantity: '1', back: '/reservations' });
    expect(r.status).to.equal(303);
    const pages = ['/', '/company', '/approvals', '/quotes', q.location!, '/documents', '/carts', '/templates', t.location!, '/reservations', '/no-such-page'];
    return { a, pages };
  }
  const ANON_PAGES = ['/login', '/password/forgot', '/register', '/password/set/not-a-token'];

  const leftovers = async (c: WebClient, paths: string[]) => {
    const out: string[] = [];
    for (const p of paths) {
      const page = await c.get(p);
      expect(page.status, p).to.be.oneOf([200, 404, 410]);
      const m = ENGLISH.exec(readable(page.text));
      if (m) out.push(`${p}: "${m[0]}" in …${readable(page.text).slice(Math.max(0, m.index - 40), m.index + 40)}…`);
    }
    return out;
  };

  it('Russian by default: every buyer page and the sign-in pages without a word of the English list', async () => {
    const { a, pages } = await furnished();
    expect(await leftovers(a, pages)).to.deep.equal([]);
    expect((await a.get('/reservations')).text).to.contain('<html lang="ru">').and.contain('Продлить');
    expect(await leftovers(w.anon(), ANON_PAGES)).to.deep.equal([]);
  });

  it('English for whoever chose it (the cookie, or users.language): the same pages do show the English words', async () => {
    const { a, pages } = await furnished();
    a.cookies.set('lang', 'en');
    const found = await leftovers(a, pages);
    expect(found.map((f) => f.split(':')[0]), found.join('\n')).to.deep.equal(pages);
    a.cookies.delete('lang');
    await w.rt.db('users').where({ id: w.fx.users.a }).update({ language: 'en' });
    const res = await a.get('/reservations');
    expect(res.text).to.contain('<html lang="en">').and.contain('>Extend</button>').and.contain('<h1>My reservations</h1>');
    const anon = w.anon();
    anon.cookies.set('lang', 'en');
    const anonFound = await leftovers(anon, ANON_PAGES);
    expect(anonFound.map((f) => f.split(':')[0]), anonFound.join('\n')).to.deep.equal(ANON_PAGES);
  });
});
