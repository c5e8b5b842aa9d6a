// The status page's enhancements: the private link's fragment exchanged for
// the access cookie, a copy button, and a status that refreshes itself
// while routing runs. Without them the page asks for the link to be pasted
// and says to reload.
(function () {
  "use strict";

  // The private link carries the token in its fragment, which no server
  // sees. Take it out of the address at once (and out of the history),
  // then post it in a form body to exchange it for the cookie.
  var fragment = location.hash.slice(1);
  if (fragment) {
    history.replaceState(null, "", location.pathname + location.search);
    var sessionForm = document.querySelector("[data-session-form]");
    if (sessionForm && /^cr_intake_[A-Za-z0-9_-]+$/.test(fragment)) {
      sessionForm.querySelector("[name=token]").value = fragment;
      var opening = document.querySelector("[data-opening]");
      if (opening) opening.hidden = false;
      sessionForm.submit();
      return;
    }
  }

  // Copy the private link.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var said = document.querySelector("[data-copied]");
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { if (said) said.textContent = "Copied."; };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  });

  // Refresh the live section while the status is expected to change.
  var live = document.getElementById("live");
  if (!live || !live.hasAttribute("data-polling")) return;
  var url = live.getAttribute("data-live-url");
  var announce = document.querySelector("[data-announce]");
  var status = live.getAttribute("data-status");
  var FIRST = 2000, MAX = 30000;
  var delay = FIRST, unchanged = 0;

  var schedule = function () { window.setTimeout(poll, delay); };
  var poll = function () {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.text().then(function (html) {
          return { html: html, status: r.headers.get("X-Intake-Status"), polling: r.headers.get("X-Intake-Polling") === "true" };
        });
      })
      .then(function (got) {
        if (got.status && got.status !== status) {
          // The section is this server's own HTML, escaped when rendered.
          live.innerHTML = got.html;
          live.setAttribute("data-status", got.status);
          status = got.status;
          delay = FIRST;
          unchanged = 0;
          var title = live.querySelector("#status-title");
          if (announce && title) announce.textContent = title.textContent.trim();
        } else if (++unchanged > 15) {
          delay = Math.min(Math.round(delay * 1.5), MAX);
        }
        if (got.polling) schedule();
      })
      .catch(function () {
        delay = Math.min(delay * 2, MAX);
        schedule();
      });
  };
  schedule();
})();
