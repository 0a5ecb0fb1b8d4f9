import { expect } from 'chai';
import { createUser } from '../../src/store/accounts/users.ts';
import { PASSWORD } from '../support/mirror-fixtures.ts';
import { type SseMessage, SseStream } from '../support/sse.ts';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

/** Opens an SSE stream (answered once the hub listens), acts, and waits for `want` named events. */
async function sseEvents(c: WebClient, path: string, want: number, act: () => Promise<unknown>): Promise<SseMessage[]> {
  const stream = await SseStream.open(c, path);
  expect(stream.res.status).to.equal(200);
  expect(stream.res.headers.get('content-type')).to.match(/^text\/event-stream/);
  try {
    await act();
    return [...(await stream.waitFor((m) => m.length >= want, `${want} event(s) on ${path}`))];
  } finally {
    await stream.close();
  }
}

describe('web/messages: buyer ↔ manager threads', () => {
  const w = useWorld({ staff: true, tables: ['messages', 'news'] });

  it('shows the buyer the manager card and their own thread only', async () => {
    const a = await w.signIn('a');
    const b = await w.signIn('b');
    await b.get('/messages');
    await b.post('/messages', { body: 'Beta private question' });
    const page = await a.get('/messages');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Ivan Ivanov').and.contain('+7 900 000-00-01').and.contain('https://t.me/ivanov').and.contain('Mon–Fri 9:00–18:00');
    expect(page.text).to.contain('<h1>Сообщения</h1>').and.contain('>Отправить</button>').and.contain('Сообщений пока нет.');
    expect(page.text).not.to.contain('Beta private question');
    // a buyer cannot reach the staff side of any thread
    expect((await a.get(`/manager/clients/${w.fx.clients.b}/messages`)).status).to.equal(403);
    expect((await a.get(`/manager/clients/${w.fx.clients.b}/messages/thread`)).status).to.equal(403);
    expect((await a.get('/manager')).status).to.equal(403);
  });

  it('lets a manager read and answer only their clients’ threads', async () => {
    const a = await w.signIn('a');
    await a.get('/messages');
    expect((await a.post('/messages', { body: 'Need <b>10</b> pallets' })).status).to.equal(303);
    const ivanov = await w.signIn('ivanov');
    const petrova = await w.signIn('petrova');
    const list = await ivanov.get('/manager');
    expect(list.text).to.contain('Alpha LLC').and.contain('data-unread="1"');
    expect(list.text).not.to.contain('Beta JSC');
    for (const p of ['', '/thread', '/events']) expect((await petrova.get(`/manager/clients/${w.fx.clients.a}/messages${p}`)).status, p).to.equal(404);
    expect((await petrova.post(`/manager/clients/${w.fx.clients.a}/messages`, { body: 'hi' })).status).to.equal(404);

    const thread = await ivanov.get(`/manager/clients/${w.fx.clients.a}/messages`);
    expect(thread.text).to.contain('Need &lt;b&gt;10&lt;/b&gt; pallets').and.contain('Последние заказы').and.contain('Резервы');
    expect((await ivanov.get('/manager')).text).not.to.contain('data-unread');
    const reply = await ivanov.post(`/manager/clients/${w.fx.clients.a}/messages`, { body: 'Will ship tomorrow' }, { headers: { 'hx-request': 'true' } });
    expect(reply.status).to.equal(200);
    expect(reply.text).to.match(/^<div id="thread"/);
    expect(reply.text).to.contain('Will ship tomorrow');
    const home = await a.get('/catalog');
    expect(home.text).to.match(/id="messages-badge"[^>]*>1</);
    const mine = await a.get('/messages');
    expect(mine.text).to.contain('Will ship tomorrow').and.contain('class="read"'); // the manager read the question
  });

  it('a viewer reads the manager’s messages without marking them read: the badge stays for the buyers who act; another client’s buyer sees nothing of it', async () => {
    const viewerId = await createUser(w.rt.db, { email: 'viewer@alpha.test', role: 'buyer', clientId: w.fx.clients.a, password: PASSWORD });
    await w.rt.db('users').where({ id: viewerId }).update({ company_role: 'viewer' });
    const ivanov = await w.signIn('ivanov');
    await ivanov.get(`/manager/clients/${w.fx.clients.a}/messages`);
    expect((await ivanov.post(`/manager/clients/${w.fx.clients.a}/messages`, { body: 'Счёт выставлен' })).status).to.equal(303);
    const unread = () => w.rt.db('messages').where({ client_id: w.fx.clients.a }).whereNull('read_at').count({ n: '*' }).first().then((r) => Number(r!.n));
    const badge = async (c: WebClient) => /id="messages-badge"[^>]*>(\d+)</.exec((await c.get('/catalog')).text)?.[1] ?? null;

    const viewer = await w.signIn('viewer@alpha.test');
    expect(await badge(viewer)).to.equal('1');
    const page = await viewer.get('/messages');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Счёт выставлен');
    expect((await viewer.get('/messages/thread', { 'hx-request': 'true' })).text).to.contain('Счёт выставлен');
    expect(await unread(), 'the viewer marked nothing read').to.equal(1);
    const b = await w.signIn('b');
    expect((await b.get('/messages')).text).not.to.contain('Счёт выставлен');
    expect(await unread(), 'another client’s buyer marked nothing read').to.equal(1);
    // the buyer of the same client still has it to read; the manager does not see it read
    const a = await w.signIn('a');
    expect(await badge(a)).to.equal('1');
    expect((await ivanov.get(`/manager/clients/${w.fx.clients.a}/messages`)).text).not.to.contain('class="read"');
    expect((await a.get('/messages')).text).to.contain('Счёт выставлен');
    expect(await unread(), 'the buyer read it').to.equal(0);
    expect(await badge(a)).to.equal(null);
    expect(await badge(viewer)).to.equal(null);
  });

  it('sends multipart attachments through the CSRF check and serves them only inside the thread', async () => {
    const a = await w.signIn('a');
    await a.get('/messages');
    const form = new FormData();
    form.set('_csrf', a.csrf);
    form.set('body', 'invoice attached');
    form.set('file', new Blob([PDF], { type: 'application/pdf' }), 'invoice.pdf');
    const cookie = [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${w.base}/messages`, { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
    expect(res.status).to.equal(303);
    const msg = await w.rt.db('messages').first('id', 'attachment');
    expect(msg!.attachment.name).to.equal('invoice.pdf');
    const dl = await fetch(`${w.base}/messages/attachments/${msg!.id}`, { headers: { cookie } });
    expect(dl.status).to.equal(200);
    expect(dl.headers.get('content-disposition')).to.match(/^attachment; filename="?invoice\.pdf"?$/);
    expect(dl.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(Buffer.from(await dl.arrayBuffer()).equals(PDF)).to.equal(true);
    const b = await w.signIn('b');
    expect((await b.get(`/messages/attachments/${msg!.id}`)).status).to.equal(404);
    const ivanov = await w.signIn('ivanov');
    expect((await ivanov.get(`/manager/clients/${w.fx.clients.a}/messages/attachments/${msg!.id}`)).status).to.equal(200);
    expect((await ivanov.get(`/manager/clients/${w.fx.clients.b}/messages/attachments/${msg!.id}`)).status).to.equal(404);

    const bad = new FormData();
    bad.set('body', 'virus');
    bad.set('file', new Blob([Buffer.from('MZ')]), 'tool.exe');
    const refused = await fetch(`${w.base}/messages`, { method: 'POST', body: bad, headers: { cookie, 'x-csrf-token': a.csrf, 'hx-request': 'true' } });
    expect(refused.status).to.equal(422);
    expect(refused.headers.get('hx-retarget')).to.equal('#message-error');
    expect(await refused.text()).to.contain('Файлы типа «.exe» прикладывать нельзя');
    const noToken = await fetch(`${w.base}/messages`, { method: 'POST', body: form, headers: { cookie: cookie }, redirect: 'manual' });
    expect(noToken.status).to.equal(303); // the form's own token
    form.set('_csrf', 'forged');
    expect((await fetch(`${w.base}/messages`, { method: 'POST', body: form, headers: { cookie } })).status).to.equal(403);
  });

  it('streams "message" events to the other side over SSE', async () => {
    const a = await w.signIn('a');
    const ivanov = await w.signIn('ivanov');
    await ivanov.get(`/manager/clients/${w.fx.clients.a}/messages`);
    await a.get('/messages');
    const events = await sseEvents(ivanov, `/manager/clients/${w.fx.clients.a}/messages/events`, 1, () => a.post('/messages', { body: 'Are you there?' }));
    expect(events.map((e) => e.event)).to.deep.equal(['message']);
    const back = await sseEvents(a, '/messages/events', 1, () => ivanov.post(`/manager/clients/${w.fx.clients.a}/messages`, { body: 'Yes' }));
    expect(back[0]!.event).to.equal('message');
  });

  it('streams the desk events of a manager’s own clients only', async () => {
    const a = await w.signIn('a');
    const ivanov = await w.signIn('ivanov');
    const petrova = await w.signIn('petrova');
    await a.get('/messages');
    expect((await sseEvents(ivanov, '/manager/events', 1, () => a.post('/messages', { body: 'for Ivanov' }))).map((e) => e.event)).to.deep.equal(['message']);
    // Petrova's desk: Alpha's message (Ivanov's client) must not come; Beta's (hers) must. Waiting
    // for Beta's, sent after Alpha's, replaces waiting a while for nothing.
    const b = await w.signIn('b');
    await b.get('/messages');
    const petrovaDesk = await SseStream.open(petrova, '/manager/events');
    try {
      await a.post('/messages', { body: 'still for Ivanov' });
      await b.post('/messages', { body: 'for Petrova' });
      const forBeta = (await w.rt.db('messages').where({ client_id: w.fx.clients.b }).first('id'))!.id;
      const got = await petrovaDesk.waitFor((m) => m.some((e) => JSON.parse(e.data).id === forBeta), "Beta's message on Petrova's desk");
      expect(got.map((e) => JSON.parse(e.data).id)).to.deep.equal([forBeta]);
    } finally {
      await petrovaDesk.close();
    }
    const desk = await ivanov.get('/manager', { 'hx-request': 'true', 'hx-target': 'managed-clients' });
    expect(desk.text).to.match(/^<table class="dense" id="managed-clients">/);
    expect(desk.text).to.contain('data-unread="2"');
  });
});
