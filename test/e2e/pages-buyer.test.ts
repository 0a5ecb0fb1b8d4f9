// Headless Chromium walks every buyer page of the demo (test/support/page-walk.ts): axe-core
// finds no serious or critical violation, every field has a label and every select that submits
// on change says so, nothing scrolls sideways at 390 px; screenshots at 1400 and 390 px go to
// test-artifacts/pages/.
import { expect } from 'chai';
import { type PageWorld, pageWorld, walkPages } from '../support/page-walk.ts';

describe('e2e: every buyer page in Chromium — axe-core, labels, screenshots at 1400 and 390 px', function () {
  this.timeout(240_000);
  let w: PageWorld;
  before(async () => {
    w = await pageWorld();
  });
  after(() => w?.close());

  it('buyer pages', async () => {
    const problems = await walkPages(w, 'buyer@demo.local', [
      ['buyer-home', '/'],
      ['buyer-catalog-table', '/catalog?view=table'],
      ['buyer-catalog-list', '/catalog?view=list'],
      ['buyer-catalog-tiles', '/catalog?view=tiles'],
      ['buyer-product', `/product/${w.ids.offer}`],
      ['buyer-cart', '/cart'],
      ['buyer-quick-order', '/cart/quick'],
      ['buyer-carts', '/carts'],
      ['buyer-templates', '/templates'],
      ['buyer-orders', '/orders'],
      ['buyer-approvals', '/approvals'],
      ['buyer-order', `/orders/${w.ids.order}`],
      ['buyer-documents', '/documents'],
      ['buyer-company', '/company'],
      ['buyer-quotes', '/quotes'],
      ['buyer-quote', `/quotes/${w.ids.quote}`],
      ['buyer-reservations', '/reservations'],
      ['buyer-waitlist', '/waitlist'],
      ['buyer-news', '/news'],
      ['buyer-messages', '/messages'],
    ]);
    expect(problems).to.deep.equal([]);
  });
});
