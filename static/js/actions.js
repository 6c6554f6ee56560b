// The server page's small behaviours, kept out of the HTML (the CSP forbids inline script):
// - [data-dialog="id"] on a button opens that <dialog> instead of going to the
//   confirmation page (which is where the button leads without JavaScript);
//   [data-dialog-close] closes it;
// - [data-copy="id"] copies the text of that element to the clipboard;
// - [data-countdown="unix seconds"] shows the time left, updated every 30 s;
// - an htmx request that failed with nothing to show gets a message at the top.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) {
        open.close();
      }
      return;
    }
    var copier = event.target.closest("[data-copy]");
    if (copier) {
      var source = document.getElementById(copier.getAttribute("data-copy"));
      if (source && navigator.clipboard) {
        var label = copier.textContent;
        navigator.clipboard.writeText(source.textContent).then(function () {
          copier.textContent = copier.getAttribute("data-copied") || "Copied";
          window.setTimeout(function () {
            copier.textContent = label;
          }, 2000);
        });
      }
    }
  });

  // A confirmed action closes its dialog as the request leaves.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var dialog = event.target.closest && event.target.closest("dialog[open]");
    if (dialog) {
      dialog.close();
    }
  });

  // An htmx request that failed without a part to show (403, 404, a 500, no network):
  // say so at the top of the page instead of leaving the button doing nothing.
  // The words come from the box's data-* attributes, in the page's language.
  function problem(kind, text) {
    var box = document.getElementById("request-problem");
    if (box) {
      box.textContent = box.getAttribute("data-" + kind) || text;
      box.hidden = false;
    }
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    // The panel's own reason in plain words, when it gave one (percent-encoded).
    var told = xhr && xhr.getResponseHeader("X-Problem");
    if (told) {
      problem("told", decodeURIComponent(told));
    } else if (status === 403) {
      problem("forbidden", "You are not allowed to do that (any more). Reload the page to see what you can do.");
    } else if (status === 404) {
      problem("gone", "That is no longer there. Reload the page.");
    } else {
      problem("failed", "Something went wrong on the panel's side. Please reload the page and try again.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    problem("offline", "The panel could not be reached. Check your connection and try again.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-problem");
    if (box) {
      box.hidden = true;
    }
  });

  // The sentence comes from the element, in the page's language (data-left holds
  // "{time} left" translated, data-ended the word for a session that ended); the hours
  // and minutes are the browser's words for that language.
  function left(counter, seconds) {
    if (seconds <= 0) {
      return counter.getAttribute("data-ended") || "ended";
    }
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.ceil((seconds % 3600) / 60);
    if (minutes === 60) {
      hours += 1;
      minutes = 0;
    }
    var language = document.documentElement.lang || "en";
    function amount(value, unit) {
      return new Intl.NumberFormat(language, { style: "unit", unit: unit, unitDisplay: "long" }).format(value);
    }
    var parts = [];
    if (hours) {
      parts.push(amount(hours, "hour"));
    }
    if (minutes || !hours) {
      parts.push(amount(minutes, "minute"));
    }
    return (counter.getAttribute("data-left") || "{time} left").replace("{time}", parts.join(" "));
  }

  function tick() {
    var now = Date.now() / 1000;
    var counters = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < counters.length; i++) {
      counters[i].textContent = left(counters[i], Number(counters[i].getAttribute("data-countdown")) - now);
    }
  }

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  window.setInterval(tick, 30000);
})();
