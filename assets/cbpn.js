/* Progressive enhancement only: every task works without this file.
 * - Choosing a province, district or commune presses the form's "next list"
 *   button, so the next list comes without a second tap.
 * - Choosing a status in the case filter shows the list at once, and ticking
 *   a task's done box saves it (elements marked data-autosubmit).
 * - A button marked data-print (shown only with JavaScript) prints the page.
 * - The quick exit (#quick-exit, a plain link to /exit) replaces the page
 *   with location.replace(), so the back button does not bring it back. */
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  document.addEventListener('click', function (ev) {
    var el = ev.target;
    if (el && el.id === 'quick-exit') {
      ev.preventDefault();
      window.location.replace(el.getAttribute('href'));
      return;
    }
    if (el && el.hasAttribute && el.hasAttribute('data-print')) window.print();
  });
  document.addEventListener('change', function (ev) {
    var el = ev.target;
    if (!el || !el.form) return;
    if (el.tagName === 'INPUT' && el.type === 'checkbox' && el.hasAttribute('data-autosubmit')) {
      if (el.form.requestSubmit) el.form.requestSubmit();
      else el.form.submit();
      return;
    }
    if (el.tagName !== 'SELECT') return;
    if (el.hasAttribute('data-step')) {
      var next = el.form.querySelector('button[name="step"]');
      if (!next) return;
      if (el.form.requestSubmit) el.form.requestSubmit(next);
      else next.click();
    } else if (el.hasAttribute('data-autosubmit')) {
      if (el.form.requestSubmit) el.form.requestSubmit();
      else el.form.submit();
    }
  });
})();
