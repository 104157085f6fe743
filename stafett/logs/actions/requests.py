"""Families ask (seeds/001 §1: «Foresatte kan selv be helsestasjon, barnehage eller skole om å
vurdere å opprette Stafettlogg»). A request is not a log and opens nothing: the unit's leader
answers within ANSWER_WITHIN_DAYS, and a log exists only after consent, as always."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.logs.actions.common import in_bokmal
from stafett.logs.models import ANSWER_WITHIN_DAYS, ASKABLE_SERVICES, LogRequest, RequestOutcome
from stafett.notify.events import tell, unit_leaders
from stafett.notify.models import Kind
from stafett.people.models import Guardianship, Municipality, Person, Unit


def _audit(actor: Person, log_request: LogRequest, action: AuditAction, **details: object) -> None:
    # The trail names the unit and the outcome, never what the family wrote.
    record(actor=actor, action=action, obj=log_request, details={"tjenestested": log_request.unit.name, **details})


@transaction.atomic
def ask_for_log(*, actor: Person, child: Person, unit: Unit, text: str) -> LogRequest:
    """A guardian (or the youth with rights) asks the unit to consider a log; its leaders are told."""
    today = timezone.localdate()
    log_request = LogRequest(
        child=child, asked_by=actor, unit=unit, text=text.strip(), answer_by=today + timedelta(days=ANSWER_WITHIN_DAYS)
    )
    access.require(actor, Action.ASK_FOR_LOG, log_request)
    if unit.service_type not in ASKABLE_SERVICES:
        raise ValidationError({"unit": _("Velg en barnehage, en skole eller en helsestasjon.")})
    if not log_request.text:
        raise ValidationError({"text": _("Skriv kort hva dere ønsker hjelp med.")})
    if LogRequest.objects.filter(child=child, unit=unit, answered_at__isnull=True).exists():
        raise ValidationError(
            {"unit": _("Dere har allerede spurt %(unit)s, og svaret er ikke kommet ennå.") % {"unit": unit.name}}
        )
    log_request.full_clean()
    log_request.save()
    _audit(actor, log_request, AuditAction.LOG_REQUEST_CREATED)
    path = reverse("logs:log_requests", kwargs={"unit_code": unit.code})
    for leader in unit_leaders(unit):
        tell(leader, kind=Kind.LOG_REQUESTED, path=path, dedupe_key=f"log_request:{log_request.code}:{leader.code}")
    return log_request


def record_request_read(*, actor: Person, log_request: LogRequest) -> None:
    """The leader read what the family wrote: it is in the trail, like a read of a log."""
    access.require(actor, Action.VIEW_LOG_REQUEST, log_request)
    _audit(actor, log_request, AuditAction.LOG_REQUEST_VIEWED)


@transaction.atomic
def answer_log_request(
    *, actor: Person, log_request: LogRequest, outcome: RequestOutcome | str, answer: str
) -> LogRequest:
    """The unit's leader answers; the family (every guardian, and whoever asked) is told."""
    log_request = LogRequest.objects.select_for_update().select_related("unit__municipality").get(pk=log_request.pk)
    access.require(actor, Action.ANSWER_LOG_REQUEST, log_request)
    if log_request.answered_at is not None:
        raise ValidationError(_("Forespørselen er allerede besvart."))
    if outcome not in RequestOutcome.values:
        raise ValidationError({"outcome": _("Velg et svar.")})
    log_request.outcome, log_request.answer = outcome, answer.strip()
    log_request.answered_at, log_request.answered_by = timezone.now(), actor
    log_request.full_clean()
    log_request.save(update_fields=["outcome", "answer", "answered_at", "answered_by"])
    on_time = timezone.localdate() <= log_request.answer_by
    _audit(
        actor,
        log_request,
        AuditAction.LOG_REQUEST_ANSWERED,
        svar=in_bokmal(lambda: RequestOutcome(outcome).label),
        i_tide=on_time,
    )
    family = {g.guardian for g in Guardianship.objects.filter(child=log_request.child).select_related("guardian")}
    family.add(log_request.asked_by)
    for person in family:
        tell(
            person,
            kind=Kind.LOG_REQUEST_ANSWERED,
            path=reverse("core:start"),
            dedupe_key=f"log_request_answered:{log_request.code}:{person.code}",
        )
    return log_request


def requests_from_family(person: Person) -> QuerySet[LogRequest]:
    """The requests about the person's children, or that the person made: for their start page."""
    return (
        LogRequest.objects.filter(Q(child__guardianships__guardian=person) | Q(asked_by=person) | Q(child=person))
        .select_related("unit", "child")
        .distinct()
        .order_by("-created_at", "-id")
    )


def requests_to(unit: Unit) -> QuerySet[LogRequest]:
    """«Forespørsler fra familier»: open ones first, by deadline; then the answered ones."""
    return (
        LogRequest.objects.filter(unit=unit)
        .select_related("child", "asked_by", "answered_by", "unit")
        .order_by("answered_at", "answer_by", "id")
    )


def open_request_counts(units: list[Unit], today: date | None = None) -> dict[int, tuple[int, int]]:
    """Per unit: how many requests wait for an answer, and how many of those are overdue."""
    today = today or timezone.localdate()
    counts: dict[int, tuple[int, int]] = {}
    for r in LogRequest.objects.filter(unit__in=units, answered_at__isnull=True).values("unit_id", "answer_by"):
        waiting, overdue = counts.get(r["unit_id"], (0, 0))
        counts[r["unit_id"]] = (waiting + 1, overdue + (r["answer_by"] < today))
    return counts


def children_to_ask_for(person: Person) -> list[Person]:
    """The person's children, and the person themself if old enough to have rights in some
    municipality (the action checks the asked unit's municipality: access.py)."""
    children = [g.child for g in Guardianship.objects.filter(guardian=person).select_related("child")]
    ages = list(Municipality.objects.values_list("youth_logs_in_from_age", flat=True))
    age = person.age_on(timezone.localdate())
    if age is not None and ages and min(ages) <= age < access.ADULT_AGE:
        children.append(person)
    return children
