"""The toolbox pages' content (seeds/004 «Verktøykasse»), read from data/verktoy/<slug>.toml.

The main data file names each tool and sums it up; a tool with a file of its own
here has a full page: sections with text, lists, terms (a short name and what it
means) and side-by-side columns (for example «Beskyttelse» and «Risiko»). The
printable forms (samtykkeskjema, evalueringsskjema) also name the groups their
fields are printed in; the fields themselves come from the app's own forms
(guide/printable.py), so the paper and the app cannot drift apart.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOL_DIR = Path(__file__).resolve().parent / "data" / "verktoy"
TOP_HEADING = 2  # sections start at <h2>; the page title is the <h1>


@dataclass(frozen=True)
class Term:
    term: str
    text: str


@dataclass(frozen=True)
class Column:
    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    level: int  # the heading level, 2–5
    anchor: str  # unique on the page: nested sections carry their parent's anchor
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    ordered: bool = False
    terms: tuple[Term, ...] = ()
    columns: tuple[Column, ...] = ()
    note: str = ""
    # Maintaining factors: the MaintainingFactors field this part of the analysis is written in.
    field: str = ""
    # Printable forms: printed after the form's fields instead of before them.
    after_form: bool = False
    sections: tuple[Section, ...] = ()

    @property
    def column_level(self) -> int:
        return min(self.level + 1, 6)


def _slug(text: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return "-".join(words)


@dataclass(frozen=True)
class FieldGroup:
    """Fields of an app form printed together: `fields` are the form's field names,
    `lines` blank lines for what only the paper has (the child's name, place and date)."""

    heading: str
    fields: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    help: str = ""
    statements: tuple[str, ...] = ()  # what the signers confirm (seeds/004's consent form)


@dataclass(frozen=True)
class Printable:
    kind: str  # "samtykke" or "evaluering": which app form the fields come from
    heading: str
    intro: str = ""
    groups: tuple[FieldGroup, ...] = ()
    # Paper wording for a field, by the app form's field name; the label stays the app's.
    field_help: dict[str, str] = field(default_factory=dict)
    signers: tuple[str, ...] = ()  # signature lines; {youth_signs_from_age} etc. per municipality
    age_note: str = ""
    footer: str = ""


@dataclass(frozen=True)
class ToolContent:
    sections: tuple[Section, ...] = ()
    source: str = ""
    show_warning: bool = False
    printable: Printable | None = None
    see_also: tuple[str, ...] = ()  # slugs of related toolbox pages


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip())


def _clean(text: str) -> str:
    return " ".join(text.split())


def _section(raw: dict[str, Any], level: int, parent: str = "") -> Section:
    unknown = set(raw) - {
        "heading",
        "text",
        "items",
        "ordered",
        "term",
        "column",
        "note",
        "field",
        "after_form",
        "section",
    }
    if unknown:
        raise ValueError(f"Ukjente nøkler i verktøykassen: {sorted(unknown)} ({raw.get('heading')})")
    heading = _clean(raw["heading"])
    anchor = f"{parent}-{_slug(heading)}" if parent else _slug(heading)
    return Section(
        heading=heading,
        level=level,
        anchor=anchor,
        paragraphs=_paragraphs(raw.get("text", "")),
        items=tuple(_clean(i) for i in raw.get("items", [])),
        ordered=raw.get("ordered", False),
        terms=tuple(Term(_clean(t["term"]), _clean(t["text"])) for t in raw.get("term", [])),
        columns=tuple(
            Column(_clean(c["heading"]), tuple(_clean(i) for i in c["items"])) for c in raw.get("column", [])
        ),
        note=_clean(raw.get("note", "")),
        field=raw.get("field", ""),
        after_form=raw.get("after_form", False),
        sections=tuple(_section(s, min(level + 1, 5), anchor) for s in raw.get("section", [])),
    )


def _printable(raw: dict[str, Any]) -> Printable:
    return Printable(
        kind=raw["kind"],
        heading=_clean(raw["heading"]),
        intro=_clean(raw.get("intro", "")),
        groups=tuple(
            FieldGroup(
                heading=_clean(g["heading"]),
                fields=tuple(g.get("fields", [])),
                lines=tuple(g.get("lines", [])),
                help=_clean(g.get("help", "")),
                statements=tuple(_clean(t) for t in g.get("statements", [])),
            )
            for g in raw.get("group", [])
        ),
        field_help={k: _clean(v) for k, v in raw.get("field_help", {}).items()},
        signers=tuple(raw.get("signers", [])),
        age_note=_clean(raw.get("age_note", "")),
        footer=_clean(raw.get("footer", "")),
    )


def all_sections(sections: tuple[Section, ...]) -> list[Section]:
    """Every section, nested ones included, in page order."""
    return [s for top in sections for s in (top, *all_sections(top.sections))]


def parse_tool(path: Path) -> ToolContent:
    with path.open("rb") as f:
        raw = tomllib.load(f)
    sections = tuple(_section(s, TOP_HEADING) for s in raw.get("section", []))
    anchors = [s.anchor for s in all_sections(sections)]
    if len(anchors) != len(set(anchors)):
        raise ValueError(f"To avsnitt har samme overskrift i {path.name}")
    return ToolContent(
        sections=sections,
        source=_clean(raw.get("source", "")),
        show_warning=raw.get("show_warning", False),
        printable=_printable(raw["printable"]) if "printable" in raw else None,
        see_also=tuple(raw.get("see_also", [])),
    )


def load_tools(slugs: set[str], directory: Path = TOOL_DIR) -> dict[str, ToolContent]:
    """The content of every tool that has a file; a file for a slug the guide does not know is an error."""
    found = {p.stem: p for p in sorted(directory.glob("*.toml"))} if directory.is_dir() else {}
    unknown = set(found) - slugs
    if unknown:
        raise ValueError(f"Verktøy som ikke finnes i veilederen: {sorted(unknown)}")
    tools = {slug: parse_tool(path) for slug, path in found.items()}
    for slug, tool in tools.items():
        if set(tool.see_also) - slugs:
            raise ValueError(
                f"{slug}: «se også» lenker til verktøy som ikke finnes: {sorted(set(tool.see_also) - slugs)}"
            )
    return tools
