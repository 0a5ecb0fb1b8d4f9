import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { type DomainError, messageIn } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { attachmentKey, MAX_ATTACHMENT_BYTES } from '../../../src/store/messages/attachments.ts';
import { readAll } from '../../../src/infra/blob/index.ts';
import { assignManager } from '../../../src/store/accounts/managers.ts';
import { type MailOut, sendDueMessageNotifications } from '../../../src/store/messages/notifications.ts';
import {
  managedClients,
  messageAttachment,
  postMessage,
  readThread,
  type ThreadDeps,
  threadChannel,
  unreadForClient,
} from '../../../src/store/messages/messages.ts';
import { testRuntime } from '../../support/runtime.ts';
import { waitFor } from '../../support/wait.ts';
import { makeWorld, type World } from '../../support/store-fixtures.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n');

describe('store: message threads', () => {
  let rt: Runtime;
  let w: World;
  let deps: ThreadDeps;
  before(async () => {
    rt = await testRuntime();
    deps = { db: rt.db, redis: rt.redis, prefix: rt.prefix, blobs: rt.blobs };
  });
  beforeEach(async () => {
    w = await makeWorld(rt);
  });

  const refused = async (p: Promise<unknown>, msg: RegExp) =>
    p.then(
      () => expect.fail('was allowed'),
      (e) => expect(e.userMessage ?? e.message).to.match(msg),
    );

  it('a buyer never reads or writes another client’s thread', async () => {
    await postMessage(deps, w.users.betaBuyer, w.clients.beta, { body: 'Beta secret' });
    await refused(readThread(deps, w.users.alphaBuyer, w.clients.beta), /Переписка не найдена/);
    await refused(postMessage(deps, w.users.alphaBuyer, w.clients.beta, { body: 'hi' }), /Переписка не найдена/);
    expect(await readThread(deps, w.users.alphaBuyer, w.clients.alpha)).to.deep.equal([]);
    const [msg] = await readThread(deps, w.users.betaBuyer, w.clients.beta);
    expect(msg).to.include({ body: 'Beta secret', from_side: 'client', author_name: 'Boris Beta' });
  });

  it('a manager sees only their clients’ threads; an admin sees all without marking them read', async () => {
    await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'Need 10 pallets' });
    await postMessage(deps, w.users.betaBuyer, w.clients.beta, { body: 'Invoice?' });
    await refused(readThread(deps, w.users.petrova, w.clients.alpha), /Переписка не найдена/);
    await refused(postMessage(deps, w.users.petrova, w.clients.alpha, { body: 'x' }), /Переписка не найдена/);
    const mine = await managedClients(rt.db, w.users.ivanov);
    expect(mine.map((c) => [c.name, c.unread])).to.deep.equal([['Alpha', 1]]);
    expect((await managedClients(rt.db, w.users.admin)).map((c) => c.name)).to.have.members(['Alpha', 'Beta']);
    await refused(managedClients(rt.db, w.users.alphaBuyer), /Списки клиентов видят только сотрудники/);

    expect(await readThread(deps, w.users.admin, w.clients.alpha)).to.have.length(1);
    expect((await managedClients(rt.db, w.users.ivanov))[0]!.unread).to.equal(1);
    await readThread(deps, w.users.ivanov, w.clients.alpha);
    expect((await managedClients(rt.db, w.users.ivanov))[0]!.unread).to.equal(0);
  });

  it('marks read per side and announces new messages on Redis', async () => {
    const sub = new Redis(rt.redisUrl);
    const got: unknown[] = [];
    try {
      await sub.subscribe(threadChannel(rt.prefix, w.clients.alpha));
      sub.on('message', (_ch, m) => got.push(JSON.parse(m)));
      const q = await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'Question' });
      const a = await postMessage(deps, w.users.ivanov, w.clients.alpha, { body: 'Answer' });
      expect(await unreadForClient(rt.db, w.clients.alpha)).to.equal(1);
      const thread = await readThread(deps, w.users.alphaBuyer, w.clients.alpha);
      expect(thread.map((m) => [m.body, m.from_side])).to.deep.equal([
        ['Question', 'client'],
        ['Answer', 'manager'],
      ]);
      expect(await unreadForClient(rt.db, w.clients.alpha)).to.equal(0);
      // the buyer's own question stays unread until the manager reads it
      expect((await rt.db('messages').where({ id: q.id }).first())!.read_at).to.equal(null);
      await waitFor(() => got.length >= 3, { what: 'three thread events on the channel' });
      expect(got).to.deep.equal([
        { clientId: w.clients.alpha, messageId: q.id, side: 'client', type: 'message' },
        { clientId: w.clients.alpha, messageId: a.id, side: 'manager', type: 'message' },
        { clientId: w.clients.alpha, messageId: a.id, side: 'client', type: 'read' },
      ]);
    } finally {
      sub.disconnect();
    }
  });

  it('keeps the history when an admin reassigns the manager', async () => {
    await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'Before' });
    await postMessage(deps, w.users.ivanov, w.clients.alpha, { body: 'Reply from Ivanov' });
    await assignManager(rt.db, w.clients.alpha, w.managers.petrova);
    const thread = await readThread(deps, w.users.petrova, w.clients.alpha);
    expect(thread.map((m) => m.body)).to.deep.equal(['Before', 'Reply from Ivanov']);
    await refused(readThread(deps, w.users.ivanov, w.clients.alpha), /Переписка не найдена/);
  });

  it('stores attachments in the blob store within limits, and only the thread’s people can fetch them', async () => {
    const m = await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: '', file: { name: '../../etc/invoice.pdf', data: PDF } });
    expect(m.attachment).to.include({ name: 'invoice.pdf', type: 'application/pdf', size: PDF.length });
    const stored = await messageAttachment(rt.db, w.users.ivanov, m.id);
    const key = attachmentKey(stored);
    expect(key).to.match(new RegExp(`^attachments/${w.clients.alpha}/[0-9a-f]{32}$`));
    expect((await readAll(rt.blobs, key, 1e6)).equals(PDF)).to.equal(true);
    if (rt.blobs.kind === 'fs') expect(fs.readFileSync(path.join(rt.config.dataDir, key)).equals(PDF)).to.equal(true);
    await refused(messageAttachment(rt.db, w.users.betaBuyer, m.id), /Переписка не найдена/);

    await refused(postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { file: { name: 'run.exe', data: Buffer.from('MZ') } }), /типа «\.exe» прикладывать нельзя/);
    await refused(postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { file: { name: 'fake.pdf', data: Buffer.from('<html>') } }), /не настоящий файл \.pdf/);
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x20);
    await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { file: { name: 'big.txt', data: big } }).then(
      () => expect.fail('was allowed'),
      (e: DomainError) => {
        expect(e.userMessage).to.equal('Файл «big.txt» весит 5 МБ, а можно не больше 5 МБ.');
        expect(messageIn('en', e.text!)).to.equal('The file "big.txt" is 5 MB; the limit is 5 MB.');
      },
    );
    await refused(postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: '   ' }), /Напишите сообщение или приложите файл/);
    await refused(postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'x'.repeat(5001) }), /В сообщении 5001 символов, а можно не больше 5000/);
    expect(await rt.db('messages').count('* as n')).to.deep.equal([{ n: 1 }]);
  });

  describe('e-mail notifications', () => {
    let sent: MailOut[];
    const send = async (m: MailOut) => {
      sent.push(m);
    };
    beforeEach(() => {
      sent = [];
    });

    it('sends one e-mail per thread for several messages, then waits for the throttle window', async () => {
      for (const body of ['one', 'two', 'three']) await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body });
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0, throttleMs: 3600_000, baseUrl: 'http://shop.test/' })).to.equal(1);
      expect(sent).to.deep.equal([
        {
          to: ['ivanov@seller.test'],
          key: sent[0]!.key,
          template: 'messages-unread',
          data: { toManager: true, clientName: 'Alpha', managerName: 'Ivan Ivanov', count: 3, url: `http://shop.test/manager/clients/${w.clients.alpha}/messages`, quoteId: null },
        },
      ]);
      expect(sent[0]!.key).to.match(new RegExp(`^messages-client-${w.clients.alpha}-\\d{20,}$`));
      await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'four' });
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0, throttleMs: 3600_000 })).to.equal(0);
      // once the window has passed, one more e-mail for what is still unread
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0, throttleMs: 0 })).to.equal(1);
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0, throttleMs: 0 })).to.equal(0); // nothing newer
      expect(new Set(sent.map((m) => m.key)).size, 'each e-mail its own key').to.equal(2);
    });

    it('does not e-mail about messages read live, nor before the grace period', async () => {
      await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'hello' });
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 60_000, throttleMs: 0 })).to.equal(0);
      await readThread(deps, w.users.ivanov, w.clients.alpha);
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0, throttleMs: 0 })).to.equal(0);
      expect(sent).to.deep.equal([]);
    });

    it('tells the buyers of the client about the manager’s reply', async () => {
      await rt.db('users').insert({ email: 'second@alpha.test', role: 'buyer', client_id: w.clients.alpha });
      await rt.db('users').insert({ email: 'gone@alpha.test', role: 'buyer', client_id: w.clients.alpha, disabled_at: new Date() });
      await postMessage(deps, w.users.ivanov, w.clients.alpha, { body: 'Shipped' });
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0, baseUrl: 'http://shop.test' })).to.equal(1);
      expect(sent[0]!.to).to.deep.equal(['buyer@alpha.test', 'second@alpha.test']);
      expect(sent[0]!.data).to.include({ toManager: false, count: 1, url: 'http://shop.test/messages', managerName: 'Ivan Ivanov' });
    });

    it('two sweeps at once send each e-mail once', async () => {
      await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'a' });
      await postMessage(deps, w.users.betaBuyer, w.clients.beta, { body: 'b' });
      const slow = async (m: MailOut) => {
        await new Promise((r) => setTimeout(r, 20));
        sent.push(m);
      };
      const counts = await Promise.all([1, 2, 3].map(() => sendDueMessageNotifications(rt.db, slow, { graceMs: 0, throttleMs: 0 })));
      expect(counts.reduce((a, b) => a + b)).to.equal(2);
      expect(sent.map((m) => m.to[0]).sort()).to.deep.equal(['ivanov@seller.test', 'petrova@seller.test']);
    });

    it('tells the admins when the client has no manager', async () => {
      await rt.db('clients').where({ id: w.clients.alpha }).update({ manager_id: null, manager_assigned: true });
      await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'anyone?' });
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0 })).to.equal(1);
      expect(sent[0]!.to).to.deep.equal(['admin@seller.test']);
    });

    it('retries a failed send on the next sweep', async () => {
      await postMessage(deps, w.users.alphaBuyer, w.clients.alpha, { body: 'hello' });
      const failing = async () => {
        throw new Error('SMTP down');
      };
      await sendDueMessageNotifications(rt.db, failing, { graceMs: 0 }).then(
        () => expect.fail('swallowed'),
        (e) => expect(e.message).to.equal('SMTP down'),
      );
      expect(await sendDueMessageNotifications(rt.db, send, { graceMs: 0 })).to.equal(1);
    });
  });
});
