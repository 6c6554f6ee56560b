"""Uploaded logos and favicons: the type is read from the bytes, never from the name or
the browser's word; SVG is accepted only without scripts, event handlers, external
references or entity declarations (it is served with a sandboxing CSP as well)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # DTDs are refused before parsing

from django.utils.translation import gettext as _

MAX_LOGO_BYTES = 512 * 1024
MAX_FAVICON_BYTES = 128 * 1024


class BadImage(ValueError):
    pass


def sniff(data: bytes) -> str:
    """The content type of a PNG, JPEG, WebP, ICO or safe SVG image, else BadImage."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\x00\x00\x01\x00"):
        return "image/x-icon"
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        check_svg(data)
        return "image/svg+xml"
    raise BadImage(_("This is not a PNG, SVG, JPEG or WebP image."))


_EVENT = re.compile(r"^on", re.I)


def check_svg(data: bytes) -> None:
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise BadImage(_("This SVG declares a document type or entities; save it as plain SVG."))
    try:
        root = ET.fromstring(data)  # noqa: S314 — no DTD, see above
    except ET.ParseError:
        raise BadImage(_("This SVG file cannot be read.")) from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise BadImage(_("This is not an SVG image."))
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in ("script", "foreignobject", "iframe", "embed", "object"):
            raise BadImage(_("This SVG contains a script or embedded content; remove it."))
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if _EVENT.match(local):
                raise BadImage(_("This SVG contains a script (an event handler); remove it."))
            if local == "href" and not value.strip().startswith("#"):
                raise BadImage(_("This SVG links to other files; embed or remove them."))
