// The store's PDFs read back as text: the labels from the catalogs in the reader's language,
// figures, units and dates through Intl; the amount in words only on a Russian rouble invoice.
import { expect } from 'chai';
import type { DocumentDetail } from '../../../src/store/documents/documents.ts';
import { type InvoiceInput, renderDocumentPdf, renderInvoicePdf } from '../../../src/store/documents/pdf.ts';
import { pdfText } from '../../support/pdf-text.ts';

const shipment: DocumentDetail = {
  id: 1, kind: 'shipment', kindLabel: 'ignored', number: 'РН-000002', date: '2026-04-02', amount: '1200', vatAmount: '200', currency: 'RUB',
  status: 'Проведён', counterpartyId: 1, counterpartyName: 'Alpha North LLC', hasFile: false, periodFrom: null, periodTo: null,
  lines: [{ lineNo: 1, name: 'Дрель Bosch', sku: 'SKU-001', unit: 'pcs', quantity: '2.000', price: '600', amount: '1200' }],
  fileName: null, counterpartyInn: '7701000002', counterpartyKpp: null,
};
const invoice: InvoiceInput = {
  number: 'CP-000101', date: '2026-12-03', currency: 'RUB', contract: 'Main № A-1', total: '1380', vat: [{ rate: '20', amount: '230.00' }],
  seller: {
    name: 'ООО «Торговый дом Контрагент»', inn: '7705000005', kpp: '770501001', address: 'Москва', bankName: 'ПАО Сбербанк', bic: '044525225',
    account: '40702810400000000001', corrAccount: '30101810400000000225', vatRate: '20', director: 'Иванов И. И.', accountant: 'Петрова А. А.',
  },
  buyer: { name: 'Alpha LLC', inn: '7701000001', kpp: '770101001', address: 'Москва', bankName: 'Банк', bic: '044525000', account: '40702810900000000077', corrAccount: null },
  lines: [
    { name: 'Drill', sku: 'SKU-001', unit: 'шт', quantity: '2', price: '600', amount: '1200', vatRate: '20' },
    { name: 'Bit', sku: null, unit: 'kg', quantity: '1.5', price: '120', amount: '180', vatRate: '20' },
  ],
};

describe('store/documents/pdf: the printed documents in the reader language', () => {
  it('a mirrored document in Russian (the default): its kind, Russian dates, units and money', async () => {
    const text = await pdfText(await renderDocumentPdf(shipment));
    expect(text).to.contain('Отгрузочный документ (УПД / ТОРГ-12) № РН-000002 от 02.04.2026');
    expect(text).to.contain('Контрагент: Alpha North LLC, ИНН 7701000002').and.contain('Статус: Проведён');
    expect(text).to.contain('Наименование').and.contain('Кол-во').and.contain('Дрель Bosch (SKU-001) 2 шт. 600,00 1 200,00');
    expect(text).to.contain('Итого: 1 200,00 ₽').and.contain('В том числе НДС: 200,00').and.contain('печатная форма учётной системы не передана');
  });

  it('the same document in English', async () => {
    const text = await pdfText(await renderDocumentPdf({ ...shipment, kind: 'reconciliation', periodFrom: '2026-01-01', periodTo: '2026-03-31' }, 'en'));
    expect(text).to.contain('Reconciliation statement No. РН-000002 of 02/04/2026').and.contain('Period: 01/01/2026 to 31/03/2026');
    expect(text).to.contain('Description').and.contain('2 pcs 600.00 1,200.00').and.contain('Balance: RUB 1,200.00').and.not.contain('Итого');
  });

  it('the invoice in Russian: requisites, VAT, the count of items with its plural, the amount in words', async () => {
    const text = await pdfText(await renderInvoicePdf(invoice));
    expect(text).to.contain('Счёт на оплату № CP-000101 от 03.12.2026').and.contain('Банк получателя').and.contain('БИК 044525225');
    expect(text).to.contain('Поставщик: ООО «Торговый дом Контрагент», ИНН 7705000005, КПП 770501001');
    expect(text).to.contain('Alpha LLC, ИНН 7701000001, КПП 770101001, Москва, р/с 40702810900000000077 в Банк, БИК 044525000');
    expect(text).to.contain('Основание: Main № A-1').and.contain('Bit 1,5 kg 120,00 180,00');
    expect(text).to.contain('Итого: 1 380,00').and.contain('В том числе НДС 20%: 230,00').and.contain('Всего к оплате: 1 380,00');
    expect(text).to.contain('Всего 2 наименования, на сумму 1 380,00 ₽').and.contain('Одна тысяча триста восемьдесят рублей');
  });

  it('the invoice in English: no Russian labels, no amount in words', async () => {
    const text = await pdfText(await renderInvoicePdf(invoice, 'en'));
    expect(text).to.contain('Invoice No. CP-000101 of 03/12/2026').and.contain('Supplier: ').and.contain('Buyer: Alpha LLC, INN 7701000001');
    expect(text).to.contain('2 items in total, for RUB 1,380.00').and.contain('Director ____________ Иванов И. И.');
    expect(text).not.to.match(/Итого|рубл/);
  });
});
