import { Writable } from 'node:stream';
import { expect } from 'chai';
import { consoleServices } from '../../src/app/roles/console-services.ts';
import { createLogger } from '../../src/infra/log.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import { QUEUES } from '../../src/infra/queue/names.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen } from '../support/web-client.ts';

/** The value of one sample line `name{labels} value`, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('ops: /metrics, request ids', function () {
  this.timeout(30_000);
  let rt: Runtime;
  let web: { base: string; close(): Promise<void> };
  const logLines: Record<string, unknown>[] = [];
  const TOKEN = 'metrics-token-0123456789';

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources');
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(l));
        done();
      },
    });
    const withToken: Runtime = { ...rt, config: { ...rt.config, METRICS_TOKEN: TOKEN } };
    web = await listen(createApp(withToken, [], { console: consoleServices(rt), requestLog: createLogger('info', sink) }));
  });
  after(async () => {
    await web.close();
    await truncate(rt, 'sources');
  });

  it('times requests by route pattern, not URL, and counts queue jobs, source lag, exchanges and the outbox', async () => {
    const [soap] = await rt.db('sources')
      .insert({ name: 'erp-metrics', kind: 'soap', as_of: new Date(Date.now() - 90_000), last_success_at: new Date('2026-12-01T10:00:00Z') })
      .returning('id');
    const [cml] = await rt.db('sources').insert({ name: 'onec-metrics', kind: 'commerceml' }).returning('id');
    await rt.db('commerceml_sessions').insert([
      { source_id: cml.id, type: 'catalog', token: 'm-open', sessid: 's1' },
      { source_id: cml.id, type: 'catalog', token: 'm-done', sessid: 's2', state: 'completed', completed_at: new Date() },
      { source_id: cml.id, type: 'sale', token: 'm-idle', sessid: 's3', last_seen_at: new Date(Date.now() - 2 * 24 * 3600_000) },
    ]);
    await rt.db('outbox').insert([
      { source_id: soap.id, kind: 'order.create', idempotency_key: 'metrics-1', payload: {} },
      { source_id: soap.id, kind: 'order.create', idempotency_key: 'metrics-2', payload: {} },
      { source_id: soap.id, kind: 'order.create', idempotency_key: 'metrics-3', payload: {}, state: 'failed' },
      { source_id: soap.id, kind: 'order.create', idempotency_key: 'metrics-4', payload: {}, state: 'delivered', delivered_at: new Date() },
    ]);
    const job = await getQueue(rt, QUEUES.outboxPurge).add(QUEUES.outboxPurge, {}, { delay: 3600_000, jobId: 'metrics-test' });
    try {
      expect((await fetch(`${web.base}/orders/123`, { redirect: 'manual' })).status).to.equal(303);
      expect((await fetch(`${web.base}/orders/456`, { redirect: 'manual' })).status).to.equal(303);
      expect((await fetch(`${web.base}/no/such/page`)).status).to.equal(404);

      const res = await fetch(`${web.base}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(sample(text, 'cp_http_request_duration_seconds_count', { method: 'GET', route: '/orders/:id', status: '303' })).to.equal(2);
      expect(sample(text, 'cp_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).to.equal(1);
      expect(text).to.not.contain('/orders/123');
      expect(sample(text, 'cp_queue_jobs', { queue: QUEUES.outboxPurge, state: 'delayed' })).to.equal(1);
      for (const q of Object.values(QUEUES)) expect(sample(text, 'cp_queue_jobs', { queue: q, state: 'failed' }), q).to.be.a('number');
      const lag = sample(text, 'cp_source_sync_lag_seconds', { source: 'erp-metrics', kind: 'soap' });
      expect(lag).to.be.within(89, 200);
      expect(sample(text, 'cp_source_last_success_timestamp_seconds', { source: 'erp-metrics' })).to.equal(Date.parse('2026-12-01T10:00:00Z') / 1000);
      expect(sample(text, 'cp_source_sync_lag_seconds', { source: 'onec-metrics' }), 'no as_of, no lag').to.equal(undefined);
      expect(sample(text, 'cp_exchange_sessions_open', { source: 'onec-metrics' })).to.equal(1);
      expect(sample(text, 'cp_outbox_rows', { kind: 'order.create', state: 'pending' })).to.equal(2);
      expect(sample(text, 'cp_outbox_rows', { kind: 'order.create', state: 'failed' })).to.equal(1);
      expect(sample(text, 'cp_outbox_rows', { kind: 'order.create', state: 'delivered' })).to.equal(undefined);
      expect(text).to.match(/^process_resident_memory_bytes /m);
    } finally {
      await job.remove();
    }
  });

  it('answers only loopback callers, or others with the METRICS_TOKEN bearer token', async () => {
    // Through a proxy on this host the socket is loopback but the client (X-Forwarded-For, trusted) is not.
    const proxied = { 'x-forwarded-for': '203.0.113.7' };
    expect((await fetch(`${web.base}/metrics`, { headers: proxied })).status).to.equal(403);
    expect((await fetch(`${web.base}/metrics`, { headers: { ...proxied, authorization: 'Bearer wrong-token-0123456789' } })).status).to.equal(403);
    const ok = await fetch(`${web.base}/metrics`, { headers: { ...proxied, authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.contain('cp_http_request_duration_seconds');
  });

  it('gives every request an id, echoed as X-Request-Id and logged (req.id); a sane one from the proxy is kept', async () => {
    const a = await fetch(`${web.base}/login`);
    const id = a.headers.get('x-request-id');
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    const b = await fetch(`${web.base}/login`, { headers: { 'x-request-id': 'edge-42.abc' } });
    expect(b.headers.get('x-request-id')).to.equal('edge-42.abc');
    const c = await fetch(`${web.base}/login`, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(c.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const logged = logLines.map((l) => l.req as { url?: string; id?: string } | undefined).filter((r) => r?.url === '/login').map((r) => r?.id);
    expect(logged).to.include(id).and.include('edge-42.abc');
  });
});
