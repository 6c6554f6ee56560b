// Light/dark theme: follows the system until the user picks one; the choice is remembered.
// Loaded in <head> (no inline script: the CSP forbids it) so the page never flashes.
(function () {
  "use strict";
  var KEY = "panel-theme";
  var ORDER = ["system", "light", "dark"];
  // English by default; the page gives its language's words on the button
  // (data-label-system, data-label-light, data-label-dark, data-describe).
  var LABELS = { system: "System", light: "Light", dark: "Dark" };
  var DESCRIBE = "Theme: {current} (switch to {next})";

  function readWords() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) {
      return;
    }
    ORDER.forEach(function (choice) {
      LABELS[choice] = button.getAttribute("data-label-" + choice) || LABELS[choice];
    });
    DESCRIBE = button.getAttribute("data-describe") || DESCRIBE;
  }

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return ORDER.indexOf(value) >= 0 ? value : "system";
    } catch (e) {
      return "system";
    }
  }

  function apply(choice) {
    var root = document.documentElement;
    if (choice === "system") {
      root.removeAttribute("data-theme");
    } else {
      root.setAttribute("data-theme", choice);
    }
    var labels = document.querySelectorAll("[data-theme-label]");
    for (var i = 0; i < labels.length; i++) {
      labels[i].textContent = LABELS[choice];
    }
    // The button's name says what it shows now and what a click does.
    var name = describe(choice);
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].setAttribute("aria-label", name);
      buttons[j].setAttribute("title", name);
    }
  }

  function following(choice) {
    return ORDER[(ORDER.indexOf(choice) + 1) % ORDER.length];
  }

  function describe(choice) {
    return DESCRIBE.replace("{current}", LABELS[choice]).replace("{next}", LABELS[following(choice)]);
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    readWords();
    apply(stored());
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        var next = following(stored());
        try {
          window.localStorage.setItem(KEY, next);
        } catch (e) {
          /* private mode: the choice lasts for this page only */
        }
        apply(next);
      });
    }
  });
})();
