"""The BTI action guide as data: reads stafett/guide/data/veileder-v1.toml (seeds/004).

The file is the source. Its steps are copied into GuideStep rows (loader.py) so
a superuser can edit the text in the app; everything else — services, level
titles and summaries, the toolbox — is read from the file as it is.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from stafett.guide.toolbox import ToolContent, load_tools
from stafett.people.models import ServiceType

DATA_FILE = Path(__file__).resolve().parent / "data" / "veileder-v1.toml"

# Which part of the guide a unit follows, by its service type. seeds/004 has no
# pages for PPT, BUP, the GP, NAV or volunteers: their logs show no steps.
GUIDE_SERVICE_FOR_UNIT: dict[str, str] = {
    ServiceType.BARNEHAGE: "barnehage",
    ServiceType.SKOLE: "skole",
    ServiceType.SFO: "skole",
    ServiceType.HELSESTASJON: "helsestasjon_skolehelse",
    ServiceType.SKOLEHELSE: "helsestasjon_skolehelse",
    ServiceType.RESSURSTEAM: "ressursteam",
    ServiceType.FOREBYGGENDE: "forebyggende",
    ServiceType.BARNEVERN: "barnevern",
}
UNDRING = "0"  # level 0 is the private undring before any log (stafett/undring)


@dataclass(frozen=True)
class Tool:
    name: str
    slug: str = ""  # set when the tool is a toolbox page

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "slug": self.slug}


@dataclass(frozen=True)
class StepData:
    number: int
    title: str
    how: str
    who: str
    tools: tuple[Tool, ...]


@dataclass(frozen=True)
class LevelData:
    service: str
    level: str
    title: str
    summary: str
    steps: tuple[StepData, ...]
    repeat_from: int | None = None


@dataclass(frozen=True)
class ToolboxEntry:
    slug: str
    title: str
    summary: str
    url: str = ""
    # The full page (data/verktoy/<slug>.toml); a tool without a file has only its summary.
    content: ToolContent = field(default_factory=ToolContent)


@dataclass(frozen=True)
class Guide:
    version: int
    title: str
    source: str
    warning: str
    services: dict[str, str]
    toolbox: dict[str, ToolboxEntry]
    levels: tuple[LevelData, ...] = field(default_factory=tuple)

    def level(self, service: str, level: str) -> LevelData | None:
        return next((lv for lv in self.levels if lv.service == service and lv.level == level), None)

    def ladder(self, service: str) -> list[str]:
        """The levels a log can follow for this service, lowest first (level 0 comes before a log)."""
        return sorted(
            (lv.level for lv in self.levels if lv.service == service and lv.level != UNDRING), key=level_sort_key
        )


def numeric_level(level: str) -> int:
    """The log level (1–3) a guide level belongs to: child welfare's 3.0–3.3 are all level 3."""
    return int(level.split(".", 1)[0])


def level_sort_key(level: str) -> tuple[int, ...]:
    return tuple(int(part) for part in level.split("."))


def level_label(level: str) -> str:
    return _("Nivå %(level)s") % {"level": level}


def guide_service_for(service_type: str) -> str | None:
    return GUIDE_SERVICE_FOR_UNIT.get(service_type)


def _tool(raw: Any, toolbox: dict[str, ToolboxEntry]) -> Tool:
    if isinstance(raw, str):
        return Tool(raw)
    slug = raw.get("slug", "")
    if slug and slug not in toolbox:
        raise ValueError(f"Ukjent verktøy i veilederen: {slug}")
    return Tool(raw["name"], slug)


def parse(path: Path) -> Guide:
    with path.open("rb") as f:
        raw = tomllib.load(f)
    entries = raw.get("toolbox", {})
    contents = load_tools(set(entries), path.parent / "verktoy")
    toolbox = {
        slug: ToolboxEntry(
            slug,
            entry["title"],
            " ".join(entry["summary"].split()),
            entry.get("url", ""),
            contents.get(slug, ToolContent()),
        )
        for slug, entry in entries.items()
    }
    services: dict[str, str] = raw["services"]
    levels = []
    for lv in raw["level"]:
        if lv["service"] not in services:
            raise ValueError(f"Ukjent tjeneste i veilederen: {lv['service']}")
        steps = tuple(
            StepData(
                number=s["number"],
                title=s["title"],
                how=s["how"].strip(),
                who=s.get("who", "").strip(),
                tools=tuple(_tool(t, toolbox) for t in s.get("tools", [])),
            )
            for s in lv["step"]
        )
        levels.append(LevelData(lv["service"], lv["level"], lv["title"], lv["summary"], steps, lv.get("repeat_from")))
    return Guide(
        version=raw["version"],
        title=raw["title"],
        source=raw["source"],
        warning=raw["warning"],
        services=services,
        toolbox=toolbox,
        levels=tuple(levels),
    )


@functools.cache
def guide() -> Guide:
    """The guide in DATA_FILE, read once per process."""
    return parse(DATA_FILE)
