"""The toolbox's printable forms: the consent form and the evaluation form on paper and as PDF.

Every field is taken from the app's own form, with the app's label and choices, so what the
guardians sign on paper is exactly what the holder records in Stafett. The data file
(data/verktoy/<slug>.toml) only groups the fields and adds what paper needs besides.
A field the data file does not place is printed last rather than left out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.archive.pdf import html_to_pdf
from stafett.guide.source import ToolboxEntry
from stafett.guide.toolbox import Printable, Section
from stafett.logs.forms import EvaluationForm, OpenLogForm, RenewConsentForm
from stafett.logs.models import Consent
from stafett.people.models import Membership, Municipality, Person

AGE_FIELDS = ("child_view_weighs_from_age", "youth_signs_from_age", "youth_logs_in_from_age")
TEXT_LINES = 3
CSS_FILE = Path(__file__).resolve().parent.parent / "static" / "css" / "toolbox.css"


def consent_fields() -> dict[str, forms.Field]:
    """The consent form's fields, and any consent field only the form that opens a log has."""
    fields = dict(RenewConsentForm.base_fields)
    consent = {f.name for f in Consent._meta.get_fields()}
    for name, f in OpenLogForm.base_fields.items():
        if name in consent:
            fields.setdefault(name, f)
    return fields


def evaluation_fields() -> dict[str, forms.Field]:
    return dict(EvaluationForm.base_fields)


FORM_FIELDS = {"samtykke": consent_fields, "evaluering": evaluation_fields}


@dataclass(frozen=True)
class PaperItem:
    """One thing to fill in: `kind` is one of choices (tick any), choice (tick one), date, text
    (a few lines), line (one line), signatures (a line per signer) or note (read only)."""

    label: str
    kind: str
    name: str = ""  # the app form's field name; empty for lines only paper has
    help: str = ""
    choices: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()  # signers
    lines: range = range(1)


@dataclass(frozen=True)
class PaperGroup:
    heading: str
    help: str
    items: tuple[PaperItem, ...]
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paper:
    heading: str
    intro: str
    age_note: str
    groups: tuple[PaperGroup, ...]
    before: tuple[Section, ...] = ()
    after: tuple[Section, ...] = ()
    footer: str = ""
    labels: tuple[str, ...] = field(default=())  # every app field label on the paper


def _kind(f: forms.Field) -> str:
    # Subclasses first: a ModelMultipleChoiceField is a MultipleChoiceField is a ChoiceField.
    if isinstance(f, forms.ModelMultipleChoiceField):
        return "signatures"
    if isinstance(f, forms.MultipleChoiceField):
        return "choices"
    if isinstance(f, forms.ChoiceField):
        return "choice"
    if isinstance(f, forms.DateField):
        return "date"
    if isinstance(f, forms.FileField):
        return "note"
    if isinstance(f.widget, forms.Textarea):
        return "text"
    return "line"


def _item(name: str, f: forms.Field, printable: Printable, ages: dict[str, object]) -> PaperItem:
    kind = _kind(f)
    choices: tuple[str, ...] = ()
    if kind in ("choices", "choice"):
        choices = tuple(str(label) for value, label in f.choices if value != "")  # type: ignore[attr-defined]
    rows = tuple(s.format_map(ages) for s in printable.signers) if kind == "signatures" else ()
    return PaperItem(
        label=str(f.label),
        kind=kind,
        name=name,
        help=printable.field_help.get(name, str(f.help_text or "")),
        choices=choices,
        rows=rows,
        lines=range(TEXT_LINES if kind == "text" else 1),
    )


def age_limits(person: Person) -> dict[str, object]:
    """The age limits of the municipality the person works in (seeds/001 §8): when the youth signs
    and when the child's view weighs heavily. Someone with no unit gets the usual limits."""
    membership = (
        Membership.objects.active().filter(person=person).select_related("unit__municipality").order_by("id").first()
    )
    municipality = membership.unit.municipality if membership else Municipality()
    ages: dict[str, object] = {name: getattr(municipality, name) for name in AGE_FIELDS}
    ages["municipality"] = municipality.name if membership else "de fleste kommuner"
    return ages


def build_paper(tool: ToolboxEntry, person: Person) -> Paper:
    printable = tool.content.printable
    if printable is None:
        raise ValueError(f"{tool.slug} er ikke et skjema")
    fields = FORM_FIELDS[printable.kind]()
    ages = age_limits(person)
    placed: set[str] = set()
    groups = []
    for g in printable.groups:
        unknown = set(g.fields) - set(fields)
        if unknown:
            raise ValueError(f"{tool.slug}: feltene {sorted(unknown)} finnes ikke i skjemaet i Stafett")
        placed |= set(g.fields)
        # Lines only paper has (the child's name, place and date) come before the group's fields.
        items = [PaperItem(label=line, kind="line") for line in g.lines]
        items += [_item(name, fields[name], printable, ages) for name in g.fields]
        groups.append(PaperGroup(g.heading, g.help, tuple(items), g.statements))
    rest = [name for name in fields if name not in placed and not fields[name].widget.is_hidden]
    if rest:
        groups.append(
            PaperGroup(_("Andre opplysninger"), "", tuple(_item(n, fields[n], printable, ages) for n in rest))
        )
    sections = tool.content.sections
    return Paper(
        heading=printable.heading,
        intro=printable.intro,
        age_note=printable.age_note.format_map(ages),
        groups=tuple(groups),
        before=tuple(s for s in sections if not s.after_form),
        after=tuple(s for s in sections if s.after_form),
        footer=printable.footer,
        labels=tuple(str(f.label) for f in fields.values() if not f.widget.is_hidden),
    )


@functools.cache
def paper_css() -> str:
    """The page's own stylesheet, so the PDF looks like the page printed from the browser."""
    return CSS_FILE.read_text(encoding="utf-8")


def paper_pdf(tool: ToolboxEntry, person: Person) -> bytes:
    context = {
        "tool": tool,
        "paper": build_paper(tool, person),
        "paper_css": paper_css(),
        "printed_at": timezone.localtime(),
    }
    return html_to_pdf(render_to_string("guide/paper_pdf.html", context), identifier=f"stafett-{tool.slug}")
