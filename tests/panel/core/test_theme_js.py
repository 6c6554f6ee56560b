"""static/js/theme.js run in Node with a tiny stand-in for the page: the theme button's
accessible name says what it shows and what a click does."""

from __future__ import annotations

import json

from tests.node import needs_node, run_script

HARNESS = """
const fs = require("fs");
function element() {
  const attrs = {};
  return {
    attrs, textContent: "", listeners: {},
    setAttribute(k, v) { attrs[k] = String(v); },
    getAttribute(k) { return k in attrs ? attrs[k] : null; },
    removeAttribute(k) { delete attrs[k]; },
    addEventListener(type, fn) { this.listeners[type] = fn; },
  };
}
const root = element(), button = element(), label = element();
// The page's words for the button, as base.html gives them (JSON from the test; {} = none).
Object.entries(JSON.parse(process.argv[2] || "{}")).forEach(([k, v]) => button.setAttribute(k, v));
const onReady = [];
const store = {};
global.window = { localStorage: {
  getItem: (k) => (k in store ? store[k] : null), setItem: (k, v) => { store[k] = v; } } };
global.document = {
  documentElement: root,
  querySelector: (sel) => (sel === "[data-theme-toggle]" ? button : label),
  querySelectorAll: (sel) => (sel === "[data-theme-toggle]" ? [button] : [label]),
  addEventListener: (type, fn) => { if (type === "DOMContentLoaded") onReady.push(fn); },
};
eval(fs.readFileSync(process.argv[1], "utf8"));
onReady.forEach((fn) => fn());
const seen = [];
for (let i = 0; i < 4; i++) {
  seen.push({ name: button.attrs["aria-label"], title: button.attrs.title,
              label: label.textContent, theme: root.attrs["data-theme"] || "system" });
  button.listeners.click();
}
console.log(JSON.stringify(seen));
"""


@needs_node
def test_the_theme_button_says_what_it_does():
    seen = run_script(HARNESS, "theme.js")
    assert [step["name"] for step in seen] == [
        "Theme: System (switch to Light)",
        "Theme: Light (switch to Dark)",
        "Theme: Dark (switch to System)",
        "Theme: System (switch to Light)",
    ]
    assert all(step["title"] == step["name"] for step in seen)
    # The visible text is part of the name (WCAG 2.5.3, label in name).
    assert all(step["label"] in step["name"] for step in seen)
    assert [step["theme"] for step in seen] == ["system", "light", "dark", "system"]


@needs_node
def test_the_theme_button_speaks_the_pages_language():
    words = {
        "data-label-system": "System",
        "data-label-light": "Lyst",
        "data-label-dark": "Mørkt",
        "data-describe": "Tema: {current} (bytt til {next})",
    }
    seen = run_script(HARNESS, "theme.js", json.dumps(words))
    assert [step["name"] for step in seen][:3] == [
        "Tema: System (bytt til Lyst)",
        "Tema: Lyst (bytt til Mørkt)",
        "Tema: Mørkt (bytt til System)",
    ]
