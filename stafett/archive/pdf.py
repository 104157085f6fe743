"""The printout of a whole log as PDF/A-3b (WeasyPrint), for the archive and for download."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from stafett.logs.models import RelayLog
from stafett.logs.orphans import orphaned_in
from stafett.logs.queries import log_page


def log_html(log: RelayLog, *, reason: str = "") -> str:
    """The printable page, frozen at this moment."""
    return render_to_string("archive/log_pdf.html", log_context(log, reason=reason))


def log_context(log: RelayLog, *, reason: str = "") -> dict[str, Any]:
    """What archive/_log_body.html shows: the log's content, as the guardians see it."""
    from stafett.guide.models import GuideDecision, MaintainingFactors
    from stafett.guide.queries import factor_rows

    page = log_page(log)
    measures = [m for g in page.goals for m in g.measures.all()]
    return {
        # issue 15 §8: a measure whose responsible person has left the log is not printed as theirs.
        "orphaned_ids": {m.id for m in orphaned_in(log, measures)},
        "page": page,
        "log": log,
        "reason": reason,
        "printed_at": timezone.localtime(),
        # The BTI guide's history and the analysis belong to the log's record too.
        "guide_decisions": list(GuideDecision.objects.filter(log=log)),
        "factors": factor_rows(MaintainingFactors.objects.filter(log=log).first()),
    }


def html_to_pdf(html: str, *, identifier: str) -> bytes:
    # Imported here: WeasyPrint needs the Pango system library, which only the
    # PDF worker and download need — the rest of the app runs without it.
    from weasyprint import HTML

    return HTML(
        string=html
    ).write_pdf(  # type: ignore[no-any-return]
        pdf_variant="pdf/a-3b", pdf_identifier=identifier.encode()[:32]
    )


def render_log_pdf(log: RelayLog, *, reason: str = "") -> bytes:
    return html_to_pdf(log_html(log, reason=reason), identifier=log.code.hex)
