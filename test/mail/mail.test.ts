import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { expect } from 'chai';
import { mailSendJob } from '../../jobs/mail-send.ts';
import { inboxRoutes } from '../../src/demo/inbox-routes.ts';
import { enqueueMail, renderMail, sendMail, sentMarkerKey } from '../../src/mail/index.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { resetQueues } from '../support/queues.ts';
import { testRuntime } from '../support/runtime.ts';
import { until, waitSettled } from '../support/wait.ts';
import { type SmtpCapture, startTestSmtp } from '../support/smtp-capture.ts';

const waitlistData = {
  userName: 'Анна <script>',
  item: { name: 'Болт М8×40 «оцинк.»', sku: 'B-840', unit: 'шт' },
  warehouse: { name: 'Склад Москва' },
  quantity: '120',
  price: { value: '12.50', currency: 'RUB' },
  link: 'http://127.0.0.1:3000/product/7',
  waitlistLink: 'http://127.0.0.1:3000/waitlist',
};

describe('mail: templates, SMTP, mail.send job, inbox', () => {
  let rt: Runtime;
  let smtp: SmtpCapture;
  let workers: Worker[] = [];

  before(async () => {
    rt = await testRuntime();
    smtp = await startTestSmtp(rt);
  });
  after(async () => {
    for (const w of workers) await w.close();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  it('renders subject, text and HTML; escapes HTML, not the text part', () => {
    const m = renderMail('waitlist-available', waitlistData);
    expect(m.subject).to.equal('Поступление: Болт М8×40 «оцинк.» — 120 шт. на складе «Склад Москва»');
    expect(m.text).to.contain('Ваша цена: 12,50\u00a0₽'); // as the pages print money (src/infra/intl.ts)
    expect(m.text).to.contain('Здравствуйте, Анна <script>!');
    expect(m.html).to.contain('Анна &lt;script&gt;');
    expect(m.html).not.to.contain('<script>');
  });

  it('renders in the recipient language: English texts, English plural and number formats; the same data', () => {
    const m = renderMail('waitlist-available', waitlistData, 'en');
    expect(m.subject).to.equal('Arrived: Болт М8×40 «оцинк.» — 120 pcs at “Склад Москва”');
    expect(m.text).to.contain('Hello, Анна <script>!').and.contain('Warehouse: Склад Москва').and.match(/Your price: .*12\.50/);
    expect(m.html).to.contain('<html lang="en">').and.contain('Анна &lt;script&gt;');
    expect(renderMail('waitlist-available', waitlistData, 'xx').subject).to.match(/^Поступление:/); // unknown: the default
  });

  it('sends a user the mail in their stored language, anyone else in the default', async () => {
    await rt.db('users').insert({ email: 'english.reader@example.test', role: 'manager', name: 'Reader', language: 'en' });
    await sendMail(rt, { to: 'English.Reader@example.test', template: 'waitlist-available', data: waitlistData });
    await sendMail(rt, { to: 'someone@example.test', template: 'waitlist-available', data: waitlistData });
    const got = await smtp.waitFor(2);
    const subjects = got.map((m) => m.subject).sort();
    expect(subjects[0]).to.match(/^Arrived: /);
    expect(subjects[1]).to.match(/^Поступление: /);
  });

  it('refuses an unknown template with a clear message', () => {
    expect(() => renderMail('no-such', {})).to.throw(/views\/mail\/no-such\.html\.hbs/);
  });

  it('sends through real SMTP: Cyrillic subject, text and HTML parts arrive intact', async () => {
    const sent = await sendMail(rt, { to: 'buyer@example.test', template: 'waitlist-available', data: waitlistData });
    expect(sent.accepted).to.deep.equal(['buyer@example.test']);
    const [m] = await smtp.waitFor(1);
    expect(m!.subject).to.equal('Поступление: Болт М8×40 «оцинк.» — 120 шт. на складе «Склад Москва»');
    expect(m!.envelopeTo).to.deep.equal(['buyer@example.test']);
    expect(m!.text).to.contain('Склад: Склад Москва');
    expect(m!.html).to.contain('<a href="http://127.0.0.1:3000/product/7">');
    expect(m!.raw).to.match(/^Subject: =\?UTF-8\?/m); // encoded-word: safe for any SMTP hop
  });

  it('mail.send job delivers a keyed mail once, even when enqueued twice or re-run', async () => {
    await resetQueues(rt); // mail other test files left queued must not land in this inbox
    workers = await startWorkers(rt, [mailSendJob]);
    const mail = { to: 'once@example.test', template: 'waitlist-available', data: waitlistData, key: 'test-once-1' };
    await enqueueMail(rt, mail);
    await enqueueMail(rt, mail);
    await smtp.waitFor(1);
    await until(() => rt.redis.get(sentMarkerKey(rt, 'test-once-1')), 'the sent marker');
    // A retry of the same job after the send (e.g. the worker died before completing it).
    const again = await mailSendJob.process(rt, { data: mail } as never);
    expect(again).to.deep.equal({ skipped: 'already sent' });
    await waitSettled(rt, { what: 'both enqueued copies to be processed' });
    const mine = smtp.messages().filter((m) => m.envelopeTo.includes('once@example.test'));
    expect(mine).to.have.length(1);
    expect(mine[0]!.headers['x-counterpart-key']).to.equal('test-once-1');
  });

  it('the inbox page lists captured mail and shows one message with its parts', async () => {
    await sendMail(rt, { to: 'inbox@example.test', template: 'waitlist-available', data: waitlistData });
    const [m] = await smtp.waitFor(1);
    const app = createApp(rt, [{ path: '/dev/mail', router: inboxRoutes(smtp, '/dev/mail'), link: 'Mail inbox' }]);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const home = await (await fetch(`${base}/`)).text();
      expect(home).to.contain('href="/dev/mail"');
      const list = await (await fetch(`${base}/dev/mail`)).text();
      expect(list).to.contain('inbox@example.test');
      expect(list).to.contain(`href="/dev/mail/${m!.id}"`);
      const one = await (await fetch(`${base}/dev/mail/${m!.id}`)).text();
      expect(one).to.contain('Поступление: Болт М8×40');
      expect(one).to.match(/<iframe sandbox [^>]*srcdoc="&lt;!doctype html&gt;/);
      expect((await fetch(`${base}/dev/mail/99999`)).status).to.equal(404);
    } finally {
      server.close();
    }
  });
});
