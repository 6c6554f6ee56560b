// The access form's small behaviour, kept out of the HTML (the CSP forbids inline script):
// choosing a preset ticks exactly what it includes in the permission list below, so the
// list shows it; ticking a permission by hand switches to "Custom".
(function () {
  "use strict";

  function tickPreset(form, preset) {
    var keys = preset.getAttribute("data-keys").split(" ");
    var boxes = form.querySelectorAll("[data-custom-keys] input[name='keys']");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = keys.indexOf(boxes[i].value) !== -1;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chosen = document.querySelectorAll("[data-grant-form] input[name='preset'][data-keys]:checked");
    for (var i = 0; i < chosen.length; i++) {
      tickPreset(chosen[i].closest("[data-grant-form]"), chosen[i]);
    }
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    var form = input.closest && input.closest("[data-grant-form]");
    if (!form) {
      return;
    }
    if (input.name === "preset" && input.hasAttribute("data-keys")) {
      tickPreset(form, input);
    } else if (input.name === "keys") {
      var custom = form.querySelector("input[name='preset'][value='custom']");
      if (custom) {
        custom.checked = true;
      }
    }
  });
})();
