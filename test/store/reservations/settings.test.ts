import { expect } from 'chai';
import { DomainError, messageIn } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { DEFAULT_RESERVATION_PERIOD_HOURS, reservationSettings, setReservationSetting, validateReservationPeriod } from '../../../src/store/reservations/settings.ts';
import { getSetting, setSetting } from '../../../src/store/settings/settings.ts';
import { testRuntime } from '../../support/runtime.ts';

describe('store/reservations settings: one period rule, one default', () => {
  let rt: Runtime;
  let saved: { key: string; value: unknown } | undefined;
  before(async () => {
    rt = await testRuntime();
    saved = await rt.db('settings').where({ key: 'reservations.period_hours' }).first('key', 'value');
  });
  after(async () => {
    // other suites read the period: leave it as found
    await rt.db('settings').where({ key: 'reservations.period_hours' }).delete();
    if (saved) await rt.db('settings').insert({ key: saved.key, value: JSON.stringify(saved.value) });
  });

  it('accepts whole hours from 1 to 60 days, refusing the rest with one message per case', () => {
    expect([1, '48', ' 1440 ', 24].map(validateReservationPeriod)).to.deep.equal([1, 48, 1440, 24]);
    const why = (v: unknown) => {
      try {
        validateReservationPeriod(v);
        return null;
      } catch (err) {
        expect(err).to.be.instanceOf(DomainError).with.property('code', 'reservations.period');
        return (err as DomainError).userMessage;
      }
    };
    expect([0, '0'].map(why)).to.deep.equal(['Срок резерва — не меньше 1 часа.', 'Срок резерва — не меньше 1 часа.']);
    for (const v of [1.5, '2.5', '-1', 'abc', '', null, undefined, {}, '1e3']) expect(why(v), String(v)).to.equal('Срок резерва — целое число часов.');
    expect(why(1441)).to.equal('Срок резерва — не больше 60 дней (1440 ч).');
    const refused = (() => {
      try {
        validateReservationPeriod(1441);
      } catch (err) {
        return err as DomainError;
      }
      return expect.fail('accepted');
    })();
    expect(messageIn('en', refused.text!)).to.equal('Reservation period must be at most 60 days (1440 hours).');
  });

  it('the setting, setReservationSetting and the reader use the same rule and default', async () => {
    await rt.db('settings').where({ key: 'reservations.period_hours' }).delete();
    expect(await getSetting(rt.db, 'reservations.period_hours')).to.equal(DEFAULT_RESERVATION_PERIOD_HOURS);
    expect((await reservationSettings(rt.db)).periodHours).to.equal(DEFAULT_RESERVATION_PERIOD_HOURS);
    const refused = await setSetting(rt.db, 'reservations.period_hours', '1.5').then(() => null, (e: unknown) => e);
    expect(refused).to.be.instanceOf(DomainError);
    const refused2 = await setReservationSetting(rt.db, 'periodHours', 0).then(() => null, (e: unknown) => e);
    expect(refused2).to.be.instanceOf(DomainError).with.property('userMessage', 'Срок резерва — не меньше 1 часа.');
    await setReservationSetting(rt.db, 'periodHours', 36);
    expect(await getSetting(rt.db, 'reservations.period_hours')).to.equal(36);
  });

  it('cp_reserve() has no period of its own: it takes the caller’s', async () => {
    const { rows } = await rt.db.raw(`SELECT pg_get_function_arguments(oid) AS args, prosrc FROM pg_proc WHERE proname = 'cp_reserve'`);
    expect(rows).to.have.length(1);
    expect(rows[0].args).to.contain('p_period_hours numeric');
    expect(rows[0].prosrc).not.to.match(/\b24\b|86400|1440|hours'/);
  });
});
