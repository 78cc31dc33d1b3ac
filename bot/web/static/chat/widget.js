/* Policyline chat widget: talks to the Rasa server over socket.io (channels/web_chat.py).
 *
 * No build step, no inline script (strict CSP), no innerHTML: every message is built with DOM
 * calls and textContent, links only for http(s) URLs. The conversation survives a reload: the
 * signed session token and the transcript live in this tab's sessionStorage, and the server
 * resumes the conversation the token names.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "policyline.chat.session";
  var TRANSCRIPT_KEY = "policyline.chat.transcript";
  var TRANSCRIPT_LIMIT = 200;
  // Hand-over tokens live 120 s on the server; stop sending one a little before that.
  var HANDOVER_SEND_MS = 110 * 1000;
  var URL_PATTERN = /(https?:\/\/[^\s<>"']+)/g;
  var DOCUMENT_NAMES = {
    id_card: "ID card",
    declarations: "declarations page",
    certificate: "certificate of insurance"
  };

  function storage() {
    try {
      return window.sessionStorage;
    } catch (err) {
      return null; // storage blocked: the chat still works, without resuming after a reload
    }
  }

  function readJson(key, fallback) {
    var store = storage();
    if (!store) { return fallback; }
    try {
      var value = JSON.parse(store.getItem(key) || "null");
      return value === null ? fallback : value;
    } catch (err) {
      return fallback;
    }
  }

  function writeJson(key, value) {
    var store = storage();
    if (!store) { return; }
    try { store.setItem(key, JSON.stringify(value)); } catch (err) { /* quota: keep going */ }
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function hidden(text) {
    return el("span", "plc-visually-hidden", text);
  }

  function newTabHint() {
    return hidden(" (opens in a new tab)");
  }

  function link(href, label) {
    var a = el("a", null, label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(newTabHint());
    return a;
  }

  // Text with its http(s) URLs as links; trailing punctuation stays text.
  function appendLinkified(parent, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (match, url, offset) {
      var trimmed = url.replace(/[.,;:!?)]+$/, "");
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      parent.appendChild(link(trimmed, trimmed));
      last = offset + trimmed.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function Widget(root) {
    this.root = root;
    this.mode = root.getAttribute("data-mode") || "page";
    this.rasaUrl = root.getAttribute("data-rasa-url");
    this.socketPath = root.getAttribute("data-socket-path") || "/socket.io/";
    this.maxChars = parseInt(root.getAttribute("data-max-chars") || "1000", 10);
    this.handoverToken = root.getAttribute("data-handover-token");
    this.handoverUntil = Date.now() + HANDOVER_SEND_MS;
    this.log = root.querySelector("#plc-log");
    this.status = root.querySelector("#plc-status");
    this.typing = root.querySelector("#plc-typing");
    this.form = root.querySelector("#plc-form");
    this.input = root.querySelector("#plc-input");
    this.ready = false;
    this.everConnected = false;
    this.transcript = readJson(TRANSCRIPT_KEY, []);
    this.socket = null;
  }

  Widget.prototype.start = function () {
    var self = this;
    this.restoreTranscript();
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendTyped();
    });
    if (this.mode === "embedded") { this.wireLauncher(); }
    if (typeof window.io !== "function") {
      this.setStatus("The chat could not load. Please reload the page.");
      return;
    }
    this.connect();
  };

  // The controls Tab can reach inside the panel, in order (quick replies and links come and go).
  Widget.prototype.tabbable = function () {
    var found = this.root.querySelectorAll("a[href], button:not([disabled]), input:not([disabled]), [tabindex]");
    var list = [];
    for (var i = 0; i < found.length; i += 1) {
      var node = found[i];
      if (node.tabIndex >= 0 && node.getClientRects().length > 0) { list.push(node); }
    }
    return list;
  };

  // Embedded, the open panel is a modal dialog (WCAG 2.4.3, 2.4.11): everything else on the page
  // is inert (no focus, no clicks, hidden from screen readers), Tab and Shift+Tab wrap inside the
  // panel, Escape or the close button shuts it and focus goes back to the launcher. The
  // idle-timeout warning (an alertdialog) stays reachable.
  Widget.prototype.wireLauncher = function () {
    var self = this;
    var launcher = document.getElementById("plc-launcher");
    var close = this.root.querySelector("#plc-close");
    var madeInert = [];
    function isOpen() { return !self.root.hidden; }
    function setBackgroundInert() {
      var children = document.body.children;
      for (var i = 0; i < children.length; i += 1) {
        var node = children[i];
        if (node.contains(self.root) || node.inert || node.getAttribute("role") === "alertdialog" ||
            node.tagName === "SCRIPT") { continue; }
        node.inert = true;
        madeInert.push(node);
      }
    }
    function releaseBackground() {
      while (madeInert.length) { madeInert.pop().inert = false; }
    }
    function open() {
      self.root.hidden = false;
      setBackgroundInert();
      if (launcher) { launcher.setAttribute("aria-expanded", "true"); launcher.hidden = true; }
      self.input.focus();
    }
    function shut() {
      if (!isOpen()) { return; }
      self.root.hidden = true;
      releaseBackground();
      if (launcher) { launcher.hidden = false; launcher.setAttribute("aria-expanded", "false"); launcher.focus(); }
    }
    if (launcher) { launcher.addEventListener("click", open); }
    if (close) { close.addEventListener("click", shut); }
    document.addEventListener("keydown", function (event) {
      if (!isOpen()) { return; }
      if (event.key === "Escape") {
        var warning = document.querySelector("[role=alertdialog]:not([hidden])");
        if (!warning || !warning.contains(document.activeElement)) { shut(); }
        return;
      }
      if (event.key !== "Tab" || !self.root.contains(document.activeElement)) { return; }
      var stops = self.tabbable();
      if (!stops.length) { return; }
      var first = stops[0];
      var last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
  };

  Widget.prototype.connect = function () {
    var self = this;
    var socket = window.io(this.rasaUrl, {
      path: this.socketPath,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000
    });
    this.socket = socket;

    socket.on("connect", function () {
      var store = storage();
      socket.emit("session_request", { session_token: store ? store.getItem(TOKEN_KEY) : null });
    });
    socket.on("session_confirm", function (data) {
      var store = storage();
      if (store && data && typeof data.session_token === "string") {
        store.setItem(TOKEN_KEY, data.session_token);
      }
      self.ready = true;
      // A new conversation opens with the assistant saying it is automated and how to reach a
      // person (the server sends it with a new conversation's confirmation only).
      if (data && typeof data.disclosure === "string" && data.disclosure) {
        self.receive({ text: data.disclosure });
      }
      if (self.everConnected) {
        self.setStatus("Reconnected. You can carry on.");
      } else {
        self.setStatus(data && data.resumed ? "Connected. Your conversation continues." : "Connected");
      }
      self.everConnected = true;
    });
    socket.on("disconnect", function () {
      self.ready = false;
      self.showTyping(false);
      self.setStatus("Connection lost. Reconnecting…");
    });
    socket.on("connect_error", function () {
      self.ready = false;
      self.setStatus(self.everConnected ? "Connection lost. Reconnecting…" : "Can't reach the chat yet. Retrying…");
    });
    // The browser knows about a lost network before the socket's ping does: say so at once
    // and let the socket's reconnection (with backoff) take over.
    window.addEventListener("offline", function () {
      self.ready = false;
      self.showTyping(false);
      self.setStatus("Connection lost. Reconnecting…");
      if (socket.io && socket.io.engine) { socket.io.engine.close(); }
    });
    socket.on("bot_typing", function (data) {
      self.showTyping(Boolean(data && data.typing));
    });
    socket.on("bot_uttered", function (message) {
      self.receive(message);
    });
  };

  Widget.prototype.setStatus = function (text) {
    if (this.status.textContent !== text) { this.status.textContent = text; }
  };

  Widget.prototype.showTyping = function (on) {
    this.typing.hidden = !on;
  };

  Widget.prototype.scrollToEnd = function () {
    var log = this.log;
    if (log.scrollTo) {
      log.scrollTo({ top: log.scrollHeight, behavior: reducedMotion() ? "auto" : "smooth" });
    } else {
      log.scrollTop = log.scrollHeight;
    }
  };

  Widget.prototype.remember = function (entry) {
    this.transcript.push(entry);
    if (this.transcript.length > TRANSCRIPT_LIMIT) {
      this.transcript = this.transcript.slice(-TRANSCRIPT_LIMIT);
    }
    writeJson(TRANSCRIPT_KEY, this.transcript);
  };

  Widget.prototype.restoreTranscript = function () {
    // Restored messages are not re-announced: the log is filled before it is live for them.
    for (var i = 0; i < this.transcript.length; i += 1) {
      this.render(this.transcript[i], { restoring: true });
    }
    this.scrollToEnd();
  };

  // entry: {from: "bot"|"user"|"notice", text?, document?: {kind, url}, link?: {label, url}}
  Widget.prototype.render = function (entry, options) {
    var bubble = el("div", "plc-msg plc-msg--" + entry.from);
    var who = entry.from === "user" ? "You said: " : entry.from === "bot" ? "Policyline said: " : "";
    if (who) { bubble.appendChild(hidden(who)); }
    if (entry.text) { appendLinkified(bubble, entry.text); }
    if (entry.document && entry.document.url) {
      var name = DOCUMENT_NAMES[entry.document.kind] || "document";
      if (entry.text) { bubble.appendChild(document.createElement("br")); }
      var doc = link(entry.document.url, "Open your " + name + " (PDF)");
      doc.className = "plc-doc";
      bubble.appendChild(doc);
    }
    if (entry.link && entry.link.url) {
      if (entry.text) { bubble.appendChild(document.createElement("br")); }
      var pay = link(entry.link.url, entry.link.label);
      pay.className = "plc-doc";
      bubble.appendChild(pay);
    }
    if (!options || !options.detached) { this.log.appendChild(bubble); }
    if (!options || !options.restoring) { this.scrollToEnd(); }
    return bubble;
  };

  Widget.prototype.renderReplies = function (replies) {
    var self = this;
    var group = el("div", "plc-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    replies.forEach(function (reply) {
      if (!reply || typeof reply.title !== "string") { return; }
      var button = el("button", "plc-reply", reply.title);
      button.type = "button";
      button.addEventListener("click", function () {
        if (self.send(reply.payload || reply.title, reply.title)) {
          group.remove();
          self.input.focus();
        }
      });
      group.appendChild(button);
    });
    if (group.childNodes.length) {
      this.log.appendChild(group);
      this.scrollToEnd();
    }
  };

  Widget.prototype.receive = function (message) {
    if (!message || typeof message !== "object") { return; }
    var custom = message.custom || {};
    var entry = { from: "bot" };
    if (typeof message.text === "string") { entry.text = message.text; }
    if (custom.document && typeof custom.document.url === "string") {
      entry.document = { kind: custom.document.kind, url: custom.document.url };
    }
    if (custom.pay_link && typeof custom.pay_link.url === "string") {
      entry.link = { label: "Open the secure payment page", url: custom.pay_link.url };
    }
    if (!entry.text && !entry.document && !entry.link) { return; } // e.g. a handoff record
    if (!entry.text && this.attachToLast(entry)) { return; }
    this.render(entry);
    this.remember(entry);
    if (Array.isArray(message.quick_replies) && message.quick_replies.length) {
      this.renderReplies(message.quick_replies);
    }
  };

  // The actions send a document or pay link twice: in the text (for SMS) and as a payload. Show
  // it once: the raw URL in the last bot message becomes the payload's labelled link.
  Widget.prototype.attachToLast = function (entry) {
    var url = (entry.document || entry.link).url;
    var last = this.transcript[this.transcript.length - 1];
    var bubble = this.log.lastElementChild;
    if (!last || last.from !== "bot" || !last.text || last.text.indexOf(url) === -1 ||
        !bubble || !bubble.classList.contains("plc-msg--bot")) {
      return false;
    }
    last.text = last.text.replace(url, "").replace(/[ \t]{2,}/g, " ").replace(/\s+$/, "");
    if (entry.document) { last.document = entry.document; }
    if (entry.link) { last.link = entry.link; }
    writeJson(TRANSCRIPT_KEY, this.transcript);
    var fresh = this.render(last, { restoring: true, detached: true });
    bubble.replaceWith(fresh);
    this.scrollToEnd();
    return true;
  };

  Widget.prototype.sendTyped = function () {
    var text = this.input.value.trim();
    if (!text) {
      this.setStatus("Type a message first.");
      this.input.focus();
      return;
    }
    if (text.length > this.maxChars) {
      this.setStatus("That message is too long. Please keep it under " + this.maxChars + " characters.");
      return;
    }
    if (this.send(text, text)) {
      this.input.value = "";
    }
    this.input.focus();
  };

  // Sends `payload` (what Rasa reads), showing `shown` (what the person chose or typed).
  Widget.prototype.send = function (payload, shown) {
    if (!this.socket || !this.ready) {
      this.setStatus("Not connected right now. Your message is kept; try again in a moment.");
      return false;
    }
    var metadata = {};
    if (this.handoverToken && Date.now() < this.handoverUntil) {
      metadata.web_token = this.handoverToken;
    }
    var entry = { from: "user", text: shown };
    this.render(entry);
    this.remember(entry);
    this.showTyping(true);
    this.socket.emit("user_uttered", { message: payload, metadata: metadata });
    return true;
  };

  function boot() {
    var roots = document.querySelectorAll("[data-policyline-chat]");
    for (var i = 0; i < roots.length; i += 1) {
      new Widget(roots[i]).start();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();
