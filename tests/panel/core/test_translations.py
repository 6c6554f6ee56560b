"""The Norwegian Bokmål catalogue: complete, current, compiled, and used."""

from __future__ import annotations

import shutil

import polib
import pytest
from django.urls import reverse

from scripts import messages

CATALOGUE = messages.catalogue()


@pytest.fixture(scope="module")
def current(tmp_path_factory) -> polib.POFile:
    """The catalogue makemessages makes now from a copy of the code (nothing here changes)."""
    copy = tmp_path_factory.mktemp("messages")
    for folder in ("panel", "templates", "locale"):
        shutil.copytree(messages.ROOT / folder, copy / folder)
    shutil.copy(messages.ROOT / "manage.py", copy)
    messages.collect(copy)
    return polib.pofile(str(messages.catalogue(copy)))


def _ids(catalogue: polib.POFile) -> set[tuple[str, str, str]]:
    return {(entry.msgctxt or "", entry.msgid, entry.msgid_plural) for entry in catalogue}


def test_every_string_is_translated():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_the_catalogue_holds_every_marked_string(current):
    committed = _ids(polib.pofile(str(CATALOGUE)))
    missing = sorted(_ids(current) - committed)
    stale = sorted(committed - _ids(current))
    assert not missing, f"run `make messages`: {len(missing)} new, e.g. {missing[:5]}"
    assert not stale, f"run `make messages`: {len(stale)} gone, e.g. {stale[:5]}"


def test_the_compiled_catalogue_matches(tmp_path):
    compiled = tmp_path / "django.mo"
    polib.pofile(str(CATALOGUE)).save_as_mofile(str(compiled))
    shipped = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in polib.mofile(str(compiled))} == {
        e.msgid: e.msgstr for e in shipped
    }, "run `make messages` to compile django.mo"


def test_a_norwegian_browser_gets_the_login_page_in_norwegian(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="nb")
    assert '<html lang="nb">' in response.text
    assert "Logg inn" in response.text
