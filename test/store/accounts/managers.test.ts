import { expect } from 'chai';
import { messageIn } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { assignManager, managerCard, messengerLinks, refreshClientManagers } from '../../../src/store/accounts/managers.ts';
import { testRuntime } from '../../support/runtime.ts';
import { makeWorld, type World } from '../../support/store-fixtures.ts';

describe('store: personal manager', () => {
  let rt: Runtime;
  let w: World;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    w = await makeWorld(rt);
  });
  const managerOf = async (clientId: number) => (await rt.db('clients').where({ id: clientId }).first('manager_id'))!.manager_id;

  it("follows the head counterparty's main manager from the accounting system", async () => {
    await rt.db('clients').update({ manager_id: null });
    expect(await refreshClientManagers(rt.db)).to.equal(2);
    expect(await managerOf(w.clients.alpha)).to.equal(w.managers.ivanov);
    await rt.db('counterparties').where({ id: w.counterparties.alpha }).update({ manager_external_id: 'm-2' });
    expect(await refreshClientManagers(rt.db)).to.equal(1);
    expect(await managerOf(w.clients.alpha)).to.equal(w.managers.petrova);
    expect(await refreshClientManagers(rt.db)).to.equal(0); // nothing changed, nothing written
  });

  it("keeps an admin's choice across syncs until it is handed back", async () => {
    await assignManager(rt.db, w.clients.alpha, w.managers.petrova);
    await refreshClientManagers(rt.db);
    expect(await managerOf(w.clients.alpha)).to.equal(w.managers.petrova);
    await assignManager(rt.db, w.clients.alpha, null);
    expect(await managerOf(w.clients.alpha)).to.equal(w.managers.ivanov);
  });

  it('refuses a deleted manager and an unknown client', async () => {
    await rt.db('managers').where({ id: w.managers.petrova }).update({ deleted: true });
    await assignManager(rt.db, w.clients.alpha, w.managers.petrova).then(
      () => expect.fail('accepted'),
      (e) => expect(e.userMessage).to.equal(`Менеджера ${w.managers.petrova} нет в учётной системе или он удалён.`),
    );
    await assignManager(rt.db, 999999, w.managers.ivanov).then(
      () => expect.fail('accepted'),
      (e) => {
        expect(e.userMessage).to.equal('Клиент 999999 не найден.');
        expect(messageIn('en', e.text)).to.equal('Client 999999 not found.');
      },
    );
    expect(await managerOf(w.clients.alpha)).to.equal(w.managers.ivanov);
  });

  it('gives the card with safe messenger links', async () => {
    const card = await managerCard(rt.db, w.clients.alpha);
    expect(card).to.include({ name: 'Ivan Ivanov', email: 'ivanov@seller.test', working_hours: 'Mon–Fri 9–18' });
    expect(messengerLinks(card!.messengers)).to.deep.equal([{ label: 'Telegram', href: 'https://t.me/ivanov' }]);
    expect(messengerLinks({ whatsapp: '+7 (900) 000-00-01', site: 'javascript:alert(1)', vk: 'https://vk.com/x' })).to.deep.equal([
      { label: 'WhatsApp', href: 'https://wa.me/79000000001' },
      { label: 'vk', href: 'https://vk.com/x' },
    ]);
  });
});
