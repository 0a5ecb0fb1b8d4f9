// Live countdowns for <time data-expires="ISO" data-units="h min s" data-due="…">: "2 ч 5 мин",
// then the due text — the units in the page's language (the server puts them there). The server
// refreshes the list over SSE when a reservation actually expires.
(() => {
  const fmt = (el, ms) => {
    const [uh = 'h', umin = 'min', us = 's'] = (el.dataset.units || '').split(' ');
    if (ms <= 0) return el.dataset.due || '—';
    const s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60);
    return h ? `${h} ${uh} ${m % 60} ${umin}` : m ? `${m} ${umin} ${s % 60} ${us}` : `${s} ${us}`;
  };
  const tick = () => {
    for (const el of document.querySelectorAll('time[data-expires]')) el.textContent = fmt(el, Date.parse(el.dataset.expires) - Date.now());
  };
  if (!window.__cpCountdown) window.__cpCountdown = setInterval(tick, 1000);
  tick();
})();
