import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { PASSWORD, type StaffFixture, staffFixture } from '../support/staff-fixtures.ts';
import { listen, WebClient } from '../support/web-client.ts';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

/** Reads SSE events from a stream until `want` named events arrived. */
async function sseEvents(c: WebClient, path: string, want: number, act: () => Promise<unknown>, waitMs = 5000): Promise<string[]> {
  const ctrl = new AbortController();
  const res = await fetch(c.base + path, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, signal: ctrl.signal });
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const events: string[] = [];
  let buf = '';
  await reader.read(); // the "retry:" preamble: the subscription is in place once the stream answers
  await new Promise((r) => setTimeout(r, 50));
  await act();
  const deadline = Date.now() + waitMs;
  const timeout = setTimeout(() => ctrl.abort(), waitMs);
  while (events.length < want && Date.now() < deadline) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done || !value) break;
    buf += Buffer.from(value).toString();
    for (const m of buf.matchAll(/event: (\w+)\n/g)) events.push(m[1]!);
    buf = buf.slice(buf.lastIndexOf('\n\n') + 2);
  }
  clearTimeout(timeout);
  ctrl.abort();
  return events;
}

describe('web/messages: buyer ↔ manager threads', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StaffFixture;
  const as = async (email: string) => {
    const c = new WebClient(srv.base);
    await c.login(email, PASSWORD);
    return c;
  };

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'messages', 'news');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    fx = await staffFixture(rt.db);
  });

  it('shows the buyer the manager card and their own thread only', async () => {
    const a = await as(fx.emails.a);
    const b = await as(fx.emails.b);
    await b.get('/messages');
    await b.post('/messages', { body: 'Beta private question' });
    const page = await a.get('/messages');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Ivan Ivanov').and.contain('+7 900 000-00-01').and.contain('https://t.me/ivanov').and.contain('Mon–Fri 9:00–18:00');
    expect(page.text).not.to.contain('Beta private question');
    // a buyer cannot reach the staff side of any thread
    expect((await a.get(`/manager/clients/${fx.clients.b}/messages`)).status).to.equal(403);
    expect((await a.get(`/manager/clients/${fx.clients.b}/messages/thread`)).status).to.equal(403);
    expect((await a.get('/manager')).status).to.equal(403);
  });

  it('lets a manager read and answer only their clients’ threads', async () => {
    const a = await as(fx.emails.a);
    await a.get('/messages');
    expect((await a.post('/messages', { body: 'Need <b>10</b> pallets' })).status).to.equal(303);
    const ivanov = await as(fx.staffEmails.ivanov);
    const petrova = await as(fx.staffEmails.petrova);
    const list = await ivanov.get('/manager');
    expect(list.text).to.contain('Alpha LLC').and.contain('data-unread="1"');
    expect(list.text).not.to.contain('Beta JSC');
    for (const p of ['', '/thread', '/events']) expect((await petrova.get(`/manager/clients/${fx.clients.a}/messages${p}`)).status, p).to.equal(404);
    expect((await petrova.post(`/manager/clients/${fx.clients.a}/messages`, { body: 'hi' })).status).to.equal(404);

    const thread = await ivanov.get(`/manager/clients/${fx.clients.a}/messages`);
    expect(thread.text).to.contain('Need &lt;b&gt;10&lt;/b&gt; pallets').and.contain('Recent orders').and.contain('Reservations');
    expect((await ivanov.get('/manager')).text).not.to.contain('data-unread');
    const reply = await ivanov.post(`/manager/clients/${fx.clients.a}/messages`, { body: 'Will ship tomorrow' }, { headers: { 'hx-request': 'true' } });
    expect(reply.status).to.equal(200);
    expect(reply.text).to.match(/^<div id="thread"/);
    expect(reply.text).to.contain('Will ship tomorrow');
    const home = await a.get('/catalog');
    expect(home.text).to.match(/id="messages-badge"[^>]*>1</);
    const mine = await a.get('/messages');
    expect(mine.text).to.contain('Will ship tomorrow').and.contain('class="read"'); // the manager read the question
  });

  it('sends multipart attachments through the CSRF check and serves them only inside the thread', async () => {
    const a = await as(fx.emails.a);
    await a.get('/messages');
    const form = new FormData();
    form.set('_csrf', a.csrf);
    form.set('body', 'invoice attached');
    form.set('file', new Blob([PDF], { type: 'application/pdf' }), 'invoice.pdf');
    const cookie = [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${srv.base}/messages`, { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
    expect(res.status).to.equal(303);
    const msg = await rt.db('messages').first('id', 'attachment');
    expect(msg!.attachment.name).to.equal('invoice.pdf');
    const dl = await fetch(`${srv.base}/messages/attachments/${msg!.id}`, { headers: { cookie } });
    expect(dl.status).to.equal(200);
    expect(dl.headers.get('content-disposition')).to.match(/^attachment; filename="?invoice\.pdf"?$/);
    expect(dl.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(Buffer.from(await dl.arrayBuffer()).equals(PDF)).to.equal(true);
    const b = await as(fx.emails.b);
    expect((await b.get(`/messages/attachments/${msg!.id}`)).status).to.equal(404);
    const ivanov = await as(fx.staffEmails.ivanov);
    expect((await ivanov.get(`/manager/clients/${fx.clients.a}/messages/attachments/${msg!.id}`)).status).to.equal(200);
    expect((await ivanov.get(`/manager/clients/${fx.clients.b}/messages/attachments/${msg!.id}`)).status).to.equal(404);

    const bad = new FormData();
    bad.set('body', 'virus');
    bad.set('file', new Blob([Buffer.from('MZ')]), 'tool.exe');
    const refused = await fetch(`${srv.base}/messages`, { method: 'POST', body: bad, headers: { cookie, 'x-csrf-token': a.csrf, 'hx-request': 'true' } });
    expect(refused.status).to.equal(422);
    expect(refused.headers.get('hx-retarget')).to.equal('#message-error');
    expect(await refused.text()).to.contain('Files of type &quot;.exe&quot; cannot be attached');
    const noToken = await fetch(`${srv.base}/messages`, { method: 'POST', body: form, headers: { cookie: cookie }, redirect: 'manual' });
    expect(noToken.status).to.equal(303); // the form's own token
    form.set('_csrf', 'forged');
    expect((await fetch(`${srv.base}/messages`, { method: 'POST', body: form, headers: { cookie } })).status).to.equal(403);
  });

  it('streams "message" events to the other side over SSE', async () => {
    const a = await as(fx.emails.a);
    const ivanov = await as(fx.staffEmails.ivanov);
    await ivanov.get(`/manager/clients/${fx.clients.a}/messages`);
    await a.get('/messages');
    const events = await sseEvents(ivanov, `/manager/clients/${fx.clients.a}/messages/events`, 1, () => a.post('/messages', { body: 'Are you there?' }));
    expect(events).to.deep.equal(['message']);
    const back = await sseEvents(a, '/messages/events', 1, () => ivanov.post(`/manager/clients/${fx.clients.a}/messages`, { body: 'Yes' }));
    expect(back[0]).to.equal('message');
  });

  it('streams the desk events of a manager’s own clients only', async () => {
    const a = await as(fx.emails.a);
    const ivanov = await as(fx.staffEmails.ivanov);
    const petrova = await as(fx.staffEmails.petrova);
    await a.get('/messages');
    expect(await sseEvents(ivanov, '/manager/events', 1, () => a.post('/messages', { body: 'for Ivanov' }))).to.deep.equal(['message']);
    expect(await sseEvents(petrova, '/manager/events', 1, () => a.post('/messages', { body: 'still for Ivanov' }), 700)).to.deep.equal([]);
    const desk = await ivanov.get('/manager', { 'hx-request': 'true', 'hx-target': 'managed-clients' });
    expect(desk.text).to.match(/^<table class="dense" id="managed-clients">/);
    expect(desk.text).to.contain('data-unread="2"');
  });
});
