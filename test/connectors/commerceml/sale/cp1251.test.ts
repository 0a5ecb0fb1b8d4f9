// The windows-1251 writer, checked against a decoder that is not the one under test (the
// platform's TextDecoder, from WHATWG's index) so a shared mistake cannot hide.
import { expect } from 'chai';
import { encodeCp1251 } from '../../../../connectors/commerceml/sale/cp1251.ts';

const decode = (b: Buffer) => new TextDecoder('windows-1251').decode(b);

describe('encodeCp1251', () => {
  it('writes every character windows-1251 has above ASCII as its own byte (127 of them)', () => {
    let checked = 0;
    for (let byte = 0x80; byte <= 0xff; byte++) {
      const ch = new TextDecoder('windows-1251').decode(Uint8Array.of(byte));
      if (byte === 0x98) continue; // unassigned in windows-1251 (WHATWG decodes it to the C1 control U+0098)
      const out = encodeCp1251(ch);
      expect([...out], `U+${ch.codePointAt(0)?.toString(16)}`).to.deep.equal([byte]);
      checked++;
    }
    expect(checked).to.equal(127);
  });

  it('round-trips the signs and letters the hand-written encoder lost', () => {
    const text = '’ ‘ • ™ ‰ І і Ї ї Є є Ґ ґ Ў ў — «Ёлка» №5 …';
    const out = encodeCp1251(text);
    expect(out.includes(0x3f)).to.equal(false);
    expect(decode(out)).to.equal(text);
  });

  it('sends characters windows-1251 lacks as XML character references', () => {
    expect(decode(encodeCp1251('100 ₽'))).to.equal('100 &#8381;');
    expect(decode(encodeCp1251('ок 👍'))).to.equal('ок &#128077;');
    expect(decode(encodeCp1251('東京'))).to.equal('&#26481;&#20140;');
  });

  it('leaves ASCII and empty text as they are', () => {
    expect(encodeCp1251('').length).to.equal(0);
    expect(encodeCp1251('<a b="1">x &amp; y</a>').toString('latin1')).to.equal('<a b="1">x &amp; y</a>');
  });
});
