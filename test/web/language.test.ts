// The language switcher and the request's language: Russian by default, English on choice;
// visitors keep it in the `lang` cookie, signed-in users in users.language (it follows them to
// another browser); the form works without JavaScript (plain POST/GET, 303 back).
import { expect } from 'chai';
import { useWorld } from '../support/world.ts';

describe('web/language: per-user choice of Russian or English', () => {
  const w = useWorld();

  it('a buyer sees Russian by default and English after choosing it, stored for their next sign-in', async () => {
    const a = await w.signIn('a');
    const ru = await a.get('/catalog');
    expect(ru.text).to.contain('<html lang="ru">').and.contain('6 позиций').and.contain('Цены и остатки на');
    expect(ru.text).to.match(/<form class="language-switch" action="\/language" method="post"/);
    expect(ru.text).to.match(/<button type="submit" name="lang" value="ru"[^>]* aria-current="true" disabled>Русский<\/button>/);

    const set = await a.post('/language', { lang: 'en', back: '/catalog?q=drill' });
    expect(set.status).to.equal(303);
    expect(set.location).to.equal('/catalog?q=drill');
    expect(set.res.headers.getSetCookie().join('\n')).to.match(/lang=en; Path=\/; SameSite=Lax; Max-Age=31536000/);
    expect((await w.rt.db('users').where({ id: w.fx.users.a }).first('language'))!.language).to.equal('en');
    const en = await a.get('/catalog');
    expect(en.text).to.contain('<html lang="en">').and.contain('6 items').and.contain('Prices and stock as of');

    const elsewhere = await w.signIn('a'); // another browser: no cookie, the stored choice
    expect((await elsewhere.get('/catalog')).text).to.contain('6 items');
    const other = await w.signIn('b'); // another user: still the default
    expect((await other.get('/catalog')).text).to.contain('позиц');
  });

  it('a visitor without a session switches with a GET form and a cookie', async () => {
    const v = w.anon();
    const login = await v.get('/login');
    expect(login.text).to.contain('<html lang="ru">');
    const r = await v.get('/language?lang=en&back=%2Flogin');
    expect(r.status).to.equal(303);
    expect(r.res.headers.get('location')).to.equal('/login');
    expect(v.cookies.get('lang')).to.equal('en');
    expect((await v.get('/login')).text).to.contain('<html lang="en">');
  });

  it('refuses an unknown language with 422 and never redirects off the site', async () => {
    const a = await w.signIn('a');
    await a.get('/catalog');
    const bad = await a.post('/language', { lang: 'xx', back: '/catalog' });
    expect(bad.status).to.equal(422);
    expect((await w.rt.db('users').where({ id: w.fx.users.a }).first('language'))!.language).to.equal(null);
    const off = await a.post('/language', { lang: 'en', back: '//evil.example/' });
    expect(off.status).to.equal(303);
    expect(off.location).to.equal('/');
    const noToken = await a.post('/language', { lang: 'ru', back: '/' }, { csrf: null });
    expect(noToken.status).to.equal(403);
    expect((await w.rt.db('users').where({ id: w.fx.users.a }).first('language'))!.language).to.equal('en');
  });
});
