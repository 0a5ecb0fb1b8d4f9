// Product pictures on the buyer's pages: a kept picture as its thumbnail in the catalog tiles
// (240 px) and on the product page (640 px); the neutral placeholder for a product without one,
// or whose picture never arrived (a 1C path, not a kept picture).
import { expect } from 'chai';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

describe('web: product pictures in tiles and on the product page', () => {
  const w = useWorld();
  let a: WebClient;
  const h = 'b'.repeat(64);
  const tile = (html: string, offerId: number) => html.match(new RegExp(`<article class="tile" id="o${offerId}">([\\s\\S]*?)</article>`))?.[1] ?? '';

  beforeEach(async () => {
    a = await w.signIn('a');
    const [withPicture, withPath] = await Promise.all(w.fx.offers.slice(0, 2).map((id) => w.rt.db('offers').where({ id }).first('product_id')));
    await w.rt.db('products').where({ id: withPicture!.product_id }).update({ images: JSON.stringify([`sha256:${h}`]) });
    await w.rt.db('products').where({ id: withPath!.product_id }).update({ images: JSON.stringify(['import_files/zz/never-sent.jpg']) });
  });

  it('tiles show the thumbnail or the placeholder', async () => {
    const r = await a.get('/catalog?view=tiles');
    expect(tile(r.text, w.fx.offers[0]!)).to.contain(`<img src="/images/${h}/240.webp" alt="" loading="lazy">`);
    expect(tile(r.text, w.fx.offers[1]!)).to.contain('class="noimg"').and.not.contain('<img');
  });

  it('the product page shows the larger thumbnail, or the placeholder', async () => {
    expect((await a.get(`/product/${w.fx.offers[0]}`)).text).to.contain(`src="/images/${h}/640.webp"`);
    const other = await a.get(`/product/${w.fx.offers[1]}`);
    expect(other.text).to.contain('class="noimg"').and.not.contain('never-sent.jpg');
  });
});
