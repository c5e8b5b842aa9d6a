// The intake form's enhancements. The form works without them: the server
// shows five spend lines and ignores the last round of a pre-seed startup.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;

  // The last round is asked for unless the startup is pre-seed.
  var stage = document.getElementById("stage");
  var round = form.querySelector("[data-round]");
  if (stage && round) {
    var syncRound = function () { round.hidden = stage.value === "pre_seed"; };
    stage.addEventListener("change", syncRound);
    syncRound();
  }

  // Spend lines: one empty line after the filled ones, and a button that
  // adds another, up to the fifty the rules allow.
  var MAX_LINES = 50;
  var box = form.querySelector("[data-spend-lines]");
  var add = form.querySelector("[data-add-line]");
  if (box && add) {
    var lines = function () { return Array.prototype.slice.call(box.querySelectorAll("[data-spend-line]")); };
    var isEmpty = function (line) {
      return Array.prototype.every.call(line.querySelectorAll("select, input"), function (c) { return c.value === ""; }) &&
        !line.querySelector("[aria-invalid]");
    };
    var lastFilled = -1;
    lines().forEach(function (line, i) { if (!isEmpty(line)) lastFilled = i; });
    lines().forEach(function (line, i) { if (i > lastFilled + 1 && i > 0) line.hidden = true; });

    var renumber = function (line, i) {
      line.querySelector("legend").textContent = "Line " + (i + 1);
      line.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace(/^spend-\d+-/, "spend-" + i + "-"); });
      line.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = el.htmlFor.replace(/^spend-\d+-/, "spend-" + i + "-"); });
      line.querySelectorAll("[name]").forEach(function (el) { el.name = el.name.replace(/^spend\.\d+\./, "spend." + i + "."); });
    };
    var copyOf = function (line, i) {
      var n = line.cloneNode(true);
      n.hidden = false;
      n.querySelectorAll(".error").forEach(function (el) { el.remove(); });
      n.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
      n.querySelectorAll("select, input").forEach(function (el) {
        el.value = "";
        el.removeAttribute("aria-invalid");
        el.removeAttribute("aria-describedby");
      });
      renumber(n, i);
      return n;
    };
    var update = function () {
      var all = lines();
      add.hidden = all.length >= MAX_LINES && !all.some(function (l) { return l.hidden; });
    };
    add.addEventListener("click", function () {
      var all = lines();
      var next = all.filter(function (l) { return l.hidden; })[0];
      if (next) {
        next.hidden = false;
      } else if (all.length < MAX_LINES) {
        next = copyOf(all[all.length - 1], all.length);
        box.appendChild(next);
      }
      if (next) next.querySelector("select").focus();
      update();
    });
    update();
  }

  // One click sends the form once; the idempotency key covers the rest.
  form.addEventListener("submit", function (e) {
    if (form.dataset.sending) { e.preventDefault(); return; }
    form.dataset.sending = "1";
  });
  window.addEventListener("pageshow", function () { delete form.dataset.sending; });
})();
