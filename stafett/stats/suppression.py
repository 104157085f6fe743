"""Small counts are never shown: not in a table, not in a chart, not in the CSV file.

A count below five could point at one child in a small municipality. Such a
count is shown as «under 5». Every table is a partition of something whose
total is shown (or can be added up from another table), so a single hidden
cell could be worked out by subtraction: then the smallest shown cell in the
same column is hidden too («skjult»). A share is hidden when its numerator or
denominator is. Raw numbers do not leave this module for a hidden cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

SMALLEST_SHOWN = 5


class Hidden(StrEnum):
    NO = ""
    SMALL = "small"  # below five
    SECONDARY = "secondary"  # five or more, hidden so a small one cannot be worked out


@dataclass(frozen=True)
class Cell:
    """One count as it may be shown: the number, or only that it is hidden and why."""

    value: int | None
    hidden: Hidden = Hidden.NO

    @property
    def text(self) -> str:
        if self.hidden == Hidden.SMALL:
            return _("under 5")
        if self.hidden == Hidden.SECONDARY:
            return _("skjult")
        return str(self.value)

    @property
    def csv_text(self) -> str:
        return "<5" if self.hidden == Hidden.SMALL else self.text


def _cell(count: int) -> Cell:
    return Cell(None, Hidden.SMALL) if count < SMALLEST_SHOWN else Cell(count)


def suppress_partition(counts: list[int]) -> tuple[list[Cell], Cell]:
    """Cells for counts that add up to a total, and the total.

    If exactly one cell is hidden while the total is shown, the smallest shown
    cell is hidden as well, so that neither can be found by subtraction.
    Zero counts are hidden like any other count below five: a "0" next to a
    hidden cell would otherwise narrow it down.
    """
    total = sum(counts)
    cells = [_cell(c) for c in counts]
    total_cell = _cell(total)
    hidden = [i for i, c in enumerate(cells) if c.hidden]
    if total_cell.value is not None and len(hidden) == 1:
        shown = [i for i, c in enumerate(cells) if not c.hidden]
        partner = min(shown, key=lambda i: (counts[i], i))
        cells[partner] = Cell(None, Hidden.SECONDARY)
    return cells, total_cell


def share(numerator: Cell, denominator: Cell) -> str:
    """A whole-number percentage, or «skjult» when it would reveal a hidden count."""
    if numerator.value is None or denominator.value is None:
        return _("skjult")
    if denominator.value == 0:
        return "–"
    return f"{round(100 * numerator.value / denominator.value)} %"
