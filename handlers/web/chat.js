// The web chat's page: no framework, no build. Every text goes in with textContent (never
// innerHTML), so nothing the bot or the person writes can become markup.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var notice = document.getElementById("notice");
  var attach = document.getElementById("attach");   // the paperclip: absent when files are not taken
  var picker = document.getElementById("file");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var storeKey = "webchat:" + root.dataset.history;
  var KEEP = 60;          // messages kept for a reload
  var POLL = 15000;       // how often to ask for messages the bot started itself
  var history = load();
  var busy = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || []; } catch (e) { return []; }
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(history.slice(-KEEP))); } catch (e) { /* full or off */ }
  }
  function clientId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The whole newest message, with its buttons and file, in view above the input bar; the start
  // of it when it is taller than the messages' box.
  function reveal(item) {
    list.scrollTop = list.scrollHeight;
    if (item.offsetHeight > list.clientHeight) list.scrollTop = item.offsetTop - 8;
  }
  function show(entry) {
    var item = document.createElement("li");
    item.className = entry.who;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    // Each message its own direction: the bot's that of the language it is written in (Arabic,
    // Urdu: right to left), the person's guessed from its first letter ("auto").
    bubble.dir = entry.dir || "auto";
    if (entry.lang) bubble.lang = entry.lang;
    bubble.textContent = entry.text;
    item.appendChild(bubble);
    if (entry.file) {
      var link = document.createElement("a");
      link.className = "file";
      link.href = entry.file.url;
      link.download = entry.file.filename;
      link.textContent = "\u{1F4C5} " + entry.file.filename;
      item.appendChild(link);
    }
    if (entry.buttons && entry.buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      row.dir = bubble.dir;
      if (entry.lang) row.lang = entry.lang;
      entry.buttons.forEach(function (button) {
        var element = document.createElement("button");
        element.type = "button";
        element.textContent = button.label;
        element.addEventListener("click", function () { press(button); });
        row.appendChild(element);
      });
      item.appendChild(row);
    }
    list.appendChild(item);
    reveal(item);
  }
  // The page's own words follow the language chosen in the chat.
  function relabel(words) {
    document.documentElement.lang = words.lang;
    document.documentElement.dir = words.dir;
    document.title = words.title;
    document.querySelector("h1").textContent = words.title;
    input.placeholder = words.placeholder;
    input.setAttribute("aria-label", words.placeholder);
    document.getElementById("send").textContent = words.send;
    document.getElementById("forget").textContent = words.forget;
    if (attach) { attach.title = words.attach; attach.setAttribute("aria-label", words.attach); }
  }
  function forgetTranscript() {
    history = [];
    try { localStorage.removeItem(storeKey); } catch (e) { /* off */ }
    list.textContent = "";
  }
  function add(entry) {
    history.push(entry);
    if (history.length > KEEP) history = history.slice(-KEEP);
    save();
    show(entry);
  }
  function addReplies(messages) {
    messages.forEach(function (m) {
      add({who: "bot", text: m.text, buttons: m.buttons, file: m.file, dir: m.dir, lang: m.lang});
    });
  }
  function clearNotice() {
    notice.hidden = true;
    notice.textContent = "";
  }
  function warn(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  // A message (JSON), or a file (a FormData, to /chat/upload): the answer is read the same way.
  function post(body, tries, url) {
    busy = true;
    var form = body instanceof FormData;
    var headers = {"X-CSRF-Token": csrf};
    if (!form) headers["Content-Type"] = "application/json";
    return fetch(url || "/chat/messages", {
      method: "POST", credentials: "same-origin", headers: headers,
      body: form ? body : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          clearNotice();
          if (data.forget) forgetTranscript();  // "erase my data": nothing of before stays on this browser
          if (data.page) relabel(data.page);
          addReplies(data.messages || []);
          return seen(data.messages || []);
        }
        // A stale page (its token no longer fits the cookie): reload it, once; cookies off: just say so.
        if (response.status === 403) {
          warn("\u21BB");
          if (!sessionStorage.getItem("webchat:reloaded")) { sessionStorage.setItem("webchat:reloaded", "1"); location.reload(); }
          return;
        }
        warn(data.error || String(response.status));
      });
    }, function () {
      // The network failed: try once more with the same client_id (handled once by the bot).
      if (tries > 0) return new Promise(function (r) { setTimeout(r, 1000); }).then(function () { return post(body, tries - 1, url); });
      warn("\u26A0");
    }).then(function () { busy = false; }, function () { busy = false; });
  }
  function send(text) {
    add({who: "me", text: text});
    return post({text: text, client_id: clientId()}, 1);
  }
  function press(button) {
    add({who: "me", text: button.label});
    return post({payload: button.payload, client_id: clientId()}, 1);
  }
  // A file from the paperclip. One too big is not sent, only its size: the bot says so in the
  // person's language, as it does on the other apps.
  function upload(file) {
    add({who: "me", text: "\u{1F4CE} " + file.name});
    var body = new FormData();
    body.append("client_id", clientId());
    if (file.size > Number(picker.dataset.max)) body.append("size", String(file.size));
    else body.append("file", file, file.name);
    return post(body, 1, "/chat/upload");
  }
  function poll() {
    if (busy) return;
    fetch("/chat/messages", {credentials: "same-origin"}).then(function (response) {
      return response.ok ? response.json() : {messages: []};
    }).then(function (data) {
      var messages = data.messages || [];
      if (!messages.length) return;
      addReplies(messages);
      return seen(messages);
    }).catch(function () {});
  }
  // Shown: now the server may mark them sent (a GET changes nothing; a reply not confirmed comes
  // again with a later poll).
  function seen(messages) {
    var ids = messages.map(function (m) { return m.id; }).filter(function (id) { return id; });
    if (!ids.length) return;
    return fetch("/chat/messages/seen", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({ids: ids})
    }).then(function (response) { return response.text(); })  // read to its end: the request is over
      .catch(function () {});
  }

  // "Forget this device" (a shared computer): the transcript and the identity cookie go, at once.
  document.getElementById("forget").addEventListener("click", function () {
    forgetTranscript();
    fetch("/chat/forget", {method: "POST", credentials: "same-origin", headers: {"X-CSRF-Token": csrf}})
      .then(function () { location.reload(); }, function () { location.reload(); });
  });

  if (attach) {
    attach.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () {
      var file = picker.files[0];
      picker.value = "";
      if (file) upload(file);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  history.forEach(show);
  if (!history.length) {
    post({text: "/start", client_id: clientId()}, 1);
  } else {
    poll();
  }
  setInterval(poll, POLL);
  input.focus();
})();
