"""Sortable tables: `?sort=key` or `?sort=-key` (descending), shared by every list."""

from __future__ import annotations


def parse_sort(value: str, allowed, default: tuple[str, bool]) -> tuple[str, bool]:
    """(key, descending) from `?sort=`; an unknown key gives `default`."""
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in allowed:
        return default
    return key, descending


def header(key: str | None, label: str, sort: str, descending: bool, css: str = "") -> dict:
    """One column header: the sort a click asks for and its aria-sort (None key: the column
    does not sort)."""
    if key is None:
        return {"key": None, "label": label, "css": css}
    current = key == sort
    return {
        "key": key,
        "label": label,
        "css": css,
        "next": f"-{key}" if current and not descending else key,
        "aria_sort": ("descending" if descending else "ascending") if current else "none",
    }
