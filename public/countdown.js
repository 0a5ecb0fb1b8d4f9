// Live countdowns for <time data-expires="ISO">: "2 h 5 min", then "due now". The server
// refreshes the list over SSE when a reservation actually expires.
(() => {
  const fmt = (ms) => {
    if (ms <= 0) return 'due now';
    const s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60);
    return h ? `${h} h ${m % 60} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
  };
  const tick = () => {
    for (const el of document.querySelectorAll('time[data-expires]')) el.textContent = fmt(Date.parse(el.dataset.expires) - Date.now());
  };
  if (!window.__cpCountdown) window.__cpCountdown = setInterval(tick, 1000);
  tick();
})();
