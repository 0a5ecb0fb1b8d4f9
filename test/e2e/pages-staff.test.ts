// Headless Chromium walks every manager, console and public page of the demo (test/support/page-walk.ts): axe-core
// finds no serious or critical violation, every field has a label and every select that submits
// on change says so, nothing scrolls sideways at 390 px; screenshots at 1400 and 390 px go to
// test-artifacts/pages/.
import { expect } from 'chai';
import { type PageWorld, pageWorld, walkPages } from '../support/page-walk.ts';

describe('e2e: every manager, console and public page in Chromium — axe-core, labels, screenshots at 1400 and 390 px', function () {
  this.timeout(240_000);
  let w: PageWorld;
  before(async () => {
    w = await pageWorld();
  });
  after(() => w?.close());

  it('manager pages', async () => {
    const problems = await walkPages(w, 'manager@demo.local', [
      ['manager-desk', '/manager'],
      ['manager-conversation', `/manager/clients/${w.ids.client}/messages`],
      ['manager-company', `/manager/clients/${w.ids.client}/company`],
      ['manager-quote', `/quotes/${w.ids.quote}`],
    ]);
    expect(problems).to.deep.equal([]);
  });

  it('console pages', async () => {
    const problems = await walkPages(w, 'admin@demo.local', [
      ['console-sources', '/console/sources'],
      ['console-clients', '/console/clients'],
      ['console-client', `/console/clients/${w.ids.client}`],
      ['console-news', '/console/news'],
      ['console-news-new', '/console/news/new'],
      ['console-news-edit', `/console/news/${w.ids.news}/edit`],
      ['console-registrations', '/console/registrations'],
      ['console-settings', '/console/settings'],
      ['admin-clients', '/admin/clients'],
      ['admin-client', `/admin/clients/${w.ids.client}`],
      ['admin-reservation-settings', '/admin/settings/reservations'],
    ]);
    expect(problems).to.deep.equal([]);
  });

  it('pages before sign-in', async () => {
    const problems = await walkPages(w, null, [
      ['public-home', '/'],
      ['public-login', '/login'],
      ['public-register', '/register'],
      ['public-password-forgot', '/password/forgot'],
    ]);
    expect(problems).to.deep.equal([]);
  });
});
