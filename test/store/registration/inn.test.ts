import { expect } from 'chai';
import { innProblem, isValidInn, kppProblem } from '../../../src/store/registration/inn.ts';
import { parseRegistration } from '../../../src/store/registration/requests.ts';

describe('store/registration: INN checksum, KPP, the application form', () => {
  it('accepts real INNs: legal entities (10 digits) and sole traders (12)', () => {
    // ПАО Сбербанк, ООО «Яндекс», ПАО «Газпром», ОАО «РЖД», ПАО «Ленэнерго»; two sole traders' INNs
    for (const inn of ['7707083893', '7736207543', '7736050003', '7708503727', '7803002209', '500100732259', '784806113663']) {
      expect(innProblem(inn), inn).to.equal(null);
    }
  });

  it('refuses a wrong check digit, a wrong length and non-digits, saying which', () => {
    expect(innProblem('7707083894')).to.equal('ИНН 7707083894 не проходит проверку контрольных цифр — проверьте, не опечатка ли.');
    expect(isValidInn('7736207544')).to.equal(false);
    expect(isValidInn('500100732258')).to.equal(false); // n12 wrong
    expect(isValidInn('500100732269')).to.equal(false); // n11 wrong
    expect(isValidInn('770708389300')).to.equal(false); // a 10-digit INN padded to 12
    expect(innProblem('773605000')).to.equal('ИНН — 10 цифр (организация) или 12 цифр (ИП), а здесь 9.');
    expect(innProblem('77070838 3')).to.equal('ИНН состоит только из цифр.');
    expect(isValidInn('0000000000')).to.equal(true); // the checksum alone: all zeros add up (the mirror match decides)
  });

  it('KPP: 9 characters for an organisation, none for a sole trader', () => {
    expect(kppProblem('773601001', '7707083893')).to.equal(null);
    expect(kppProblem('7736AB001', '7707083893')).to.equal(null);
    expect(kppProblem('', '7707083893')).to.equal('Укажите КПП организации (9 знаков).');
    expect(kppProblem('77360100', '7707083893')).to.match(/^КПП — 9 знаков/);
    expect(kppProblem('773601001', '500100732259')).to.equal('У ИП нет КПП: оставьте поле пустым.');
    expect(kppProblem('', '500100732259')).to.equal(null);
  });

  it('reads the form: trims, names every bad field in Russian, keeps a sole trader’s KPP empty', () => {
    const ok = parseRegistration({ inn: ' 7707 083 893 ', kpp: '773601001', contactName: ' Анна ', email: 'anna@example.ru', phone: '+7 (900) 123-45-67' });
    expect(ok).to.deep.equal({ value: { inn: '7707083893', kpp: '773601001', contactName: 'Анна', email: 'anna@example.ru', phone: '+7 (900) 123-45-67' }, errors: {} });
    expect(parseRegistration({ inn: '500100732259', kpp: '', contactName: 'ИП', email: 'a@b.ru', phone: '89001234567' }).value?.kpp).to.equal(null);
    const bad = parseRegistration({ inn: '7707083894', contactName: '', email: 'nope', phone: '12' });
    expect(bad.value).to.equal(null);
    expect(Object.keys(bad.errors)).to.deep.equal(['inn', 'contactName', 'email', 'phone']);
    expect(parseRegistration(undefined).errors.inn).to.equal('Укажите ИНН.');
  });
});
