// "Anonymous visitors see only the start and registration pages" (issue 15, item 4), checked on
// every GET route the app has — read from its router, so a route added later is walked too —
// with real ids of the fixture: each one sends a visitor without a session to sign in, except
// the public few named here with the reason they are public. The start page itself shows an
// anonymous visitor no sources, news, prices or demo data beyond the sign-ins.
import { expect } from 'chai';
import type { Express } from 'express';
import { createApp } from '../../src/web/app.ts';
import { useWorld } from '../support/world.ts';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every GET path of the app's routers (mounted sub-apps with a prefix are not routers: none here). */
function getPaths(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route?.methods.get) for (const p of [l.route.path].flat()) out.add(p);
      else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as { router?: { stack: Layer[] } }).router?.stack ?? []);
  return [...out].sort();
}

/** Public on purpose, and what an anonymous visitor gets there. */
const PUBLIC: Record<string, { status: number; why: string }> = {
  '/': { status: 200, why: 'the start page' },
  '/register': { status: 200, why: 'the registration form' },
  '/login': { status: 200, why: 'signing in' },
  '/password/forgot': { status: 200, why: 'a reset link for someone who cannot sign in' },
  '/password/set/:token': { status: 410, why: 'a one-time link (an unknown token is refused)' },
  '/language': { status: 422, why: 'choosing the page language (a cookie); here without one, refused' },
  '/healthz': { status: 200, why: 'liveness for the load balancer; says nothing' },
  '/readyz': { status: 200, why: 'readiness for the load balancer' },
  '/metrics': { status: 200, why: 'loopback or METRICS_TOKEN only (this test calls from loopback)' },
  '/images/:sha': { status: 404, why: 'content-addressed pictures: a hash names only bytes already on a product page' },
  '/images/:sha/:size.webp': { status: 404, why: 'the same, thumbnails' },
};

describe('web/anonymous: without a session every page but the start and registration pages sends to sign-in', () => {
  const w = useWorld({ staff: true, tables: ['orders', 'news'] });

  it('walks every GET route of the app with real ids: public ones as listed, the rest 303 → /login?next=…', async () => {
    const paths = getPaths(createApp(w.rt));
    expect(paths.length, 'the walk finds the routes').to.be.greaterThan(60);
    const ids: Record<string, string> = {
      offerId: String(w.fx.offers[0]), clientId: String(w.fx.clients.a), id: '1', quoteId: '1', messageId: '1', userId: '1',
      token: 'no-such-token', sha: 'a'.repeat(64), size: '160',
    };
    const c = w.anon();
    const seen: string[] = [];
    for (const route of paths) {
      const path = route.replace(/:(\w+)/g, (_m, name: string) => ids[name] ?? '1');
      const r = await c.get(path);
      const pub = PUBLIC[route];
      if (pub) {
        expect(r.status, `${route} (${pub.why})`).to.equal(pub.status);
      } else {
        expect([r.status, r.res.headers.get('location')], route).to.deep.equal([303, `/login?next=${encodeURIComponent(path)}`]);
      }
      seen.push(route);
    }
    for (const route of Object.keys(PUBLIC)) expect(seen, `${route} still exists`).to.include(route);
    for (const route of ['/news', '/catalog', '/product/:offerId', '/pricelist.csv', '/pricelist.xlsx', '/orders/:id/invoice.pdf', '/documents/:id.pdf', '/live/offers']) {
      expect(seen, route).to.include(route);
    }
  });

  it('the start page shows an anonymous visitor the way in (sign in, apply), not the sources nor their sync state', async () => {
    await w.rt.db('news').insert({ title: 'Новость для клиентов', body_md: 'Текст', kind: 'news' });
    const sourceName = 'uchet-golovnoy';
    await w.rt.db('sources').update({ name: sourceName });
    const home = await w.anon().get('/');
    expect(home.text).to.contain('href="/register"').and.contain('href="/login"');
    const main = home.text.slice(home.text.indexOf('<main'), home.text.indexOf('</main>'));
    expect(main).not.to.contain('Новость для клиентов').and.not.to.contain('<table');
    expect(main, 'no source names').not.to.contain(sourceName);
    // signed in, the buyer still sees the freshness of the data
    const buyer = await w.signIn('a');
    expect((await buyer.get('/')).text).to.contain(sourceName);
  });
});
