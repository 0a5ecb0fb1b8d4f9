import type { Worker } from 'bullmq';
import { expect } from 'chai';
import { mailSendJob } from '../../jobs/mail-send.ts';
import { notifyUnreadMessages } from '../../jobs/messages-notify.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { postMessage } from '../../src/store/messages/messages.ts';
import { resetQueues } from '../support/queues.ts';
import { testRuntime } from '../support/runtime.ts';
import { type SmtpCapture, startTestSmtp } from '../support/smtp-capture.ts';
import type { StaffFixture } from '../support/staff-fixtures.ts';
import { until, waitSettled } from '../support/wait.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { freePort } from '../faults/processes.ts';
import { reconcileWork } from '../../jobs/work-reconcile.ts';
import { seedWorld } from '../support/world.ts';

describe('jobs/messages.notify: throttled e-mail through real SMTP', () => {
  let rt: Runtime;
  let smtp: SmtpCapture;
  let workers: Worker[];
  let fx: StaffFixture;

  before(async () => {
    rt = await testRuntime();
    smtp = await startTestSmtp(rt);
    await resetQueues(rt); // mail other test files left queued must not reach this capture
    workers = await startWorkers(rt, [mailSendJob]);
  });
  after(async () => {
    for (const w of workers) await w.close();
    await smtp.stop();
  });
  beforeEach(async () => {
    await resetQueues(rt);
    smtp.clear();
    fx = await seedWorld(rt, { staff: true, tables: ['messages', 'message_threads'] });
  });

  it('e-mails the manager once for several messages, and the buyer once for the reply', async () => {
    const deps = { db: rt.db, blobs: rt.blobs };
    const buyer = { userId: fx.users.a, role: 'buyer' as const, clientId: fx.clients.a, managerId: null };
    const manager = { userId: fx.staff.ivanov, role: 'manager' as const, clientId: null, managerId: fx.managers.ivanov };
    for (const body of ['one', 'two', 'three']) await postMessage(deps, buyer, fx.clients.a, { body });
    // the default grace period (a minute) has not passed: nothing yet
    expect(await notifyUnreadMessages(rt)).to.deep.equal({ sent: 0 });
    await rt.db('messages').update({ created_at: rt.db.raw(`now() - interval '2 minutes'`) });
    expect(await notifyUnreadMessages(rt)).to.deep.equal({ sent: 1 });
    const [toManager] = await smtp.waitFor(1);
    expect(toManager!.envelopeTo).to.deep.equal(['ivanov@seller.test']);
    expect(toManager!.subject).to.equal('Alpha LLC: новые сообщения (3)');
    expect(toManager!.text).to.contain(`/manager/clients/${fx.clients.a}/messages`);

    await postMessage(deps, manager, fx.clients.a, { body: 'reply' });
    await postMessage(deps, buyer, fx.clients.a, { body: 'four' });
    await rt.db('messages').update({ created_at: rt.db.raw(`now() - interval '2 minutes'`) });
    expect(await notifyUnreadMessages(rt)).to.deep.equal({ sent: 1 }); // the manager's window is still closed
    const mails = await smtp.waitFor(2);
    expect(mails[1]!.envelopeTo).to.deep.equal(['buyer@alpha.test']);
    expect(mails[1]!.subject).to.equal('Ответ от вашего менеджера Ivan Ivanov');
    await waitSettled(rt, { what: 'every queued mail to be sent' });
    expect(smtp.messages()).to.have.length(2);
  });

  it('the queue unreachable at the sweep: the claim and its e-mail commit together (mail outbox); work.reconcile delivers it once', async () => {
    const buyer = { userId: fx.users.a, role: 'buyer' as const, clientId: fx.clients.a, managerId: null };
    await postMessage({ db: rt.db, blobs: rt.blobs }, buyer, fx.clients.a, { body: 'Redis недоступен' });
    await rt.db('messages').update({ created_at: rt.db.raw(`now() - interval '2 minutes'`) });
    const closers: (() => Promise<void>)[] = [];
    const down: Runtime = { ...rt, redisUrl: `redis://127.0.0.1:${await freePort()}`, onShutdown: (_name, fn) => void closers.push(fn) };
    try {
      expect(await notifyUnreadMessages(down)).to.deep.equal({ sent: 1 });
      const rows = await outboxLetters(rt.db);
      expect(rows.map((r) => [r.to, r.template, r.sent])).to.deep.equal([['ivanov@seller.test', 'messages-unread', false]]);
      expect(await notifyUnreadMessages(rt), 'claimed: the next sweep sends nothing').to.deep.equal({ sent: 0 });
      expect((await reconcileWork(rt, { mailGraceS: 0 })).mails).to.equal(1);
      const [m] = await smtp.waitFor(1);
      expect(m!.subject).to.equal('Alpha LLC: новые сообщения (1)');
      await until(async () => (await outboxLetters(rt.db)).every((r) => r.sent), 'the outbox row marked sent');
      expect((await reconcileWork(rt, { mailGraceS: 0 })).mails).to.equal(0);
      await waitSettled(rt, { what: 'every queued mail to be sent' });
      expect(smtp.messages()).to.have.length(1);
    } finally {
      for (const c of closers.reverse()) await c();
    }
  });
});
