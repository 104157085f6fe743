"""Copy the guide's steps from the data file into GuideStep rows. Idempotent.

Called from the data migration (with the historical model) and from the demo
seeding, so a database that was emptied and seeded again has the guide too.
A step nobody has edited in the app follows the file when its version goes up;
a step a superuser has edited keeps the edited text.
"""

from dataclasses import dataclass
from typing import Any

from stafett.guide.source import Guide, guide


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    kept_edited: int


def load_guide(step_model: Any = None, data: Guide | None = None) -> LoadResult:
    if step_model is None:
        from stafett.guide.models import GuideStep

        step_model = GuideStep
    data = data or guide()
    existing = {(s.service, s.level, s.number): s for s in step_model.objects.all()}
    created = updated = kept = 0
    for level in data.levels:
        for s in level.steps:
            values = {
                "title": s.title,
                "how": s.how,
                "who": s.who,
                "tools": [t.as_json() for t in s.tools],
                "data_version": data.version,
            }
            row = existing.get((level.service, level.level, s.number))
            if row is None:
                step_model.objects.create(service=level.service, level=level.level, number=s.number, **values)
                created += 1
            elif row.data_version < data.version:
                if row.edited_at is not None:
                    kept += 1
                    continue
                step_model.objects.filter(pk=row.pk).update(**values)
                updated += 1
    return LoadResult(created, updated, kept)
