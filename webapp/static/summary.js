// The page that waits for a PDF summary. Without JavaScript it reloads itself every second (a
// meta refresh inside <noscript>). With JavaScript it asks the server in the background instead
// and reloads only once, when the answer changes: a page reloaded every second sends a screen
// reader back to the top each time, and a timed refresh fails WCAG 2.2.1 (axe's meta-refresh).
// The ready page then starts the download (a refresh with no delay, which is allowed).
(function () {
  "use strict";
  if (!document.querySelector("[data-summary-state='making']")) { return; }
  function again() { window.location.replace(window.location.href); }
  if (!window.fetch) { window.setTimeout(again, 1000); return; }
  function ask() {
    window.fetch(window.location.href, { credentials: "same-origin", cache: "no-store" }).then(
      function (response) {
        return response.text().then(function (text) {
          if (response.status === 200 && text.indexOf("data-summary-state=\"making\"") !== -1) {
            window.setTimeout(ask, 1000);
          } else {
            again(); // ready (the download starts) or could not be made (the page says why)
          }
        });
      },
      function () { window.setTimeout(ask, 2000); } // the server did not answer: ask again shortly
    );
  }
  window.setTimeout(ask, 1000);
}());
