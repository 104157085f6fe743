"""Every page in nynorsk and English leaves no bokmål string of the catalogue behind (issue 10 §1).

Each URL the app serves is opened, filled in with demo objects, as a person who may use it
(tests/fuzz/targets.py, from access.can), with nynorsk or English chosen; the page's visible
text may not contain any bokmål message whose translation differs. Text from the data (names,
what staff wrote, the guide's own content) is not in the catalogue and is not judged here.
"""

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from stafett.core.demo_data import seed_demo
from stafett.people.models import Person
from tests.fuzz.targets import FuzzTarget, add_missing_objects, targets

LOCALE = Path(settings.LOCALE_PATHS[0])  # the committed stafett/locale unless STAFETT_LOCALE_DIR
SKIPPED = ("pdf", "printout", "csv", "ics", "accounts:logout")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def guide_data_text() -> str:
    """The BTI guide's and toolbox's own content (stafett/guide/data): data, not yet translated
    (README «Språk»), so a message that also occurs in it cannot be judged on a page."""
    data = Path(settings.BASE_DIR) / "stafett" / "guide" / "data"
    return " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in sorted(data.rglob("*.toml")))


def bokmal_left_behind(language: str) -> list[tuple[str, str]]:
    """(a piece of the bokmål message that must not appear, the message) for messages of two words or more."""
    guide = guide_data_text()
    pieces = []
    for e in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")):
        if e.obsolete or not e.translated() or e.msgid_plural:
            continue
        source, translation = " ".join(e.msgid.split()), " ".join(e.msgstr.split())
        if source == translation or source in translation:
            continue
        literal = max(PLACEHOLDER.split(source), key=len).strip(" .,:;")
        if len(literal.split()) >= 2 and literal not in translation and literal not in guide:
            pieces.append((literal, e.msgid))
    return pieces


@pytest.fixture(scope="module")
def pages(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[FuzzTarget]]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_demo()
            add_missing_objects()
            first: dict[str, FuzzTarget] = {}
            for t in targets():
                if not t.name.endswith(SKIPPED) and t.name not in SKIPPED:
                    first.setdefault(t.name, t)
            yield list(first.values())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nn", "en"])
def test_no_page_leaves_a_bokmal_message_untranslated(pages: list[FuzzTarget], language: str):
    pieces = bokmal_left_behind(language)
    people = {p.id: p for p in Person.objects.filter(id__in={t.person_id for t in pages if t.person_id})}
    found: dict[str, set[str]] = {}
    opened = 0
    for target in pages:
        client = Client(raise_request_exception=False)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if target.person_id is not None:
            client.force_login(people[target.person_id])
        with transaction.atomic():
            response = client.get(target.path)
            transaction.set_rollback(True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened += 1
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, target.path
        text = visible_text(html)
        left = {msgid for piece, msgid in pieces if piece in text}
        if left:
            found[target.name] = left
    assert opened > 50, f"only {opened} pages opened"
    report = "\n".join(f"{name}: {sorted(m)[:5]}" for name, m in sorted(found.items()))
    assert not found, f"bokmål left in {len(found)} pages ({language}):\n{report}"
