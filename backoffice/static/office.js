/* The back office's script, one file for every page (the pages' Content-Security-Policy allows
   no inline script: backoffice/security.py). Each part acts only on the page that has its elements. */
(function () {
  'use strict';

  /* The CSRF token goes back with every form post and every unsafe request to this site. */
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var field = document.querySelector('meta[name="csrf-field"]').content;
  function addToken(form) {
    if ((form.getAttribute('method') || '').toLowerCase() !== 'post') return;
    if (form.querySelector('input[name="' + field + '"]')) return;
    var input = document.createElement('input');
    input.type = 'hidden'; input.name = field; input.value = token;
    form.appendChild(input);
  }
  document.querySelectorAll('form').forEach(addToken);
  document.addEventListener('submit', function (event) { addToken(event.target); }, true);
  if (window.jQuery) { window.jQuery.ajaxSetup({ headers: { 'X-CSRF-Token': token } }); }
  var originalFetch = window.fetch;
  window.fetch = function (resource, init) {
    init = init || {};
    var method = (init.method || (resource && resource.method) || 'GET').toUpperCase();
    var url = new URL(typeof resource === 'string' ? resource : resource.url, window.location.href);
    if (method !== 'GET' && method !== 'HEAD' && url.origin === window.location.origin) {
      init.headers = new Headers(init.headers || {});
      init.headers.set('X-CSRF-Token', token);
    }
    return originalFetch.call(this, resource, init);
  };

  /* The inbox's unread count beside its menu entry (backoffice/views/inbox_pages.py), asked again
     every 20 seconds. */
  var unread = document.getElementById('inbox-unread');
  if (unread) {
    var count = function () {
      fetch(unread.dataset.url, {credentials: 'same-origin'})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) return;
          unread.textContent = answer.unread;
          unread.title = answer.label;
          unread.setAttribute('aria-label', answer.label);
          unread.hidden = !answer.unread;
          document.dispatchEvent(new CustomEvent('inbox-counts', {detail: answer}));  /* inbox.js */
        })
        .catch(function () {});
    };
    count();
    setInterval(count, 20000);
  }

  /* A table wider than a phone scrolls sideways in its box: the keyboard reaches the box too. */
  document.querySelectorAll('.table-responsive:not([tabindex])').forEach(function (box) { box.tabIndex = 0; });

  /* sqladmin's messages after an action (templates/sqladmin/flash.html), shown for 3 seconds. */
  document.querySelectorAll('.toast.admin-toast').forEach(function (toast) {
    new window.tabler.bootstrap.Toast(toast, { delay: 3000 }).show();
  });

  /* A form with data-confirm asks first ("Cancel this slot?..."). */
  document.addEventListener('submit', function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  /* Import: a file over the limit is refused before it is sent. */
  var importForm = document.getElementById('import-form');
  if (importForm) {
    importForm.addEventListener('submit', function (event) {
      var input = document.getElementById('import-file');
      var limit = parseInt(importForm.dataset.maxBytes, 10);
      if (input.files.length && input.files[0].size > limit) {
        event.preventDefault();
        input.classList.add('is-invalid');
      }
    });
  }

  /* A broadcast's confirmation: one press sends once; a second press (a double click) while the
     first is on its way does nothing. */
  var confirmForm = document.getElementById('confirm-form');
  if (confirmForm) {
    confirmForm.addEventListener('submit', function (event) {
      if (confirmForm.dataset.sent) { event.preventDefault(); return; }
      confirmForm.dataset.sent = '1';
    });
    window.addEventListener('pageshow', function () { delete confirmForm.dataset.sent; });  /* back to this page */
  }

  /* A new broadcast: the live count, the audience's filters going to the count endpoint as they change. */
  var composeForm = document.getElementById('compose-form');
  var shown = document.getElementById('audience-count');
  var audience = document.getElementById('audience');
  if (composeForm && shown && audience) {
    var timer = null, asked = 0;
    var ask = function () {
      var mine = ++asked, data = new FormData(composeForm);
      data.delete('step');
      fetch(composeForm.dataset.countUrl, {method: 'POST', body: data, credentials: 'same-origin'})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (mine !== asked) return;  /* a later change was asked about meanwhile */
          shown.textContent = answer.error || answer.text;
          shown.dataset.count = answer.error ? '' : answer.count;
          shown.classList.toggle('alert-danger', !!answer.error);
          shown.classList.toggle('alert-info', !answer.error);
        })
        .catch(function () {});
    };
    var changed = function (event) {
      if (!audience.contains(event.target)) return;
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    };
    composeForm.addEventListener('input', changed);
    composeForm.addEventListener('change', changed);
  }
})();
