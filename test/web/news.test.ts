import { expect } from 'chai';
import { createNews } from '../../src/store/news/news.ts';
import { useWorld } from '../support/world.ts';

describe('web/news: the cabinet feed', () => {
  const w = useWorld({ staff: true, tables: ['news'] });

  it('shows each buyer what is meant for them, with an unread badge, a kind filter and the latest on the home page', async () => {
    await createNews(w.rt.db, { kind: 'news', title: 'Holiday hours', bodyMd: 'Closed on **Monday** <script>x()</script>' });
    await createNews(w.rt.db, { kind: 'sale', title: 'Dealer sale', audience: { priceTypeIds: [w.fx.priceTypes.dealer] } });
    await createNews(w.rt.db, { kind: 'promotion', title: 'For Beta only', audience: { clientIds: [w.fx.clients.b] } });
    await createNews(w.rt.db, { kind: 'promotion', title: 'For Alpha North', audience: { counterpartyIds: [w.fx.cp.aChild] } });

    const a = await w.signIn('a');
    const home = await a.get('/');
    expect(home.text).to.match(/id="news-badge"[^>]*>2</);
    expect(home.text).to.contain('Последние новости').and.contain('Holiday hours').and.contain('Dealer sale');

    const sales = await a.get('/news?kind=sale', { 'hx-request': 'true', 'hx-target': 'news-list' });
    expect(sales.text).to.match(/^<div id="news-list"/);
    expect(sales.text).to.contain('Dealer sale').and.not.contain('Holiday hours');

    const feed = await a.get('/news');
    expect(feed.text).to.contain('<strong>Monday</strong>').and.contain('&lt;script&gt;');
    expect(feed.text).to.contain('>Распродажи</a>').and.contain('<span class="tag">распродажа</span>');
    expect(feed.text).not.to.contain('For Beta only').and.not.contain('For Alpha North');
    expect(feed.text).not.to.contain('id="news-badge"'); // read by viewing the feed
    expect((await a.get('/catalog')).text).not.to.contain('id="news-badge"');

    // switching to the branch counterparty shows what is meant for it
    await a.post('/account/switch', { counterpartyId: String(w.fx.cp.aChild), back: '/news' });
    // the header badge is counted for the new counterparty (read with the session)
    expect((await a.get('/catalog')).text).to.match(/id="news-badge"[^>]*>1</);
    expect((await a.get('/news')).text).to.contain('For Alpha North');

    const b = await w.signIn('b');
    const bFeed = await b.get('/news');
    expect(bFeed.text).to.contain('For Beta only').and.contain('Dealer sale').and.not.contain('For Alpha North');
  });

  it('is for buyers: staff are sent to the console', async () => {
    const admin = await w.signIn('admin');
    expect((await admin.get('/news')).status).to.equal(403);
  });
});
