// What every page does with JavaScript: a summary of what went wrong is
// read first, and a link to a form control puts the focus in it (a plain
// in-page link would only scroll).
(function () {
  "use strict";
  var summary = document.getElementById("error-summary") || document.getElementById("notice");
  if (summary) summary.focus();

  // A link followed with Enter moves the focus into a field while the key
  // is still down: the rest of that key press must not send the form.
  var swallowEnter = false;
  document.addEventListener("keypress", function (e) {
    if (swallowEnter && e.key === "Enter") e.preventDefault();
  }, true);
  document.addEventListener("keyup", function () { swallowEnter = false; }, true);

  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest('a[href^="#"]') : null;
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target || !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
    e.preventDefault();
    var group = target.closest("fieldset");
    var label = document.querySelector('label[for="' + target.id + '"]');
    (label || group || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
    swallowEnter = e.detail === 0; // a click made by the keyboard
  });
})();
