"""The languages Stafett speaks (issue 10): bokmål is the source, nynorsk and English are catalogues.

Each language is named in itself, so a reader finds their own whatever the page is in.
"""

from django.conf import settings

LANGUAGE_CHOICES = [("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")]
# A municipality's målform (språklova § 6): bokmål or nynorsk, never English.
MALFORM_CHOICES = [("nb", "Bokmål"), ("nn", "Nynorsk")]
CODES = frozenset(code for code, _ in LANGUAGE_CHOICES)


def supported(code: str | None) -> str | None:
    """The language code if Stafett speaks it (`nn-NO` → `nn`, `no` → `nb`), else None."""
    if not code:
        return None
    base = code.lower().replace("_", "-").split("-")[0]
    if base in {"no", "nb"}:
        return "nb"
    return base if base in CODES else None


def default() -> str:
    return str(settings.LANGUAGE_CODE)
