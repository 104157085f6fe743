"""Municipality statistics: aggregate counts only, small counts hidden (issue 5)."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from stafett.access import Action, PersonRequest, needs
from stafett.stats.cache import cached_statistics
from stafett.stats.charts import bar_chart
from stafett.stats.forms import StatisticsForm
from stafett.stats.queries import Statistics, municipalities_for


def _form(request: PersonRequest) -> StatisticsForm:
    municipalities = list(municipalities_for(request.user))
    chosen = request.GET.get("kommune")
    # Another municipality's statistics "do not exist" for this person (as in access.py).
    if chosen is not None and chosen not in {str(m.code) for m in municipalities}:
        raise Http404
    data = request.GET.copy()
    if chosen is None and municipalities:
        data["kommune"] = str(municipalities[0].code)
    return StatisticsForm(data, municipalities=municipalities, today=timezone.localdate())


@needs(Action.VIEW_STATISTICS)
@require_GET
def statistics_page(request: PersonRequest) -> HttpResponse:
    form = _form(request)
    if not form.municipalities:
        return render(request, "stats/statistics.html", {"form": None})
    if not form.is_valid():
        return render(request, "stats/statistics.html", {"form": form}, status=400)
    stats = cached_statistics(form.municipality, form.period)
    charts = {table.key: bar_chart(table) for table in stats.tables}
    return render(
        request,
        "stats/statistics.html",
        {"form": form, "stats": stats, "charts": charts, "csv_query": request.GET.urlencode()},
    )


@needs(Action.VIEW_STATISTICS)
@require_GET
def statistics_csv(request: PersonRequest) -> HttpResponse:
    form = _form(request)
    if not form.municipalities or not form.is_valid():
        raise Http404
    stats = cached_statistics(form.municipality, form.period)
    period = stats.period
    filename = f"statistikk-{slugify(stats.municipality.name)}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    write_csv(response, stats)
    return response


CSV_HEADER = ["kommune", "fra", "til", "tabell", "kategori", "kolonne", "verdi"]


def write_csv(out: HttpResponse, stats: Statistics) -> None:
    """One value a line, with the same suppression as the page («<5», «skjult»)."""
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    place = [stats.municipality.name, f"{stats.period.start:%Y-%m-%d}", f"{stats.period.end:%Y-%m-%d}"]
    for table in stats.tables:
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                writer.writerow([*place, table.title, row.label, column, cell.csv_text])
        for column, cell in zip(table.columns, table.totals, strict=True):
            writer.writerow([*place, table.title, table.total_label, column, cell.csv_text])
    writer.writerow([*place, stats.first_meeting.title, _("Median"), _("Dager"), stats.first_meeting.csv_text])
    writer.writerow(
        [*place, stats.measures.title, _("Andel evaluert i tide"), _("Prosent"), stats.measures_on_time_share]
    )
    writer.writerow(
        [*place, stats.consents.title, _("Andel fornyet i tide"), _("Prosent"), stats.consents_renewed_share]
    )
