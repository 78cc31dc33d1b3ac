// Idle-timeout warning: shown `warn` seconds before the server-side idle timeout, with
// "Stay signed in" (a POST that counts as activity) and "Sign out". The server enforces the
// timeout either way; this only warns. No inline script: settings come from data attributes.
(function () {
  "use strict";
  var root = document.getElementById("session-timeout");
  if (!root) { return; }
  var idle = Number(root.dataset.idle), warn = Number(root.dataset.warn);
  var statusUrl = root.dataset.status, extendUrl = root.dataset.extend, loginUrl = root.dataset.login;
  var token = root.dataset.csrf, countdown = document.getElementById("session-timeout-left");
  var deadline = Date.now() + idle * 1000, timer = null;

  function show(secondsLeft) {
    var minutes = Math.ceil(secondsLeft / 60);
    countdown.textContent = secondsLeft < 60 ? "less than a minute"
      : minutes === 1 ? "1 minute" : minutes + " minutes";
    if (root.hidden) { root.hidden = false; document.getElementById("session-timeout-stay").focus(); }
  }
  function check() {
    var left = (deadline - Date.now()) / 1000;
    if (left <= 0) { window.location.assign(loginUrl); return; }
    if (left <= warn) {
      // Another tab may have kept the session alive: ask the server (this poll is passive).
      fetch(statusUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (s) {
          if (!s.signed_in) { window.location.assign(loginUrl); return; }
          deadline = Date.now() + s.idle_seconds_left * 1000;
          if (s.idle_seconds_left <= warn) { show(s.idle_seconds_left); } else { root.hidden = true; }
        }).catch(function () { show(left); });
    }
  }
  document.getElementById("session-timeout-stay").addEventListener("click", function () {
    fetch(extendUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.signed_in) { window.location.assign(loginUrl); return; }
        deadline = Date.now() + s.idle_seconds_left * 1000; root.hidden = true;
      });
  });
  // Check often enough to warn on time, at most every 15 s.
  timer = window.setInterval(check, Math.max(1000, Math.min(15000, warn * 250)));
})();
