// One click, one submit: once a form is submitted, its submit buttons are disabled until
// the next page arrives. hx-disabled-elt only works on htmx requests; this covers every
// plain <form method="post">. A file of its own because the CSP forbids inline script.
(function () {
  "use strict";

  function submitButtons(form) {
    var found = [];
    var candidates = form.querySelectorAll('button, input[type="submit"], input[type="image"]');
    for (var i = 0; i < candidates.length; i++) {
      var type = (candidates[i].getAttribute("type") || "submit").toLowerCase();
      if (type === "submit" || type === "image") {
        found.push(candidates[i]);
      }
    }
    // Buttons outside the form that submit it through form="...".
    if (form.id) {
      var outside = document.querySelectorAll('[form="' + form.id + '"][type="submit"]');
      for (var j = 0; j < outside.length; j++) {
        found.push(outside[j]);
      }
    }
    return found;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // htmx (hx-get/hx-post on the form) cancels the browser's submit and handles the
    // request itself, with hx-disabled-elt; a form opening another window stays usable.
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) {
      return;
    }
    var target = (form.getAttribute("target") || "_self").toLowerCase();
    if (target !== "_self") {
      return;
    }
    var buttons = submitButtons(form);
    // Disable after the browser has read the form: a disabled submitter would drop its
    // own name=value from the data sent.
    window.setTimeout(function () {
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = true;
        buttons[i].setAttribute("data-disabled-on-submit", "");
      }
      form.setAttribute("aria-busy", "true");
    }, 0);
  });

  // Back/forward restores the page from the browser's cache as it was: buttons disabled.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    var buttons = document.querySelectorAll("[data-disabled-on-submit]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = false;
      buttons[i].removeAttribute("data-disabled-on-submit");
    }
    var busy = document.querySelectorAll("form[aria-busy]");
    for (var j = 0; j < busy.length; j++) {
      busy[j].removeAttribute("aria-busy");
    }
  });
})();
