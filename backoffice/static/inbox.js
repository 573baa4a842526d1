/* The inbox's pages (backoffice/views/inbox_pages.py; no inline script: the CSP forbids it).
   A conversation asks for the messages that came after the last one shown, every few seconds,
   and adds them (a file the person sent as its download link, as the page itself shows it); a
   canned reply's button puts its text in the reply box. The navigation's unread badge is
   office.js's. */
(function () {
  'use strict';
  var EVERY = 4000;  /* ms between two questions to the server */

  var thread = document.getElementById('inbox-thread');
  if (thread) {
    var add = function (line) {
      if (thread.querySelector('[data-line="' + line.id + '"]')) return;
      var item = document.createElement('li');
      item.className = 'inbox-line inbox-' + line.kind + ' mb-3';
      item.dataset.line = line.id; item.dataset.kind = line.kind;
      var head = document.createElement('div');
      head.className = 'small text-muted';
      var label = document.createElement('span');
      label.className = 'inbox-label fw-bold'; label.textContent = line.label;
      head.appendChild(label);
      if (line.author) {
        head.appendChild(document.createTextNode(' · '));
        var author = document.createElement('span');
        author.className = 'inbox-author'; author.textContent = line.author;
        head.appendChild(author);
      }
      head.appendChild(document.createTextNode(' · '));
      var time = document.createElement('time'); time.textContent = line.at;
      head.appendChild(time);
      var text = document.createElement('div');
      text.className = 'inbox-text';
      if (line.document) {  /* a file the person sent: its link, or its name for viewers */
        text.className += ' inbox-document';
        var clip = document.createElement('i');
        clip.className = 'fa-solid fa-paperclip me-1'; clip.setAttribute('aria-hidden', 'true');
        text.appendChild(clip);
        if (line.download) {
          var link = document.createElement('a');
          link.href = line.download; link.setAttribute('download', ''); link.textContent = line.text;
          text.appendChild(link);
        } else {
          text.appendChild(document.createTextNode(line.text + ' '));
          var note = document.createElement('span');
          note.className = 'text-muted small'; note.textContent = '(' + thread.dataset.viewerNote + ')';
          text.appendChild(note);
        }
      } else {
        text.textContent = line.text;
      }
      item.appendChild(head); item.appendChild(text);
      thread.appendChild(item);
      thread.dataset.after = line.id;
    };
    var status = document.getElementById('inbox-status');
    var ask = function () {
      fetch(thread.dataset.url + '&after=' + encodeURIComponent(thread.dataset.after), {credentials: 'same-origin'})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) return;
          answer.lines.forEach(add);
          if (status && answer.status_label) status.textContent = answer.status_label;
        })
        .catch(function () {})
        .then(function () { setTimeout(ask, EVERY); });
    };
    setTimeout(ask, EVERY);
  }

  /* The list: when the unread count changes (office.js asks for it), a link to see the list again. */
  var line = document.getElementById('inbox-unread-line');
  if (line) {
    document.addEventListener('inbox-counts', function (event) {
      if (String(event.detail.unread) === line.dataset.unread || line.querySelector('a')) return;
      var again = document.createElement('a');
      again.href = window.location.href;
      again.className = 'ms-2';
      again.id = 'inbox-refresh';
      again.textContent = line.dataset.refresh;
      line.appendChild(again);
    });
  }

  var box = document.getElementById('inbox-text');
  document.querySelectorAll('[data-canned]').forEach(function (button) {
    button.addEventListener('click', function () {
      if (!box) return;
      box.value = box.value ? box.value + '\n' + button.dataset.canned : button.dataset.canned;
      box.focus();
    });
  });
})();
