// The store's e-mails (quotes, approvals, unread messages, order confirmation) through the
// catalogs, over the real SMTP capture: Russian by default with money and dates through Intl, in
// English for a user who chose it; the written messages (store-plain) keep their HTML part.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { renderMail, sendMail } from '../../src/mail/index.ts';
import { testRuntime } from '../support/runtime.ts';
import { type SmtpCapture, startTestSmtp } from '../support/smtp-capture.ts';

const NBSP = '\u00a0';
const quote = {
  id: 17, clientName: 'ООО «Альфа»', counterpartyName: 'Альфа Юг', comment: 'К пятнице', answer: 'Цена со склада', lines: 3,
  desiredDate: '2026-12-24', validUntil: '2026-12-31', total: '12345.5', currency: 'RUB', buyerName: 'Анна', url: 'http://store.test/quotes/17',
};
const approval = {
  number: 'CP-000042', total: '150000.5', currency: 'RUB', limit: '100000', monthSpent: '0.00', counterparty: 'Альфа Юг', reason: 'order_limit',
  state: 'pending', comment: '', decidedBy: null, requestedBy: 'Олег', name: 'Ирина', url: 'http://store.test/approvals', audience: 'owner',
};
const confirmation = {
  number: 'CP-000043', total: '627', currency: 'RUB', comment: 'После 10:00', awaitingApproval: false, url: 'http://store.test/orders/43',
  lines: [
    { sku: 'B-840', name: 'Болт М8×40', quantity: '2.000', unit: 'pcs', amount: '285.00' },
    { sku: null, name: 'Гайка', quantity: '1.000', unit: 'шт', amount: '342.00' },
  ],
};

describe('mail: the store e-mails in the recipient language (catalogs + Intl), over SMTP', () => {
  let rt: Runtime;
  let smtp: SmtpCapture;

  before(async () => {
    rt = await testRuntime();
    smtp = await startTestSmtp(rt);
    await rt.db('users').whereIn('email', ['en.buyer@example.test']).delete();
    await rt.db('users').insert({ email: 'en.buyer@example.test', role: 'manager', name: 'Reader', language: 'en' });
  });
  after(async () => {
    await rt.db('users').where({ email: 'en.buyer@example.test' }).delete();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  const send = async (template: string, data: Record<string, unknown>, to = 'ru.reader@example.test') => {
    await sendMail(rt, { to, template, data });
    const [m] = await smtp.waitFor(1);
    smtp.clear();
    return m!;
  };

  it('quote requested / answered: Russian texts, dates and money through Intl', async () => {
    const req = await send('quote-requested', quote);
    expect(req.subject).to.equal('ООО «Альфа»: запрос цены № 17');
    expect(req.text).to.contain('Клиент «ООО «Альфа»» (Альфа Юг) запросил цены: запрос № 17, строк: 3.').and.contain('Желаемая дата: 24.12.2026.');
    expect(req.html).to.contain('<html lang="ru">').and.contain('Ответить: цены, количество, срок действия');
    const ans = await send('quote-answered', quote);
    expect(ans.subject).to.equal('Предложение по запросу цены № 17 — действует до 31.12.2026');
    expect(ans.text).to.contain('Здравствуйте, Анна!').and.contain(`Сумма: 12${NBSP}345,50${NBSP}₽.`).and.contain('Менеджер: Цена со склада');
  });

  it('quote answered in English for a user who chose English', async () => {
    const ans = await send('quote-answered', quote, 'en.buyer@example.test');
    expect(ans.subject).to.equal('Offer for price request No. 17 — valid until 31/12/2026');
    expect(ans.text).to.contain('Hello, Анна!').and.contain('Total: RUB').and.contain('12,345.50').and.contain('Accept or decline: http://store.test/quotes/17');
    expect(ans.html).to.contain('<html lang="en">');
  });

  it('approval requested / decided: the reason and the state from codes, money through Intl', async () => {
    const req = await send('order-approval-requested', approval);
    expect(req.subject).to.equal('Заказ CP-000042 ждёт вашего согласования');
    expect(req.text).to.contain(`Олег оформил(а) заказ CP-000042 на 150${NBSP}000,50${NBSP}₽ для «Альфа Юг»: он больше лимита на один заказ 100${NBSP}000,00${NBSP}₽.`);
    const monthly = await send('order-approval-requested', { ...approval, reason: 'monthly_limit', monthSpent: '20000', requestedBy: null });
    expect(monthly.text).to.contain(`Оформлен заказ CP-000042`).and.contain(`вместе с заказами месяца (20${NBSP}000,00${NBSP}₽) больше лимита в месяц`);
    const rejected = await send('order-approval-decided', { ...approval, state: 'rejected', audience: 'author', decidedBy: 'Ирина', comment: 'Дорого' });
    expect(rejected.subject).to.equal('Заказ CP-000042: отклонён');
    expect(rejected.text).to.contain('для «Альфа Юг» отклонён (Ирина).').and.contain('Заказ отменён, резерв товара снят.').and.contain('Комментарий: Дорого');
    const approved = await send('order-approval-decided', { ...approval, state: 'approved', audience: 'approver' });
    expect(approved.text).to.contain('Вы согласовали заказ CP-000042').and.contain('(оформил(а) Олег)').and.contain('передаётся в учётную систему');
    const expired = await send('order-approval-decided', { ...approval, state: 'expired', audience: 'author' }, 'en.buyer@example.test');
    expect(expired.subject).to.equal('Order CP-000042: not approved in time');
  });

  it('unread messages: to the manager and to the buyer, with a count and the quote', async () => {
    const data = { toManager: true, clientName: 'Alpha LLC', managerName: 'Ivan Ivanov', count: 3, url: 'http://store.test/m', quoteId: null };
    const toManager = await send('messages-unread', data);
    expect(toManager.subject).to.equal('Alpha LLC: новые сообщения (3)');
    expect(toManager.text).to.contain('Клиент «Alpha LLC» написал вам. Непрочитанных сообщений: 3.').and.contain('Открыть переписку: http://store.test/m');
    const toBuyer = await send('messages-unread', { ...data, toManager: false, quoteId: 9 });
    expect(toBuyer.subject).to.equal('Ответ от вашего менеджера Ivan Ivanov — запрос цены № 9');
    expect(toBuyer.text).to.contain('Ваш менеджер Ivan Ivanov ответил вам по запросу цены № 9. Непрочитанных сообщений: 3.');
  });

  it('order confirmation: lines with quantities, units and money; English for an English buyer', () => {
    const ru = renderMail('order-confirmation', confirmation);
    expect(ru.subject).to.equal('Заказ CP-000043 принят');
    expect(ru.text).to.contain('Спасибо! Мы приняли ваш заказ CP-000043.').and.contain('B-840  Болт М8×40  × 2 шт.  = 285,00').and.contain('Гайка  × 1 шт.  = 342,00');
    expect(ru.text).to.contain(`Итого: 627,00${NBSP}₽`).and.contain('Комментарий: После 10:00').and.not.contain('pcs');
    const en = renderMail('order-confirmation', { ...confirmation, awaitingApproval: true }, 'en');
    expect(en.subject).to.equal('Order CP-000043 received');
    expect(en.text).to.contain('B-840  Болт М8×40  × 2 pcs  = 285.00').and.contain('Total: RUB').and.contain("awaits the account owner's approval");
  });

  it('a written message (store-plain) carries its own HTML part, else its text in <pre>', async () => {
    const m = renderMail('order-confirmation', confirmation);
    const plain = await send('store-plain', { subject: m.subject, text: m.text, html: m.html });
    expect(plain.subject).to.equal('Заказ CP-000043 принят');
    expect(plain.html).to.contain('<html lang="ru">').and.contain('<td>Болт М8×40 (арт. B-840)</td>');
    const bare = await send('store-plain', { subject: 'S', text: 'a < b' });
    expect(bare.html).to.contain('<pre style="font: inherit; white-space: pre-wrap">a &lt; b</pre>');
  });
});
