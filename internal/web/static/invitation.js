// The invitation page: the link's fragment holds the invitation's code,
// which no server ever sees. Move it into the form, hide the field that
// asks for the link, and take the code out of the address bar and the
// history.
(function () {
  "use strict";
  var code = window.location.hash.slice(1);
  var input = document.getElementById("invitation");
  if (!code || !input) return;
  input.value = code;
  history.replaceState(null, "", window.location.pathname);
  var field = document.getElementById("invitation-link-field");
  if (field && !field.querySelector(".error")) field.hidden = true;
  var found = document.getElementById("invitation-found");
  if (found) found.hidden = false;
})();
