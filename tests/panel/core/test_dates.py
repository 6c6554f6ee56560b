"""One date and time format for English, and "just now" instead of "0 minutes ago"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from panel.core.templatetags.panel import ago, day, when


def test_just_now_under_a_minute():
    now = timezone.now()
    assert ago(now) == "just now"
    assert ago(now - timedelta(seconds=59)) == "just now"
    assert ago(now + timedelta(seconds=5)) == "just now"  # clocks that differ a little


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=1, seconds=5), "1\xa0minute ago"),
        (timedelta(minutes=5), "5\xa0minutes ago"),
        (timedelta(hours=2, minutes=30), "2\xa0hours ago"),  # the largest unit only
        (timedelta(days=3, hours=4), "3\xa0days ago"),
    ],
)
def test_ago_in_the_largest_unit(delta, text):
    assert ago(timezone.now() - delta) == text


def test_nothing_for_nothing():
    assert ago(None) == when(None) == day(None) == ""
    assert ago("") == when("x") == day(3) == ""


def test_one_format_for_a_moment_and_a_day_in_local_time():
    moment = datetime(2026, 11, 30, 13, 35, 12, tzinfo=UTC)
    assert settings.TIME_ZONE == "Europe/Oslo"
    assert when(moment) == "30 Nov 2026 14:35"
    assert day(moment) == "30 Nov 2026"
    assert day(date(2026, 12, 1)) == "1 Dec 2026"
    # A plain {{ value }} gets the same format.
    assert Template("{{ v }}").render(Context({"v": moment})) == "30 Nov 2026 14:35"


def test_no_template_says_0_minutes_ago():
    """|timesince says "0 minutes" under a minute: templates use |ago instead."""
    templates = settings.BASE_DIR / "templates"
    users = [
        path.relative_to(templates)
        for path in templates.rglob("*.html")
        if "|timesince" in path.read_text()
    ]
    assert users == []


def test_a_fresh_list_says_just_now(alice_client, connection, servers):
    html = alice_client.get(reverse("connections:list")).text
    assert "just now" in html and "0\xa0minutes" not in html
