"""The nynorsk and English catalogues are complete (issue 10 §1): every string the code marks
for translation has a checked translation in both, the committed .mo files are compiled from
the committed .po files, and no translation drops a placeholder."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0])  # the committed stafett/locale unless STAFETT_LOCALE_DIR
LANGUAGES = ["nn", "en"]
IGNORED = (".venv", "node_modules", "bench", "tests", "staticfiles", "var", "stafett/locale")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*(\w+)\s*\}\}|%[sd]")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_checked_translation(language):
    po = catalogue(language)
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, f"{len(missing)} {language} messages untranslated or fuzzy, e.g. {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(language):
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {key(e): (e.msgstr, e.msgstr_plural) for e in mo if e.msgid}
    source = {key(e): (e.msgstr, e.msgstr_plural) for e in po if e.translated() and not e.obsolete}
    assert compiled == source, "run `make messages` and commit stafett/locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_drops_or_invents_a_placeholder(language):
    def names(text: str) -> list[str]:
        return sorted(m.group(0).replace(" ", "") for m in PLACEHOLDER.finditer(text))

    wrong = []
    for e in catalogue(language):
        if e.obsolete or not e.translated():
            continue
        translations = [e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())
        for t in translations:
            if names(t) != names(e.msgid if not e.msgid_plural else e.msgid_plural):
                wrong.append(e.msgid)
    assert not wrong, f"{language}: placeholders differ in {wrong[:10]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_catalogues_hold_every_string_the_code_marks(tmp_path: Path):
    """makemessages into a scratch folder: no msgid there may be missing from the committed files."""
    env_dir = tmp_path / "locale"
    env_dir.mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nn", "--no-obsolete", "--no-wrap",
         *[f"--ignore={d}" for d in IGNORED]],
        cwd=settings.BASE_DIR, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "STAFETT_DEBUG": "true", "STAFETT_LOCALE_DIR": str(env_dir)},
    )  # fmt: skip
    extracted = {key(e) for e in polib.pofile(str(env_dir / "nn" / "LC_MESSAGES" / "django.po")) if e.msgid}
    for language in LANGUAGES:
        have = {key(e) for e in catalogue(language) if not e.obsolete}
        missing = sorted(m for _, m in extracted - have)
        assert not missing, f"{len(missing)} strings missing in {language} (run `make messages`): {missing[:10]}"
