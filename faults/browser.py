"""A person at a browser, without the rendering: logs in, opens pages, reads their links
and forms, fills the forms in and sends them, and keeps a record of every answer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import requests
from django.urls import Resolver404, resolve

# Longer than anything the panel should take (gunicorn gives a request 60 s): an answer
# that never comes is counted, not waited for forever.
REQUEST_TIMEOUT = 90
HTML = "text/html"
# The fields Django and the action pattern put in every form (panel.core.outcomes).
CSRF_FIELD = "csrfmiddlewaretoken"
KEY_FIELD = "idempotency_key"


def url_name(url: str) -> str | None:
    """The panel's name for a URL ("servers:detail"), None for what it does not route."""
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


@dataclass
class Field:
    tag: str  # input, select, textarea, button
    name: str
    type: str  # the input's type ("text", "radio"...); "submit" for a submit button
    value: str = ""
    checked: bool = False
    required: bool = False
    options: list[str] = field(default_factory=list)  # a select's option values
    formmethod: str = ""  # a submit button that sends the form another way (a search)


@dataclass
class Form:
    method: str  # "get" or "post"
    action: str  # the path (and query) it goes to
    htmx: bool  # hx-post/hx-get: a browser with JavaScript sends it through htmx
    fields: list[Field] = field(default_factory=list)

    def values(self) -> dict[str, list[str]]:
        """What the browser sends when the form is submitted as it stands (no typing),
        except that a person picks the first choice of a required radio group."""
        values: dict[str, list[str]] = {}
        groups: dict[str, Field] = {}
        for f in self.fields:
            if f.type == "submit" or f.type == "file":
                continue
            if f.type in ("checkbox", "radio"):
                if f.type == "radio" and f.required:
                    groups.setdefault(f.name, f)
                if f.checked:
                    values.setdefault(f.name, []).append(f.value or "on")
            elif f.tag == "select":
                chosen = f.value or (f.options[0] if f.options else "")
                values.setdefault(f.name, []).append(chosen)
            else:
                values.setdefault(f.name, []).append(f.value)
        for name, first in groups.items():
            values.setdefault(name, [first.value])
        button = next((f for f in self.fields if f.type == "submit" and not f.formmethod), None)
        if button is not None and button.name:
            values.setdefault(button.name, []).append(button.value)
        return values

    def options(self, name: str) -> list[str]:
        """The values a person can choose for `name` (checkboxes, radios, a select)."""
        found = []
        for f in self.fields:
            if f.name == name:
                found += f.options if f.tag == "select" else [f.value]
        return found


class Page(HTMLParser):
    """One HTML answer: its links (a, img, hx-get), its forms and its heading. `url` is the
    address of the document it is shown in: its own, or for an htmx partial the page's."""

    def __init__(self, url: str, html: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[tuple[str, bool]] = []  # (path and query, sent by htmx)
        self.forms: list[Form] = []
        self.heading = ""
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._in_heading = False
        self.feed(html)
        self.close()

    def _local(self, url: str) -> str | None:
        """`url` as a path and query on the panel, or None when it leads elsewhere."""
        absolute = urlsplit(urljoin(self.url, url))
        if absolute.scheme != "http" or absolute.netloc != urlsplit(self.url).netloc:
            return None
        if url.startswith("#"):  # a place on the same page (the skip link): no request
            return None
        return absolute.path + (f"?{absolute.query}" if absolute.query else "")

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        for link, htmx in (
            (a.get("href") if tag == "a" else None, False),
            (a.get("src") if tag == "img" else None, False),
            (a.get("hx-get") if tag != "form" else None, True),  # a poll, a tab, a sort
        ):
            if link and self._local(link):
                self.links.append((self._local(link), htmx))
        if tag == "form":
            method = "post" if a.get("hx-post") else (a.get("method") or "get").lower()
            action = self._local(a.get("action") or a.get("hx-post") or self.url)
            self._form = Form(method, action, "hx-post" in a or "hx-get" in a)
            self.forms.append(self._form)
        elif tag == "h1" and not self.heading:
            self._in_heading = True
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag in ("input", "select", "textarea", "button") and self._form and a.get("name"):
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            f = Field(
                tag,
                a["name"],
                kind,
                a.get("value", ""),
                "checked" in a,
                "required" in a,
                formmethod=a.get("formmethod", ""),
            )
            self._form.fields.append(f)
            self._select = f if tag == "select" else None
            self._textarea = f if tag == "textarea" else None
        elif tag == "button" and self._form and a.get("type", "submit") == "submit":
            self._form.fields.append(Field(tag, "", "submit", formmethod=a.get("formmethod", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # As in a browser: the newline right after <textarea> is not part of the value.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "h1":
            self._in_heading = False

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._in_heading:
            self.heading += data.strip()


@dataclass
class Answer:
    persona: str
    method: str
    url: str
    status: int  # 0: no answer (the connection dropped, or nothing within REQUEST_TIMEOUT)
    seconds: float
    faults: str  # the sandbox faults in force when it was sent


class Record:
    """Every request of the run, from all personas (list.append is atomic)."""

    def __init__(self):
        self.answers: list[Answer] = []
        self.faults = "none"  # updated by the run as it changes the sandbox's faults

    def add(self, answer: Answer) -> None:
        self.answers.append(answer)


class Browser:
    """One persona's session (cookies, CSRF) against the panel at `base`."""

    def __init__(self, base: str, persona: str, password: str, record: Record):
        self.base = base
        self.persona = persona
        self.password = password
        self.record = record
        self.session = requests.Session()

    def login(self) -> None:
        page = self.get("/accounts/login/")
        form = next(f for f in page.forms if f.options("username"))
        values = form.values() | {"username": [self.persona], "password": [self.password]}
        self.submit(form, values)

    def get(self, path: str, *, htmx: bool = False, document: str = "") -> Page | None:
        """`path` opened, or with `htmx` requested by htmx from the page at `document`."""
        return self._send("GET", path, htmx=htmx, document=document)

    def submit(self, form: Form, values: dict[str, list[str]], *, htmx=False, document=""):
        """The form sent with `values`; the answer's page (None when it is not HTML)."""
        if form.method == "get":
            return self.get(form_url(form, values), htmx=htmx, document=document)
        return self._send("POST", form.action, data=values, htmx=htmx, document=document)

    def _send(self, method: str, path: str, *, data=None, htmx: bool, document: str):
        htmx = htmx and bool(document)
        headers = {"HX-Request": "true", "HX-Current-URL": document} if htmx else {}
        started = time.monotonic()
        faults = self.record.faults
        try:
            response = self.session.request(
                method, self.base + path, data=data, headers=headers, timeout=REQUEST_TIMEOUT
            )
        except requests.RequestException:
            self.record.add(Answer(self.persona, method, path, 0, _since(started), faults))
            return None
        for hop in [*response.history, response]:
            self.record.add(
                Answer(
                    self.persona,
                    hop.request.method,
                    self._path(hop.url),
                    hop.status_code,
                    _since(started),
                    faults,
                )
            )
        if HTML not in response.headers.get("Content-Type", ""):
            return None
        return Page(document if htmx else response.url, response.text)

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


def form_url(form: Form, values: dict[str, list[str]]) -> str:
    """Where a GET form leads with `values`."""
    pairs = [(name, v) for name, vs in values.items() for v in vs]
    return urlsplit(form.action).path + "?" + urlencode(pairs)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
