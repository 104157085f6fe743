"""Nudges towards plain language in what is written in a log (seeds/003 5.4:
short, precise, who does what, short deadlines, no abbreviations)."""

import re

from django.utils.translation import gettext as _

# Common Norwegian abbreviations that make a plan harder to read for parents.
ABBREVIATIONS = {
    "bl.a.": "blant annet",
    "f.eks.": "for eksempel",
    "ifht.": "i forhold til",
    "ift.": "i forhold til",
    "mtp.": "med tanke på",
    "mht.": "med hensyn til",
    "iht.": "i henhold til",
    "evt.": "eventuelt",
    "ev.": "eventuelt",
    "dvs.": "det vil si",
    "osv.": "og så videre",
    "pga.": "på grunn av",
    "vha.": "ved hjelp av",
    "ca.": "cirka",
    "o.l.": "og lignende",
    "jf.": "jamfør",
    "ifm.": "i forbindelse med",
}
LONG_SENTENCE_WORDS = 30


def plain_language_hints(text: str) -> list[str]:
    """Friendly hints, never errors: the writer decides."""
    hints = []
    lowered = text.lower()
    for abbreviation, words in ABBREVIATIONS.items():
        if re.search(r"(?<![\w.])" + re.escape(abbreviation), lowered):
            hints.append(
                _("Skriv «%(words)s» i stedet for «%(abbreviation)s».") % {"words": words, "abbreviation": abbreviation}
            )
    for sentence in re.split(r"[.!?]\s", text):
        if len(sentence.split()) > LONG_SENTENCE_WORDS:
            hints.append(_("En setning er svært lang. Korte setninger er lettere å lese."))
            break
    return hints
