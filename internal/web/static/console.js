// What the console does with JavaScript, on every page:
//  - times (<time datetime data-local>) are rewritten in the viewer's time
//    zone, keeping the UTC time as the hover text;
//  - countdowns ([data-countdown]) tick down to their deadline;
//  - copy buttons ([data-copy]) copy the text of the element they name.
(function () {
  "use strict";
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
  } catch (e) { fmt = null; }
  if (fmt) {
    document.querySelectorAll("time[data-local]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      t.title = "UTC: " + t.textContent;
      t.textContent = fmt.format(d);
    });
  }

  function left(ms) {
    if (ms <= 0) return "expired";
    var m = Math.floor(ms / 60000), h = Math.floor(m / 60);
    var s = Math.floor((ms % 60000) / 1000);
    if (h >= 48) return Math.floor(h / 24) + " days " + (h % 24) + " h left";
    if (h > 0) return h + " h " + (m % 60) + " min " + s + " s left";
    if (m > 0) return m + " min " + s + " s left";
    return s + " s left";
  }
  var countdowns = document.querySelectorAll("[data-countdown]");
  function tick() {
    var now = Date.now();
    countdowns.forEach(function (el) {
      var until = Date.parse(el.getAttribute("data-countdown"));
      if (!isNaN(until)) el.textContent = left(until - now);
    });
  }
  if (countdowns.length) { tick(); setInterval(tick, 1000); }

  document.querySelectorAll("[data-copy]").forEach(function (btn) {
    var source = document.getElementById(btn.getAttribute("data-copy"));
    var said = document.getElementById(btn.getAttribute("data-copy") + "-copied");
    if (!source) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var text = source.value !== undefined ? source.value : source.textContent;
      var done = function () { if (said) said.textContent = "Copied to the clipboard."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { source.select && source.select(); });
      } else if (source.select) {
        source.select();
        document.execCommand("copy");
        done();
      }
    });
  });
})();
