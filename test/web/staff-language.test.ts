// The staff pages (console, manager's desk, admin pages, the demo's mail inbox) speak Russian by
// default: each page, rendered for a staff user who has chosen no language, shows none of a short
// list of English UI words in its visible text or its labels (placeholder, aria-label, title,
// data-confirm). The same pages for a user who chose English do show them — so the check can fail.
import { expect } from 'chai';
import { inboxRoutes } from '../../src/demo/inbox-routes.ts';
import type { CapturedMail, SmtpCapture } from '../../src/demo/smtp-capture.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { PASSWORD, type StaffFixture, staffFixture } from '../support/staff-fixtures.ts';
import { listen, WebClient } from '../support/web-client.ts';

/** English words of the staff pages' UI; none of them is in the fixtures' data (names, products). */
const ENGLISH = [
  'Sources', 'Settings', 'Clients', 'Users', 'Staff', 'Manager', 'Run', 'Save', 'Delete', 'Publish', 'Link', 'Unlink', 'Invite',
  'Enable', 'Disable', 'Find', 'Kind', 'Title', 'Audience', 'Expires', 'Started', 'Finished', 'Result', 'Received', 'Subject',
  'Inbox', 'Clear', 'Refresh', 'Unread', 'Legal entities', 'Recent orders', 'Reservations', 'Reservation', 'Product', 'Warehouse',
  'State', 'Until', 'Status', 'Total', 'none', 'yet', 'Validation', 'Dry run', 'Data as of', 'hours', 'minutes', 'Name',
];
const WORD = new RegExp(`(?<![\\p{L}])(${ENGLISH.join('|')})(?![\\p{L}])`, 'gu');

/** What a person reads on the page: <main>'s text and labels, without code/pre blocks (data, commands). */
function readableText(html: string): string {
  const main = /<main>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
  const labels = [...main.matchAll(/\s(?:placeholder|aria-label|title|data-confirm)="([^"]*)"/g)].map((m) => m[1]);
  const text = main
    .replace(/<(script|style|code|pre)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&');
  return [text, ...labels].join(' ').replace(/\s+/g, ' ');
}

const englishWords = (html: string): string[] => [...new Set([...readableText(html).matchAll(WORD)].map((m) => m[1]!))];

/** An inbox holding one message (the page needs no SMTP server). */
const MAIL: CapturedMail = {
  id: 1, receivedAt: new Date(), envelopeFrom: 'shop@seller.test', envelopeTo: ['a@alpha.test'], from: 'shop@seller.test', to: 'a@alpha.test',
  subject: 'Заказ принят', text: 'Здравствуйте!', html: '<p>Здравствуйте!</p>', headers: { 'message-id': '<1@seller.test>' }, raw: '',
};
const inbox: SmtpCapture = {
  url: 'smtp://127.0.0.1:2525', port: 2525, messages: () => [MAIL], get: (id) => (id === 1 ? MAIL : undefined),
  waitFor: async () => [MAIL], clear: () => {}, stop: async () => {},
};

describe('web/staff pages: Russian by default, English on request', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StaffFixture;
  let pages: [string, string][];
  const sent: OutgoingMail[] = [];

  before(async () => {
    rt = await testRuntime();
    const services = { checkMapping: async () => ({ ok: true, lines: ['all entities mapped'] }) };
    srv = await listen(createApp(rt, [{ path: '/dev/mail', router: inboxRoutes(inbox, '/dev/mail') }], { mail: { send: async (m) => void sent.push(m) }, console: services }));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'news');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    fx = await staffFixture(rt.db);
    await rt.db('sync_runs').insert({ source_id: fx.sourceId, kind: 'full', mode: 'full', state: 'succeeded', finished_at: new Date(), counts: { products: { received: 3, inserted: 2, updated: 1 } } });
    await rt.db('reservations').insert({ client_id: fx.clients.a, counterparty_id: fx.cp.aHead, offer_id: fx.offers[0], warehouse_id: fx.warehouses.north, quantity: '2', expires_at: new Date(Date.now() + 3_600_000) });
    const [news] = await rt.db('news').insert({ kind: 'sale', title: 'Скидки', body_md: '-20%', audience: { all: true } }).returning('id');
    pages = [
      ['console sources', '/console/sources'],
      ['console news', '/console/news'],
      ['console news form', '/console/news/new'],
      ['console news edit', `/console/news/${news.id}/edit`],
      ['console registrations', '/console/registrations'],
      ['console clients', '/console/clients'],
      ['console client', `/console/clients/${fx.clients.a}`],
      ['console settings', '/console/settings'],
      ['manager desk', '/manager'],
      ['manager client', `/manager/clients/${fx.clients.a}/messages`],
      ['admin clients', '/admin/clients'],
      ['admin client', `/admin/clients/${fx.clients.a}`],
      ['admin reservation settings', '/admin/settings/reservations'],
    ];
  });
  after(() => srv.close());

  const as = async (email: string, lang?: 'en') => {
    await rt.db('users').where({ email }).update({ language: lang ?? null });
    const c = new WebClient(srv.base);
    await c.login(email, PASSWORD);
    return c;
  };

  it('renders every staff page in Russian with no English UI word', async () => {
    const admin = await as(fx.emails.admin);
    for (const [name, path] of pages) {
      const r = await admin.get(path);
      expect(r.status, name).to.equal(200);
      expect(r.text, name).to.contain('<html lang="ru">');
      expect(englishWords(r.text), name).to.deep.equal([]);
    }
    expect((await admin.get(`/manager/clients/${fx.clients.a}/messages`)).text).to.match(/<td class="num">2<\/td><td>действует<\/td>/);
    await admin.get('/admin/settings/reservations');
    const refused = await admin.post('/admin/settings/reservations', { periodHours: '24', maxExtensions: '1.5', warningLeadMinutes: '60' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('Продлений на один резерв: целое число от 0 до 100.');
    // the demo's mail inbox has no session: its language is the cookie's, else the store's
    for (const path of ['/dev/mail', '/dev/mail/1']) {
      const r = await new WebClient(srv.base).get(path);
      expect(r.text, path).to.contain('<html lang="ru">');
      expect(englishWords(r.text), path).to.deep.equal([]);
    }
    const en = await new WebClient(srv.base).get('/dev/mail', { cookie: 'lang=en' });
    expect(englishWords(en.text)).to.include.members(['Received', 'Subject', 'Clear']);
    // the mapping report page (without htmx) and the runs fragment too
    await admin.get('/console/sources');
    const mapping = await admin.post(`/console/sources/${fx.sourceId}/mapping`, { action: 'validate' });
    expect(englishWords(mapping.text), 'mapping').to.deep.equal([]);
    expect(mapping.text).to.contain('Проверка: всё в порядке').and.contain('all entities mapped'); // the report's own lines stay as they are
    const runs = await admin.get('/console/sources/runs', { 'hx-request': 'true' });
    expect(englishWords(runs.text), 'runs').to.deep.equal([]);
    // the run's figures are kept, only their names are translated
    expect(runs.text).to.contain('изменено 1 · новых 2').and.contain('успешно');
  });

  it('shows the same pages in English to a user who chose it — the word list finds them', async () => {
    const admin = await as(fx.emails.admin, 'en');
    try {
      for (const [name, path] of pages) {
        const r = await admin.get(path);
        expect(r.text, name).to.contain('<html lang="en">');
        expect(englishWords(r.text), name).to.not.deep.equal([]);
      }
      const runs = await admin.get('/console/sources/runs', { 'hx-request': 'true' });
      expect((await admin.get(`/manager/clients/${fx.clients.a}/messages`)).text).to.match(/<td class="num">2<\/td><td>active<\/td>/);
      expect(runs.text).to.contain('Run full now').and.contain('updated 1 · inserted 2').and.contain('succeeded');
      await admin.get('/console/news/new');
      const bad = await admin.post('/console/news', { kind: 'news', title: 'x', audience_mode: 'some', price_type_ids: 'abc' });
      expect(bad.status).to.equal(422);
      expect(bad.text).to.contain('&quot;abc&quot; is not an id');
    } finally {
      await rt.db('users').where({ email: fx.emails.admin }).update({ language: null });
    }
  });
});
