// "Exit this page": leave at once for a neutral site, replacing this page in the history.
// The link works without JavaScript (through /exit, which clears the session and draft);
// with it, the page is replaced immediately and Shift pressed three times does the same.
(function () {
  "use strict";
  var link = document.getElementById("exit-this-page");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.style.visibility = "hidden";
    // the server route clears the session and the draft, then redirects to the neutral site
    window.location.replace(link.getAttribute("href"));
  }
  link.addEventListener("click", leave);
  var presses = 0;
  var timer = null;
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1000);
    if (presses >= 3) { leave(null); }
  });
}());
