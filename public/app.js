// Page behaviours wired by data-attributes, so the Content-Security-Policy can forbid inline
// scripts and inline event handlers (script-src 'self'). Delegated from document: works for
// content htmx swaps in later without re-binding.
//   <select data-autosubmit>            submits its form on change (counterparty switcher)
//   <form data-confirm="Question?">     asks before submitting (plain and boosted forms)
//   <form data-reset-on-success="#id">  htmx form: after a successful request, resets itself and
//                                       empties the element #id (the message box's error line)
(() => {
  document.addEventListener('change', (e) => {
    const el = e.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute('data-autosubmit') && el.form) el.form.requestSubmit();
  });

  // Capture phase: runs before htmx's boosted-form submit handler, so a "no" stops both.
  document.addEventListener(
    'submit',
    (e) => {
      const form = e.target;
      if (!(form instanceof HTMLFormElement)) return;
      const question = form.getAttribute('data-confirm');
      if (question && !window.confirm(question)) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    },
    true,
  );

  document.addEventListener('htmx:afterRequest', (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-reset-on-success') || !e.detail.successful) return;
    form.reset();
    const sel = form.getAttribute('data-reset-on-success');
    const box = sel ? document.querySelector(sel) : null;
    if (box) box.textContent = '';
  });
})();
