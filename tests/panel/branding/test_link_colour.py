"""Links take the brand's colour, made readable (WCAG AA, 4.5:1) in each theme."""

import pytest

from panel.branding.services import (
    DARK_SURFACES,
    LIGHT_SURFACES,
    TEXT_CONTRAST,
    contrast,
    readable,
)


@pytest.mark.parametrize("color", ["#2563eb", "#ffcc00", "#ff6600", "#111111", "#0f766e", "#fff"])
def test_links_read_on_every_surface_of_both_themes(color):
    light = readable(color, LIGHT_SURFACES, toward="#000000")
    dark = readable(color, DARK_SURFACES, toward="#ffffff")
    assert all(contrast(light, surface) >= TEXT_CONTRAST for surface in LIGHT_SURFACES)
    assert all(contrast(dark, surface) >= TEXT_CONTRAST for surface in DARK_SURFACES)


def test_a_readable_brand_colour_is_kept_as_it_is():
    assert readable("#2563eb", LIGHT_SURFACES, toward="#000000") == "#2563eb"
    # The default blue is 3.2:1 on the dark surface: it is lightened.
    assert readable("#2563eb", DARK_SURFACES, toward="#ffffff") != "#2563eb"
