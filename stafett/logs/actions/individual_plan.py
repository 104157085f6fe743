"""From stafettlogg to individuell plan, in place (seeds/003: «Behovet vurderes som sammensatt og
langvarig, det opprettes Individuell Plan»; issue 15 §6).

The log keeps its history, goals and measures. The holder becomes the plan's koordinator and the
participants its ansvarsgruppe — names only: the HOLDER and PARTICIPANT relations in
stafett/access.py stay what they are. The plan adds the person's own goals in their own words and
the decisions (vedtak) it rests on; the coordinator's duties are a fixed list (COORDINATOR_DUTIES).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stafett.access import Action
from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveEvent
from stafett.audit.models import AuditAction
from stafett.logs import news
from stafett.logs.actions.common import _audit, _require_active
from stafett.logs.models import TEXT_LONG, LogKind, PlanDecision, RelayLog
from stafett.notify.models import Kind
from stafett.people.models import Person

NOT_ACTIVE = gettext_lazy("Loggen er ikke aktiv. Den kan ikke endres.")


@transaction.atomic
def make_individual_plan(
    *, actor: Person, log: RelayLog, guardians_consented_on: date, own_goals: str = ""
) -> RelayLog:
    """The guardians have consented in writing to an individual plan (the holder records the day;
    the signed paper stays in the unit's record, as the consent form's copy does)."""
    _require_active(actor, log, Action.MAKE_INDIVIDUAL_PLAN, str(NOT_ACTIVE))
    if log.is_individual_plan:
        raise ValidationError(_("Loggen er allerede en individuell plan."))
    today = timezone.localdate()
    if guardians_consented_on > today:
        raise ValidationError({"guardians_consented_on": _("Datoen for samtykket kan ikke være fram i tid.")})
    if len(own_goals) > TEXT_LONG:
        raise ValidationError({"own_goals": _("Skriv høyst %(n)s tegn.") % {"n": TEXT_LONG}})
    log.kind = LogKind.INDIVIDUAL_PLAN
    log.became_ip_on = today
    log.ip_consent_on = guardians_consented_on
    log.own_goals = own_goals.strip()
    log.save(update_fields=["kind", "became_ip_on", "ip_consent_on", "own_goals", "updated_at"])
    _audit(
        actor,
        log,
        AuditAction.LOG_BECAME_INDIVIDUAL_PLAN,
        foresatte_samtykket=guardians_consented_on.isoformat(),
    )
    # The change is an archive moment: the log as it stood when it became a plan.
    make_archive_copy(relay_log=log, event=ArchiveEvent.INDIVIDUAL_PLAN)
    news.log_news(log=log, actor=actor, kind=Kind.BECAME_INDIVIDUAL_PLAN)
    return log


def _require_plan(actor: Person, log: RelayLog) -> None:
    _require_active(actor, log, Action.EDIT_PLAN, str(NOT_ACTIVE))
    if not log.is_individual_plan:
        raise ValidationError(_("Loggen er ikke en individuell plan."))


@transaction.atomic
def update_own_goals(*, actor: Person, log: RelayLog, text: str) -> RelayLog:
    """The person's own goals, in their own words, written down by the coordinator."""
    _require_plan(actor, log)
    if len(text) > TEXT_LONG:
        raise ValidationError({"text": _("Skriv høyst %(n)s tegn.") % {"n": TEXT_LONG}})
    log.own_goals = text.strip()
    log.save(update_fields=["own_goals", "updated_at"])
    _audit(actor, log, AuditAction.IP_OWN_GOALS_UPDATED)
    return log


@transaction.atomic
def add_plan_decision(*, actor: Person, log: RelayLog, text: str, decided_on: date) -> PlanDecision:
    _require_plan(actor, log)
    decision = PlanDecision(log=log, text=text.strip(), decided_on=decided_on, recorded_by_name=actor.full_name)
    decision.full_clean()
    decision.save()
    _audit(actor, log, AuditAction.IP_DECISION_ADDED, obj=decision)
    return decision
