// outbox.purge: delivered rows past the retention go; pending and failed rows stay, however old.
// The same for the mail outbox: sent e-mails past the retention go, unsent ones stay.
import { expect } from 'chai';
import { outboxPurge, purgeOutbox } from '../../jobs/outbox-purge.ts';
import { ConfigError, parseConfig } from '../../src/infra/config.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('jobs: outbox.purge', () => {
  let rt: Runtime;
  let sourceId: number;

  const daysAgo = (d: number) => rt.db.raw('now() - make_interval(days => ?)', [d]);
  const row = (key: string, state: 'pending' | 'delivered' | 'failed', ageDays: number) =>
    rt.db('outbox').insert({
      source_id: sourceId, kind: 'order.create', idempotency_key: key, payload: { orderId: 1 }, state,
      created_at: daysAgo(ageDays + 1), delivered_at: state === 'delivered' ? daysAgo(ageDays) : null,
    });
  const keys = () => rt.db('outbox').orderBy('id').pluck('idempotency_key');
  const mail = (key: string, sentDaysAgo: number | null) =>
    rt.db('mail_outbox').insert({ key, mail: { to: 'a@b.test', template: 'quote-requested', data: {}, key }, created_at: daysAgo(400), sent_at: sentDaysAgo === null ? null : daysAgo(sentDaysAgo) });
  const mailKeys = () => rt.db('mail_outbox').orderBy('id').pluck('key');

  before(async () => {
    rt = await testRuntime();
  });
  // its aged rows would be purged by the next file's purge and counted there
  after(async () => {
    await truncate(rt, 'sources', 'outbox', 'mail_outbox');
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'outbox', 'mail_outbox');
    await mail('sent-40d', 40);
    await mail('sent-today', 0);
    await mail('unsent-400d', null);
    [{ id: sourceId }] = await rt.db('sources').insert({ name: 'erp', kind: 'soap' }).returning('id');
    await row('delivered-40d', 'delivered', 40);
    await row('delivered-31d', 'delivered', 31);
    await row('delivered-29d', 'delivered', 29);
    await row('delivered-today', 'delivered', 0);
    await row('pending-400d', 'pending', 400);
    await row('failed-400d', 'failed', 400);
  });

  it('deletes delivered rows older than OUTBOX_RETENTION_DAYS (default 30), never pending or failed ones', async () => {
    expect(rt.config.OUTBOX_RETENTION_DAYS).to.equal(30);
    expect(await purgeOutbox(rt)).to.deep.equal({ deleted: 2, mails: 1 });
    expect(await keys()).to.deep.equal(['delivered-29d', 'delivered-today', 'pending-400d', 'failed-400d']);
    expect(await mailKeys()).to.deep.equal(['sent-today', 'unsent-400d']);
    expect(await purgeOutbox(rt)).to.deep.equal({ deleted: 0, mails: 0 });
  });

  it('follows the configured retention', async () => {
    expect(await purgeOutbox({ ...rt, config: { ...rt.config, OUTBOX_RETENTION_DAYS: 1 } })).to.deep.equal({ deleted: 3, mails: 1 });
    expect(await keys()).to.deep.equal(['delivered-today', 'pending-400d', 'failed-400d']);
  });

  it('runs daily', async () => {
    const [s] = await outboxPurge.schedules!(rt);
    expect(s).to.deep.include({ id: 'outbox.purge', pattern: '40 3 * * *' });
  });

  it('OUTBOX_RETENTION_DAYS is validated at boot', () => {
    expect(parseConfig({}).OUTBOX_RETENTION_DAYS).to.equal(30);
    expect(parseConfig({ OUTBOX_RETENTION_DAYS: '7' }).OUTBOX_RETENTION_DAYS).to.equal(7);
    expect(() => parseConfig({ OUTBOX_RETENTION_DAYS: '0' })).to.throw(ConfigError, /^Configuration error: OUTBOX_RETENTION_DAYS must be at least 1 day \(got "0"\)/);
    expect(() => parseConfig({ OUTBOX_RETENTION_DAYS: 'a month' })).to.throw(ConfigError, /OUTBOX_RETENTION_DAYS/);
    expect(() => parseConfig({ OUTBOX_RETENTION_DAYS: '2.5' })).to.throw(ConfigError, /OUTBOX_RETENTION_DAYS/);
  });
});
