import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createNews } from '../../src/store/news/news.ts';
import { createApp } from '../../src/web/app.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { PASSWORD, type StaffFixture, staffFixture } from '../support/staff-fixtures.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('web/news: the cabinet feed', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StaffFixture;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'news');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    fx = await staffFixture(rt.db);
  });

  it('shows each buyer what is meant for them, with an unread badge, a kind filter and the latest on the home page', async () => {
    await createNews(rt.db, { kind: 'news', title: 'Holiday hours', bodyMd: 'Closed on **Monday** <script>x()</script>' });
    await createNews(rt.db, { kind: 'sale', title: 'Dealer sale', audience: { priceTypeIds: [fx.priceTypes.dealer] } });
    await createNews(rt.db, { kind: 'promotion', title: 'For Beta only', audience: { clientIds: [fx.clients.b] } });
    await createNews(rt.db, { kind: 'promotion', title: 'For Alpha North', audience: { counterpartyIds: [fx.cp.aChild] } });

    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    const home = await a.get('/');
    expect(home.text).to.match(/id="news-badge"[^>]*>2</);
    expect(home.text).to.contain('Latest news').and.contain('Holiday hours').and.contain('Dealer sale');

    const sales = await a.get('/news?kind=sale', { 'hx-request': 'true', 'hx-target': 'news-list' });
    expect(sales.text).to.match(/^<div id="news-list"/);
    expect(sales.text).to.contain('Dealer sale').and.not.contain('Holiday hours');

    const feed = await a.get('/news');
    expect(feed.text).to.contain('<strong>Monday</strong>').and.contain('&lt;script&gt;');
    expect(feed.text).not.to.contain('For Beta only').and.not.contain('For Alpha North');
    expect(feed.text).not.to.contain('id="news-badge"'); // read by viewing the feed
    expect((await a.get('/catalog')).text).not.to.contain('id="news-badge"');

    // switching to the branch counterparty shows what is meant for it
    await a.post('/account/switch', { counterpartyId: String(fx.cp.aChild), back: '/news' });
    // the header badge is counted for the new counterparty (read with the session)
    expect((await a.get('/catalog')).text).to.match(/id="news-badge"[^>]*>1</);
    expect((await a.get('/news')).text).to.contain('For Alpha North');

    const b = new WebClient(srv.base);
    await b.login(fx.emails.b, PASSWORD);
    const bFeed = await b.get('/news');
    expect(bFeed.text).to.contain('For Beta only').and.contain('Dealer sale').and.not.contain('For Alpha North');
  });

  it('is for buyers: staff are sent to the console', async () => {
    const admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
    expect((await admin.get('/news')).status).to.equal(403);
  });
});
