"""static/js/grants.js run in Node with a tiny stand-in for the access form: choosing a
preset ticks exactly what it includes; ticking a permission by hand chooses Custom."""

from __future__ import annotations

from tests.node import needs_node, run_script

HARNESS = """
const fs = require("fs");
const listeners = {};
const boxes = ["server.view", "power.control", "reinstall"].map(
  (value) => ({ name: "keys", value, checked: false, hasAttribute: () => false }));
const custom = { name: "preset", value: "custom", checked: false, hasAttribute: () => false };
function preset(value, keys, checked) {
  return { name: "preset", value, checked, attrs: { "data-keys": keys },
           hasAttribute(k) { return k in this.attrs; }, getAttribute(k) { return this.attrs[k]; } };
}
const viewer = preset("viewer", "server.view", true);
const operator = preset("operator", "server.view power.control", false);
const form = { querySelectorAll: () => boxes, querySelector: () => custom };
for (const el of [...boxes, custom, viewer, operator]) el.closest = () => form;
global.document = {
  addEventListener: (type, fn) => { listeners[type] = fn; },
  querySelectorAll: () => [viewer, operator].filter((p) => p.checked),
};
eval(fs.readFileSync(process.argv[1], "utf8"));
const ticked = () => boxes.filter((b) => b.checked).map((b) => b.value);
const seen = {};
listeners.DOMContentLoaded();
seen.loaded = ticked();
viewer.checked = false; operator.checked = true;
listeners.change({ target: operator });
seen.operator = ticked();
boxes[2].checked = true;
listeners.change({ target: boxes[2] });
seen.custom = custom.checked;
console.log(JSON.stringify(seen));
"""


@needs_node
def test_a_preset_ticks_what_it_includes_and_a_tick_chooses_custom():
    seen = run_script(HARNESS, "grants.js")
    assert seen == {
        "loaded": ["server.view"],
        "operator": ["server.view", "power.control"],
        "custom": True,
    }
