import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { DomainError } from '../../../src/infra/domain-error.ts';
import { renderMarkdown } from '../../../src/store/news/markdown.ts';
import { buyerBadges } from '../../../src/store/accounts/badges.ts';
import { createNews, type FeedViewer, listFeed, markNewsRead, unreadNewsCount, updateNews } from '../../../src/store/news/news.ts';
import { testRuntime } from '../../support/runtime.ts';
import { makeWorld, type World } from '../../support/store-fixtures.ts';

describe('store: news feed', () => {
  let rt: Runtime;
  let w: World;
  let alpha: FeedViewer;
  let alphaBranchDealer: FeedViewer;
  let beta: FeedViewer;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    w = await makeWorld(rt);
    alpha = { userId: w.users.alphaBuyer.userId, clientId: w.clients.alpha, counterpartyId: w.counterparties.alpha };
    alphaBranchDealer = { ...alpha, counterpartyId: w.counterparties.alphaBranch, contractId: w.contracts.alphaDealer };
    beta = { userId: w.users.betaBuyer.userId, clientId: w.clients.beta, counterpartyId: w.counterparties.beta };
  });

  const titles = async (v: FeedViewer, kind?: 'sale' | 'news') => (await listFeed(rt.db, v, { kind })).map((n) => n.title);

  it('shows each buyer only what is meant for the current counterparty', async () => {
    await createNews(rt.db, { kind: 'news', title: 'For everyone' });
    await createNews(rt.db, { kind: 'promotion', title: 'Dealers only', audience: { priceTypeIds: [w.priceTypes.dealer] } });
    await createNews(rt.db, { kind: 'sale', title: 'Wholesale sale', audience: { priceTypeIds: [w.priceTypes.wholesale] } });
    await createNews(rt.db, { kind: 'news', title: 'Alpha branch', audience: { counterpartyIds: [w.counterparties.alphaBranch] } });
    await createNews(rt.db, { kind: 'news', title: 'Client Beta', audience: { clientIds: [w.clients.beta] } });

    expect(await titles(alpha)).to.have.members(['For everyone', 'Wholesale sale']);
    // the branch buys on a dealer contract: the contract's price type counts too
    expect(await titles(alphaBranchDealer)).to.have.members(['For everyone', 'Dealers only', 'Wholesale sale', 'Alpha branch']);
    expect(await titles(beta)).to.have.members(['For everyone', 'Wholesale sale', 'Client Beta']);
    expect(await titles(beta, 'sale')).to.deep.equal(['Wholesale sale']);
  });

  it('hides drafts and expired items; pinned items come first', async () => {
    const hour = 3600_000;
    await createNews(rt.db, { kind: 'news', title: 'Old', publishAt: new Date(Date.now() - 5 * hour) });
    await createNews(rt.db, { kind: 'news', title: 'Fresh', publishAt: new Date(Date.now() - hour) });
    await createNews(rt.db, { kind: 'news', title: 'Pinned old', pinned: true, publishAt: new Date(Date.now() - 9 * hour) });
    await createNews(rt.db, { kind: 'news', title: 'Tomorrow', publishAt: new Date(Date.now() + 24 * hour) });
    await createNews(rt.db, { kind: 'news', title: 'Expired', publishAt: new Date(Date.now() - 9 * hour), expiresAt: new Date(Date.now() - hour) });
    expect(await titles(alpha)).to.deep.equal(['Pinned old', 'Fresh', 'Old']);
  });

  it('counts unread items per user and marks them read', async () => {
    const a = await createNews(rt.db, { kind: 'news', title: 'One' });
    await createNews(rt.db, { kind: 'news', title: 'Two' });
    await createNews(rt.db, { kind: 'news', title: 'Beta only', audience: { clientIds: [w.clients.beta] } });
    expect(await unreadNewsCount(rt.db, alpha)).to.equal(2);
    await markNewsRead(rt.db, alpha.userId, [a]);
    await markNewsRead(rt.db, alpha.userId, [a]); // idempotent
    expect(await unreadNewsCount(rt.db, alpha)).to.equal(1);
    expect(await unreadNewsCount(rt.db, beta)).to.equal(3);
    // the header reads both badges in one prepared statement: the same counts
    expect(await buyerBadges(rt.db, { ...alpha, clientId: w.clients.alpha })).to.deep.equal({ news: 1, messages: 0 });
    expect(await buyerBadges(rt.db, { ...beta, clientId: w.clients.beta })).to.deep.equal({ news: 3, messages: 0 });
    const feed = await listFeed(rt.db, alpha);
    expect(feed.find((n) => n.id === a)!.unread).to.equal(false);
  });

  it('renders Markdown safely: no raw HTML, no script links', async () => {
    const html = renderMarkdown('**Big** sale <script>alert(1)</script> [click](javascript:alert(1)) ![x](data:image/png;base64,AA) [ok](https://shop.test/a)');
    expect(html).to.contain('<strong>Big</strong>');
    expect(html).to.contain('&lt;script&gt;');
    expect(html).not.to.match(/<script|href="javascript|src="data:/i);
    expect(html).to.contain('<a href="https://shop.test/a" rel="noopener nofollow" target="_blank">ok</a>');
    await createNews(rt.db, { kind: 'markdown', title: 'MD', bodyMd: '# Title\n<img src=x onerror=alert(1)>' });
    const [item] = await listFeed(rt.db, alpha);
    expect(item!.bodyHtml).to.contain('<h1>Title</h1>');
    expect(item!.bodyHtml).not.to.contain('<img');
  });

  it('refuses bad input with a clear message and changes nothing', async () => {
    const bad = async (input: unknown, msg: RegExp) => {
      try {
        await createNews(rt.db, input);
        expect.fail('accepted bad news');
      } catch (e) {
        expect(e).to.be.instanceOf(DomainError);
        expect((e as DomainError).userMessage).to.match(msg);
      }
    };
    await bad({ kind: 'gossip', title: 'x' }, /kind must be one of promotion, news, markdown, sale/);
    await bad({ kind: 'news', title: '  ' }, /title is required/);
    await bad({ kind: 'news', title: 'x', audience: { priceTypeIds: [] } }, /at least one price type/);
    await bad({ kind: 'news', title: 'x', imageUrl: 'javascript:alert(1)' }, /image must be/);
    await bad({ kind: 'news', title: 'x', publishAt: '2026-12-01', expiresAt: '2026-11-01' }, /expiry date must be after/);
    expect(await rt.db('news').count('* as n')).to.deep.equal([{ n: 0 }]);
    const id = await createNews(rt.db, { kind: 'news', title: 'ok' });
    await updateNews(rt.db, id, { kind: 'sale', title: 'changed', audience: { counterpartyIds: [w.counterparties.beta] } });
    expect(await titles(alpha)).to.deep.equal([]);
    expect(await titles(beta)).to.deep.equal(['changed']);
  });
});
