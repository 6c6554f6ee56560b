"""Which brand a request, a user or an e-mail gets.

    brand_for(request)   the brand bound to the request's Host, else the default brand
    brand_for_user(user) the brand the user last logged in through, else the default
    default_brand()      the environment's brand (PANEL_BRAND_*), never a database read

A host's brand is cached briefly (BRAND_TTL) in the shared cache; saving or deleting a
brand bumps a generation number, so every replica sees the change on its next request.
When the cache or the database does not answer, the default brand is used: error pages
(the 500 page above all) must always render.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.templatetags.static import static
from django.urls import reverse

logger = logging.getLogger(__name__)

BRAND_TTL = 30
DEFAULT_COLOR = "#2563eb"
COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_GENERATION = "branding:generation"


@dataclass(frozen=True)
class BrandInfo:
    """A brand as pages, e-mails and the stylesheet use it (no image bytes)."""

    pk: int | None
    name: str
    primary_color: str
    logo_url: str
    favicon_url: str
    support_email: str
    support_url: str
    footer_text: str
    show_provider: bool
    version: str
    primary_host: str = ""  # its first host name: where links in its e-mails lead

    @property
    def is_default(self) -> bool:
        return self.pk is None

    def link(self, path: str) -> str:
        """An absolute link to `path` for e-mails: on the brand's primary host name, else
        on PANEL_BASE_URL (never on the Host of the request that sends the e-mail)."""
        if self.primary_host:
            # The same server as PANEL_BASE_URL (its scheme and port) under the brand's name.
            base = urlsplit(settings.PANEL_BASE_URL)
            port = f":{base.port}" if base.port else ""
            return f"{base.scheme or 'https'}://{self.primary_host}{port}{path}"
        return f"{settings.PANEL_BASE_URL}{path}"

    @property
    def on_primary(self) -> str:
        """Text colour readable on the primary colour (white, or near-black on light ones)."""
        return "#ffffff" if contrast(self.primary_color, "#ffffff") >= 3 else "#111827"

    @property
    def link_light(self) -> str:
        """The primary colour, darkened as far as links need on light surfaces (4.5:1)."""
        return readable(self.primary_color, LIGHT_SURFACES, toward="#000000")

    @property
    def link_dark(self) -> str:
        """The primary colour, lightened as far as links need on dark surfaces (4.5:1)."""
        return readable(self.primary_color, DARK_SURFACES, toward="#ffffff")

    def css(self) -> str:
        """The brand's CSS variables (/branding.css)."""
        return (
            f":root {{\n  --brand-primary: {self.primary_color};\n"
            f"  --brand-on-primary: {self.on_primary};\n"
            f"  --link-light: {self.link_light};\n  --link-dark: {self.link_dark};\n}}\n"
        )


def valid_color(value: str) -> str:
    return value if COLOR.match(value or "") else DEFAULT_COLOR


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[int, int, int]:
    hexdigits = valid_color(color)[1:]
    if len(hexdigits) == 3:
        hexdigits = "".join(d * 2 for d in hexdigits)
    return tuple(int(hexdigits[i : i + 2], 16) for i in (0, 2, 4))


def luminance(color: str) -> float:
    r, g, b = _rgb(color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# The surfaces links sit on (static/css/panel.css: --bg, --surface, --surface-2 per theme).
LIGHT_SURFACES = ("#f6f7f9", "#ffffff", "#f0f2f5")
DARK_SURFACES = ("#111418", "#1a1e24", "#222830")
# WCAG 2.1 AA for normal text.
TEXT_CONTRAST = 4.5


def _mix(color: str, toward: str, share: float) -> str:
    a, b = (_rgb(c) for c in (color, toward))
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def readable(color: str, surfaces: tuple[str, ...], *, toward: str) -> str:
    """`color` mixed toward black or white in 5 % steps until it reads at 4.5:1 on every
    surface: a brand's own colour where it already does, the nearest readable one else."""
    for step in range(21):
        candidate = _mix(valid_color(color), toward, step / 20)
        if all(contrast(candidate, surface) >= TEXT_CONTRAST for surface in surfaces):
            return candidate
    return toward


def default_brand() -> BrandInfo:
    values = (
        settings.PANEL_BRAND_NAME,
        settings.PANEL_BRAND_PRIMARY_COLOR,
        settings.PANEL_BRAND_LOGO_URL,
        settings.PANEL_BRAND_FAVICON_URL,
    )
    return BrandInfo(
        pk=None,
        name=settings.PANEL_BRAND_NAME,
        primary_color=valid_color(settings.PANEL_BRAND_PRIMARY_COLOR),
        logo_url=settings.PANEL_BRAND_LOGO_URL,
        favicon_url=settings.PANEL_BRAND_FAVICON_URL or static("img/favicon.svg"),
        support_email=settings.PANEL_BRAND_SUPPORT_EMAIL,
        support_url=settings.PANEL_BRAND_SUPPORT_URL,
        footer_text=settings.PANEL_BRAND_FOOTER,
        show_provider=settings.PANEL_BRAND_SHOW_PROVIDER,
        version=hashlib.sha256("|".join(values).encode()).hexdigest()[:12],
    )


def info(brand) -> BrandInfo:
    """A Brand row as a BrandInfo (the row may defer its image bytes)."""
    version = f"{brand.pk}-{int(brand.updated_at.timestamp())}"
    return BrandInfo(
        pk=brand.pk,
        name=brand.name,
        primary_color=valid_color(brand.primary_color),
        logo_url=f"{reverse('branding:logo')}?v={version}" if brand.logo_type else "",
        favicon_url=(
            f"{reverse('branding:favicon')}?v={version}"
            if brand.favicon_type
            else static("img/favicon.svg")
        ),
        support_email=brand.support_email,
        support_url=brand.support_url,
        footer_text=brand.footer_text,
        show_provider=brand.show_provider,
        version=version,
        primary_host=brand.hosts.order_by("pk").values_list("host", flat=True).first() or "",
    )


def normalize_host(host: str) -> str:
    """Lower case, without the port and a trailing dot ("Panel.Example.com:8443")."""
    host = (host or "").strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if host.count(":") == 1 else host.rstrip(".")


def request_host(request) -> str:
    try:
        return normalize_host(request.get_host())
    except (DisallowedHost, KeyError):
        return ""


def changed() -> None:
    """Call after any change to brands or their hosts: cached lookups are dropped."""
    try:
        cache.add(_GENERATION, 0, timeout=None)
        cache.incr(_GENERATION)
    except Exception as error:  # a cache that does not answer serves nothing stale either
        logger.warning("branding: could not drop cached brands (%r)", error)


_last_warning = float("-inf")


def _warn_once_a_minute(message: str, error: Exception) -> None:
    """Every request asks for its brand: an outage is logged once a minute, not each time."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= 60:
        _last_warning = now
        logger.warning(message, error)


def _lookup(host: str) -> BrandInfo:
    from .models import BrandHost

    bound = (
        BrandHost.objects.select_related("brand")
        .defer("brand__logo", "brand__favicon")
        .filter(host=host)
        .first()
    )
    return info(bound.brand) if bound is not None else default_brand()


def _lookup_pk(pk: int) -> BrandInfo:
    from .models import Brand

    brand = Brand.objects.defer("logo", "favicon").filter(pk=pk).first()
    return info(brand) if brand is not None else default_brand()


def _cached(what: str, lookup) -> BrandInfo:
    """`lookup()`, kept in the cache until the brands change (see changed())."""
    key = None
    try:
        generation = cache.get_or_set(_GENERATION, 0, timeout=None)
        key = f"branding:{generation}:{what}"
        cached = cache.get(key)
        if cached is not None:
            return default_brand() if cached == "default" else BrandInfo(**cached)
    except Exception as error:  # Redis down: ask the database
        _warn_once_a_minute("branding: the cache does not answer (%r); asking the database", error)
        key = None
    try:
        brand = lookup()
    except DatabaseError as error:
        _warn_once_a_minute("branding: the database does not answer (%r); default brand", error)
        return default_brand()
    if key is not None:
        with contextlib.suppress(Exception):  # the answer stands without the cache
            cache.set(key, "default" if brand.is_default else asdict(brand), timeout=BRAND_TTL)
    return brand


def brand_for_host(host: str) -> BrandInfo:
    if not host:
        return default_brand()
    digest = hashlib.sha256(host.encode()).hexdigest()[:32]
    return _cached(f"host:{digest}", lambda: _lookup(host))


def brand_for_customer(customer) -> BrandInfo | None:
    """The customer's own brand, if it has one."""
    if customer is None or customer.brand_id is None:
        return None
    pk = customer.brand_id
    return _cached(f"brand:{pk}", lambda: _lookup_pk(pk))


def _customer_brand(user) -> BrandInfo | None:
    """The brand of the user's customer, if they belong to one that has a brand."""
    if user is None or not user.is_authenticated or user.customer_id is None:
        return None
    try:
        return brand_for_customer(user.customer)
    except DatabaseError:
        return None


def brand_for(request) -> BrandInfo:
    """The brand of this request, remembered on it: a customer's people see their
    customer's brand on every host; everyone else the brand of the request's Host."""
    if request is None:
        return default_brand()
    brand = getattr(request, "_panel_brand", None)
    if brand is None:
        brand = _customer_brand(getattr(request, "user", None))
        brand = brand or brand_for_host(request_host(request))
        request._panel_brand = brand
    return brand


def brand_for_user(user) -> BrandInfo:
    """For e-mails: their customer's brand, else the brand the user last logged in
    through, else the default brand."""
    from .models import UserBrand

    customer_brand = _customer_brand(user)
    if customer_brand is not None:
        return customer_brand
    try:
        chosen = (
            UserBrand.objects.select_related("brand")
            .defer("brand__logo", "brand__favicon")
            .filter(user=user, brand__isnull=False)
            .first()
        )
    except DatabaseError:
        return default_brand()
    return info(chosen.brand) if chosen is not None else default_brand()


def remember_brand(user, request) -> None:
    from .models import UserBrand

    brand = brand_for(request)
    UserBrand.objects.update_or_create(user=user, defaults={"brand_id": brand.pk})
