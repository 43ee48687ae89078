// "Exit this page": leave at once for a neutral site, replacing this page in the history, and
// delete everything this visit stored. Without JavaScript the control is a plain form posting
// to /exit, which deletes the visit and redirects; with it, the page is hidden at once, the
// same form is posted in the background (keepalive, so it finishes even as the page goes), and
// the page is replaced by the neutral site. Shift pressed three times does the same.
(function () {
  "use strict";
  // A page brought back from the back/forward cache would show what was on it when it was
  // left; load it again from the server instead, which after an exit has nothing to show.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.documentElement.style.visibility = "hidden";
      window.location.reload();
    }
  });
  var form = document.getElementById("exit-form");
  if (!form) { return; }
  var neutral = form.getAttribute("data-exit-url");
  var leaving = false;
  function leave(event) {
    if (event) { event.preventDefault(); }
    if (leaving) { return; }
    leaving = true;
    document.documentElement.style.visibility = "hidden";
    var gone = false;
    function go() {
      if (!gone) { gone = true; window.location.replace(neutral); }
    }
    // never keep the person waiting for the server: go after a moment whatever happens
    var timer = window.setTimeout(go, 1500);
    function done() { window.clearTimeout(timer); go(); }
    try {
      window.fetch(form.action, {
        method: "POST",
        body: new window.FormData(form),
        credentials: "same-origin",
        keepalive: true,
        redirect: "manual"
      }).then(done, done);
    } catch (error) {
      done();
    }
  }
  form.addEventListener("submit", leave);
  var presses = 0;
  var timer = null;
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = 0; return; }
    presses += 1;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { presses = 0; }, 1000);
    if (presses >= 3) { leave(null); }
  });
}());
