// reservations.export against the simulator over HTTP: reservations made, extended and cancelled
// through the store reach the accounting system once each, in order, through lost answers.
import { expect } from 'chai';
import { exportReservation, loadMapping, MappingDataError, type SoapAdapter } from '../../connectors/soap/index.ts';
import { exportDueReservations, reservationOf, reservationsExport } from '../../jobs/reservations-export.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { RESERVATION_KINDS } from '../../src/mirror/outbound.ts';
import { type Actor, cancelReservation, extendReservation, reserve } from '../../src/store/reservations/reservations.ts';
import { setReservationSetting } from '../../src/store/reservations/settings.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import type { Simulator } from '../../sim/index.ts';
import { resetQueues } from '../support/queues.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';

describe('jobs: reservations.export against the simulator', () => {
  let rt: Runtime;
  let sim: Simulator;
  let sourceId: number;
  let actor: Actor;
  let stock: { offer_id: number; warehouse_id: number };

  const rowsOf = (reservationId: number) => rt.db('outbox').where({ ordering_key: `reservation:${reservationId}` }).orderBy('id').select('kind', 'state', 'attempts', 'idempotency_key', 'last_error');
  const makeDue = () => rt.db('outbox').update({ next_attempt_at: rt.db.fn.now() });

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'clients', 'users', 'orders', 'outbox', 'reservations');
    await resetQueues(rt);
    await setReservationSetting(rt.db, 'extensionAllowed', true);
    await setReservationSetting(rt.db, 'maxExtensions', 1);
    ({ sim, sourceId } = await simSource(rt, 'sim-rsv'));
    await runFullSync(rt, await soapSourceRow(rt, 'sim-rsv'));
    // The simulator's mapping has a reservations section: the sync recorded that the source takes them.
    expect((await rt.db('sources').where({ id: sourceId }).first('outbound'))!.outbound).to.include.members([...RESERVATION_KINDS]);
    const cp = await rt.db('counterparties').where({ source_id: sourceId, deleted: false }).orderBy('id').first('id');
    // The sync made a client for each head counterparty.
    const client = await rt.db('clients').where({ head_counterparty_id: cp!.id }).first('id');
    await rt.db('client_counterparties').insert({ client_id: client!.id, counterparty_id: cp!.id }).onConflict().ignore();
    const [user] = await rt.db('users').insert({ email: 'buyer@rsv.test', name: 'Buyer', role: 'buyer', client_id: client!.id }).returning('id');
    actor = { userId: user.id, clientId: client!.id, counterpartyId: cp!.id };
    stock = await rt.db('stock').where({ source_id: sourceId, deleted: false }).andWhere('quantity', '>=', 10).orderBy(['offer_id', 'warehouse_id']).first('offer_id', 'warehouse_id');
  });
  after(async () => {
    await sim.stop();
    await resetQueues(rt);
  });
  afterEach(() => sim.faults.clear());

  it('is scheduled like orders.export', async () => {
    expect(await reservationsExport.schedules!(rt)).to.deep.equal([{ id: 'reservations.export', everyMs: 5000, data: {}, opts: { attempts: 1 } }]);
  });

  it('retries a lost answer with the same key: the system holds one reservation; place, extend, release arrive in order', async () => {
    const r = await reserve(rt, actor, { offerId: stock.offer_id, warehouseId: stock.warehouse_id, quantity: '2' });
    await extendReservation(rt, actor, r.id);
    await cancelReservation(rt, actor, r.id);
    const extendKey = `reservation.extend:${r.id}:1`;
    expect((await rowsOf(r.id)).map((o) => [o.kind, o.idempotency_key])).to.deep.equal([
      ['reservation.place', `reservation.place:${r.id}`],
      ['reservation.extend', extendKey],
      ['reservation.release', `reservation.release:${r.id}`],
    ]);
    // The system registers the place and the extension, but both answers are cut off.
    sim.faults.set({ kind: 'truncated', operations: ['PlaceReservation'], times: 1 });
    sim.faults.set({ kind: 'truncated', operations: ['ExtendReservation'], times: 1 });

    expect(await exportDueReservations(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
    expect(sim.state.reservations()).to.have.length(1);
    // The extension and the release wait for the place.
    expect((await rowsOf(r.id)).map((o) => [o.state, o.attempts])).to.deep.equal([['pending', 1], ['pending', 0], ['pending', 0]]);

    await makeDue();
    expect(await exportDueReservations(rt)).to.deep.equal({ delivered: 1, failed: 0, retrying: 1 });
    expect(sim.state.reservations()).to.have.length(1);
    expect(sim.state.reservations()[0]!.state).to.equal('active');

    await makeDue();
    expect(await exportDueReservations(rt)).to.deep.equal({ delivered: 2, failed: 0, retrying: 0 });
    const held = sim.state.reservations();
    expect(held).to.have.length(1);
    const ours = await rt.db('reservations').where({ id: r.id }).first('expires_at', 'external_id', 'state');
    expect(held[0]).to.include({
      storeReservationId: `reservation:${r.id}`, quantity: '2', state: 'released', releaseReason: 'cancelled',
    });
    // The system keeps the deadline to the second.
    expect(held[0]!.expiresAt.slice(0, 19)).to.equal(new Date(ours!.expires_at).toISOString().slice(0, 19));
    // The repeated extension was recognised by its key: applied once.
    expect(held[0]!.operations).to.deep.equal([extendKey]);
    expect(ours).to.include({ external_id: held[0]!.id, state: 'cancelled' });
    expect((await rowsOf(r.id)).map((o) => [o.state, o.attempts, o.last_error])).to.deep.equal([
      ['delivered', 2, null],
      ['delivered', 2, null],
      ['delivered', 1, null],
    ]);

    expect(await exportDueReservations(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
  });

  it('keeps the rows while the system is down; marks failed, with the reason, what the system refuses', async () => {
    const r = await reserve(rt, actor, { offerId: stock.offer_id, warehouseId: stock.warehouse_id, quantity: '1' });
    sim.faults.set({ kind: 'down' });
    expect(await exportDueReservations(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
    expect((await rowsOf(r.id))[0]).to.include({ state: 'pending', attempts: 1 });
    sim.faults.clear();

    // A release of a reservation the system never held: it answers with a Client fault.
    await rt.db('outbox').insert({
      source_id: sourceId, kind: 'reservation.release', idempotency_key: 'reservation.release:999999', ordering_key: 'reservation:999999',
      payload: { reservationId: 999999, reason: 'expired' },
    });
    await makeDue();
    expect(await exportDueReservations(rt)).to.deep.equal({ delivered: 1, failed: 1, retrying: 0 });
    const refused = await rt.db('outbox').where({ idempotency_key: 'reservation.release:999999' }).first('state', 'last_error');
    expect(refused!.state).to.equal('failed');
    expect(refused!.last_error).to.match(/ReleaseReservation: SOAP fault .*Client.*no reservation reservation:999999/);
    expect(sim.state.reservations().filter((x) => x.storeReservationId === `reservation:${r.id}`)).to.have.length(1);
  });

  it('reads the system’s id where the mapping says; an answer without it is an error, not a silent gap', async () => {
    const { mapping } = await loadMapping('connectors/mappings/simulator.yaml');
    const r = reservationOf({
      id: 1, source_id: sourceId, kind: 'reservation.place', idempotency_key: 'reservation.place:5', ordering_key: 'reservation:5', attempts: 0,
      payload: { reservationId: 5, offer: 'OF1', warehouse: 'WH01', counterparty: 'CP1', quantity: '1.5', expiresAt: '2026-12-03T10:00:00Z' },
    });
    const answering = (answer: Record<string, string>): SoapAdapter => ({ call: async () => answer, wsdlOperations: async () => [] });
    expect(await exportReservation(answering({ ReservationId: 'RSV-000042' }), mapping, 'place', r)).to.deep.equal({ externalId: 'RSV-000042' });
    // extend and release name no result in the simulator's mapping: nothing to read.
    expect(await exportReservation(answering({}), mapping, 'release', r)).to.deep.equal({ externalId: null });
    const err = await exportReservation(answering({ Created: 'true' }), mapping, 'place', r).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(MappingDataError);
    expect((err as Error).message).to.equal('reservations.place.result.externalId: the answer to PlaceReservation has no value at "ReservationId"');
    expect(() => reservationOf({ id: 2, source_id: sourceId, kind: 'reservation.release', idempotency_key: 'k', ordering_key: null, attempts: 0, payload: {} })).to.throw(
      MappingDataError,
      /outbox row 2: the payload names no reservation/,
    );
  });
});
