"""A tiny horizontal bar chart, drawn as SVG by a template (stats/_bar_chart.html).

The geometry is worked out here, the markup is in the template. Hidden
counts get no bar, only their text («under 5», «skjult»). Every chart
stands next to a table with the same numbers, so nothing is told by the
picture alone; a second series is drawn as an outlined bar, so the two are
told apart without colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from stafett.stats.queries import CountTable

WIDTH = 640
BAR_HEIGHT = 18
BAR_GAP = 3
GROUP_GAP = 14
VALUE_WIDTH = 64
CHAR_WIDTH = 8  # generously, at 13px
LEGEND_HEIGHT = 30
TOP = 8


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    text: str
    text_x: int
    series: int  # 0: solid, 1: outlined


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class LegendItem:
    label: str
    x: int
    series: int


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    height: int
    label_width: int
    groups: tuple[Group, ...]
    legend: tuple[LegendItem, ...]
    legend_y: int
    axis_top: int
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(table: CountTable) -> BarChart:
    longest = max((len(r.label) for r in table.rows), default=0)
    label_width = min(max(longest * CHAR_WIDTH + 12, 90), 260)
    area = WIDTH - label_width - VALUE_WIDTH
    shown = [c.value for r in table.rows for c in r.cells if c.value is not None]
    top_value = max(shown, default=0) or 1
    series = len(table.columns)
    legend_height = LEGEND_HEIGHT if series > 1 else 0
    y = TOP + legend_height
    groups = []
    for row in table.rows:
        bars = []
        for i, cell in enumerate(row.cells):
            width = round(area * cell.value / top_value) if cell.value else 0
            bar_y = y + i * (BAR_HEIGHT + BAR_GAP)
            bars.append(Bar(bar_y, width, cell.text, label_width + width + 6, i))
        group_height = series * BAR_HEIGHT + (series - 1) * BAR_GAP
        groups.append(Group(row.label, y + group_height // 2, tuple(bars)))
        y += group_height + GROUP_GAP
    legend = (
        tuple(LegendItem(name, label_width + i * 160, i) for i, name in enumerate(table.columns)) if series > 1 else ()
    )
    return BarChart(
        id=f"diagram-{table.key}",
        title=table.title,
        description=_("Stolpediagram. De samme tallene står i tabellen «%(title)s».") % {"title": table.title},
        height=y - GROUP_GAP + TOP,
        label_width=label_width,
        groups=tuple(groups),
        legend=legend,
        legend_y=TOP,
        axis_top=TOP + legend_height - 4,
    )
