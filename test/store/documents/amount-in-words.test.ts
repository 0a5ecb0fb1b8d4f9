import { expect } from 'chai';
import { numberInWords, plural, roublesInWords } from '../../../src/store/documents/amount-in-words.ts';

describe('store/documents: the total in words', () => {
  it('chooses рубль / рубля / рублей by the last digits, 11–14 always many', () => {
    const f: [string, string, string] = ['рубль', 'рубля', 'рублей'];
    const got = [1n, 2n, 4n, 5n, 11n, 12n, 14n, 21n, 22n, 25n, 101n, 111n, 1000n].map((n) => plural(n, f));
    expect(got).to.deep.equal(['рубль', 'рубля', 'рубля', 'рублей', 'рублей', 'рублей', 'рублей', 'рубль', 'рубля', 'рублей', 'рубль', 'рублей', 'рублей']);
  });

  it('writes thousands feminine (одна тысяча, две тысячи) and millions masculine', () => {
    expect(numberInWords(0n)).to.equal('ноль');
    expect(numberInWords(1000n)).to.equal('одна тысяча');
    expect(numberInWords(2000n)).to.equal('две тысячи');
    expect(numberInWords(5000n)).to.equal('пять тысяч');
    expect(numberInWords(11_000n)).to.equal('одиннадцать тысяч');
    expect(numberInWords(21_000n)).to.equal('двадцать одна тысяча');
    expect(numberInWords(1_001_001n)).to.equal('один миллион одна тысяча один');
    expect(numberInWords(2_000_000_000n)).to.equal('два миллиарда');
    expect(numberInWords(342_912n)).to.equal('триста сорок две тысячи девятьсот двенадцать');
    expect(numberInWords(2n, true)).to.equal('две');
  });

  it('writes an invoice total: roubles in words, kopecks in digits with their form', () => {
    expect(roublesInWords('1.00')).to.equal('Один рубль 00 копеек');
    expect(roublesInWords('2.01')).to.equal('Два рубля 01 копейка');
    expect(roublesInWords('5.02')).to.equal('Пять рублей 02 копейки');
    expect(roublesInWords('11.11')).to.equal('Одиннадцать рублей 11 копеек');
    expect(roublesInWords('1234.5')).to.equal('Одна тысяча двести тридцать четыре рубля 50 копеек');
    expect(roublesInWords('21000.21')).to.equal('Двадцать одна тысяча рублей 21 копейка');
    expect(roublesInWords('0.99')).to.equal('Ноль рублей 99 копеек');
    expect(roublesInWords('100')).to.equal('Сто рублей 00 копеек');
    expect(roublesInWords('1000000.00')).to.equal('Один миллион рублей 00 копеек');
  });

  it('rounds half up to kopecks exactly (no floats), marks a negative sum, refuses what is not an amount', () => {
    expect(roublesInWords('9.995')).to.equal('Десять рублей 00 копеек');
    expect(roublesInWords('0.0049')).to.equal('Ноль рублей 00 копеек');
    expect(roublesInWords('123456789012.34')).to.equal('Сто двадцать три миллиарда четыреста пятьдесят шесть миллионов семьсот восемьдесят девять тысяч двенадцать рублей 34 копейки');
    expect(roublesInWords('-3.00')).to.equal('Минус три рубля 00 копеек');
    expect(() => roublesInWords('1,50')).to.throw(RangeError, '"1,50" is not a decimal amount');
  });
});
