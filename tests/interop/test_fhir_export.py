"""Issue 11 §2: the FHIR R4B export of a log — what it holds, who may have it, and that it is audited.

Every export is round-tripped: the JSON-ready dict is serialised and read back with
fhir.resources' own parser (`Bundle.model_validate_json`) before anything is asserted."""

import html
import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from stafett.archive.pdf import log_html
from stafett.audit.models import AuditEvent
from stafett.core.demo_data import seed_demo
from stafett.interop.fhir import CONTENT_TYPE, EXPORT_SIDE, log_bundle
from stafett.interop.fhir_people import DNR_SYSTEM, FNR_SYSTEM
from stafett.lib.national_id import SYNTHETIC_MONTH_OFFSET, with_check_digits
from stafett.logs import actions
from stafett.logs.models import GOOD_MEETINGS_AGENDA, Measure, Meeting, Message, RelayLog
from tests.logs.conftest import *  # noqa: F403 - the log fixtures (log, make_consent, …)


def _export(actor, log) -> Bundle:
    data = log_bundle(actor=actor, log=log)
    return Bundle.model_validate_json(json.dumps(data))


def _resources(bundle: Bundle, kind: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def _one(bundle: Bundle, kind: str):
    (found,) = _resources(bundle, kind)
    return found


def _by_id(bundle: Bundle, kind: str) -> dict:
    return {r.id: r for r in _resources(bundle, kind)}


def _references(value) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def _meeting(cast, log, *, days: int = 7, place: str = "Solsikken, møterom 2", agenda: str = GOOD_MEETINGS_AGENDA):
    return actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now() + timedelta(days=days), place=place, agenda=agenda
    )


def _d_number(born) -> str:
    """A synthetic D-nummer (day + 40, month + 80) for this birth date."""
    for individual in range(500, 1000):
        first_nine = f"{born.day + 40:02d}{born.month + SYNTHETIC_MONTH_OFFSET:02d}{born.year % 100:02d}{individual}"
        try:
            return with_check_digits(first_nine)
        except ValueError:
            continue
    raise AssertionError("no D-number for this date")


def _assert_matches_log(bundle: Bundle, log: RelayLog) -> None:
    """Counts and key fields of every kind of resource, against the log's own rows."""
    patient = _one(bundle, "Patient")
    assert patient.id == str(log.subject.code)
    assert patient.name[0].family == log.subject.family_name
    plan = _one(bundle, "CarePlan")
    assert (plan.id, plan.subject.reference) == (str(log.code), f"urn:uuid:{log.subject.code}")
    _one(bundle, "CareTeam")

    goals = _by_id(bundle, "Goal")
    assert {g.id: g.description.text for g in goals.values()} == {str(g.code): g.text for g in log.goals.all()}
    tasks = _by_id(bundle, "Task")
    measures = list(Measure.objects.filter(log=log).select_related("responsible", "goal"))
    assert set(tasks) == {str(m.code) for m in measures}
    for m in measures:
        t = tasks[str(m.code)]
        assert (t.description, t.restriction.period.end) == (m.what, m.deadline)
        assert t.reasonReference.reference == f"urn:uuid:{m.goal.code}"
        assert t.owner is None or t.owner.reference == f"urn:uuid:{m.responsible.code}"
        assert t.status == ("completed" if m.stopped_at else t.status)
    meetings = _by_id(bundle, "Appointment")
    assert set(meetings) == {str(m.code) for m in log.meetings.all()}
    for m in log.meetings.all():
        expected = "cancelled" if m.cancelled_at else "fulfilled" if m.held else "booked"
        assert meetings[str(m.code)].status == expected
    consents = _by_id(bundle, "Consent")
    assert {
        k: (c.provision.period.start.isoformat(), c.provision.period.end.isoformat()) for k, c in consents.items()
    } == {str(c.code): (c.valid_from.isoformat(), c.valid_until.isoformat()) for c in log.consents.all()}
    assert set(_by_id(bundle, "Communication")) == {str(m.code) for m in Message.objects.filter(log=log)}
    assert len(_resources(bundle, "AuditEvent")) == AuditEvent.objects.filter(scope_code=log.code).count()

    # Every entry's fullUrl is the object's own urn:uuid, and every reference resolves inside the bundle.
    urls = {e.fullUrl for e in bundle.entry}
    assert all(e.fullUrl == f"urn:uuid:{e.resource.id}" for e in bundle.entry)
    assert set(_references(bundle.model_dump(mode="json"))) <= urls


def test_every_demo_log_round_trips_through_the_fhir_parser_and_matches_the_log(db):
    seed_demo()
    logs = list(RelayLog.objects.select_related("holder", "subject"))
    assert len(logs) >= 5
    kinds_seen: set[str] = set()
    for log in logs:
        bundle = _export(log.holder, log)
        assert bundle.type == "collection"
        _assert_matches_log(bundle, log)
        kinds_seen |= {e.resource.get_resource_type() for e in bundle.entry}
        identifier = _one(bundle, "Patient").identifier[-1]
        assert (identifier.system, identifier.value) == (FNR_SYSTEM, log.subject.national_id)
    # The demo shows every kind the export can hold.
    assert {"Goal", "Task", "Appointment", "Consent", "Communication", "AuditEvent", "Practitioner"} <= kinds_seen
    assert {"RelatedPerson", "Organization"} <= kinds_seen


def test_the_cast_log_round_trips_with_a_held_and_a_cancelled_meeting(cast, log):
    held = _meeting(cast, log, days=3)
    actions.record_minutes(
        actor=cast.kari,
        meeting=held,
        version=held.version,
        attendees=[cast.kari, cast.silje],
        minutes="Vi ble enige om tiltakene.",
        next_meeting_date=None,
        child_attends="nei",
    )
    cancelled = _meeting(cast, log, days=10)
    actions.cancel_meeting(actor=cast.kari, meeting=cancelled, reason="Sykdom i familien")
    _meeting(cast, log, days=20)
    actions.post_message(actor=cast.nina, log=log, text="Hørselstesten er bestilt.")
    actions.post_message(actor=cast.silje, log=log, text="Takk!", measure=log.measures.get(responsible=cast.nina))

    bundle = _export(cast.kari, log)

    _assert_matches_log(bundle, log)
    appointments = _by_id(bundle, "Appointment")
    off = appointments[str(cancelled.code)]
    assert (off.status, off.cancelationReason.text) == ("cancelled", "Sykdom i familien")
    done = appointments[str(held.code)]
    assert done.status == "fulfilled" and "Vi ble enige om tiltakene." in done.comment
    statuses = {p.actor.reference: p.status for p in done.participant if p.actor.reference}
    assert statuses[f"urn:uuid:{cast.emma.code}"] == "declined"  # the child did not take part
    assert statuses[f"urn:uuid:{cast.silje.code}"] == "accepted"
    comment = next(c for c in _resources(bundle, "Communication") if c.payload[0].contentString == "Takk!")
    assert comment.about[0].reference == f"urn:uuid:{log.measures.get(responsible=cast.nina).code}"


def test_a_measure_is_a_task_with_owner_due_date_and_status(cast, log):
    measure = log.measures.get(responsible=cast.silje)
    task = _by_id(_export(cast.kari, log), "Task")[str(measure.code)]
    assert task.owner.reference == f"urn:uuid:{cast.silje.code}"
    assert task.restriction.period.end == measure.deadline
    assert (task.status, task.intent) == ("in-progress", "plan")
    assert task.for_fhir.reference == f"urn:uuid:{cast.emma.code}"


def test_holder_guardians_and_participants_make_the_care_team(cast, log):
    bundle = _export(cast.kari, log)
    team = _one(bundle, "CareTeam")
    roles = {p.member.reference: p.role[0].text for p in team.participant}
    assert roles == {
        f"urn:uuid:{cast.kari.code}": "Stafettholder",
        f"urn:uuid:{cast.silje.code}": "Foresatt",
        f"urn:uuid:{cast.nina.code}": "Deltaker",
    }
    assert _by_id(bundle, "RelatedPerson")[str(cast.silje.code)].relationship[0].coding[0].code == "GUARD"
    assert set(_by_id(bundle, "Practitioner")) == {str(cast.kari.code), str(cast.nina.code)}


def test_consent_holds_services_period_what_not_to_share_and_withdrawal(cast, make_consent):
    log = actions.open_log(
        actor=cast.kari,
        subject=cast.emma,
        unit=cast.kindergarten,
        consent=make_consent(not_shared="Foreldrenes samlivsbrudd"),
    )
    consent = log.consents.get()
    active = _one(_export(cast.kari, log), "Consent")
    assert active.status == "active"
    assert (active.provision.type, active.provision.period.start) == ("permit", consent.valid_from)
    assert active.provision.period.end == consent.valid_until
    assert {a.reference.display for a in active.provision.actor} == set(consent.service_labels)
    assert [p.code[0].text for p in active.provision.provision] == ["Foreldrenes samlivsbrudd"]
    assert active.scope.coding[0].code == "patient-privacy"

    actions.withdraw_consent(actor=cast.silje, log=log)
    withdrawn = _one(_export(cast.kari, RelayLog.objects.get(pk=log.pk)), "Consent")
    assert withdrawn.status == "inactive"
    denial = withdrawn.provision.provision[-1]
    assert denial.type == "deny" and denial.period.start is not None and not denial.code


def test_the_child_is_identified_by_fodselsnummer_or_d_nummer_with_its_own_oid(cast, log):
    fnr = _one(_export(cast.kari, log), "Patient").identifier[-1]
    assert (fnr.system, fnr.value) == (FNR_SYSTEM, cast.emma.national_id)

    cast.emma.national_id = _d_number(cast.emma.birth_date)
    cast.emma.save()
    dnr = _one(_export(cast.kari, RelayLog.objects.get(pk=log.pk)), "Patient").identifier[-1]
    assert (dnr.system, dnr.value) == (DNR_SYSTEM, cast.emma.national_id)
    assert DNR_SYSTEM == "urn:oid:2.16.578.1.12.4.1.4.2" and FNR_SYSTEM == "urn:oid:2.16.578.1.12.4.1.4.1"


def test_someone_who_may_not_export_the_log_is_refused_and_nothing_is_recorded(cast, log):
    before = AuditEvent.objects.count()
    # A participant reads the log but may not export it; the leader and the admins never read it.
    for person in (cast.nina, cast.berit, cast.trude, cast.randi, cast.outsider):
        with pytest.raises(PermissionDenied):
            log_bundle(actor=person, log=log)
    assert AuditEvent.objects.count() == before


def test_guardians_of_a_shielded_log_cannot_export_it(cast, log):
    assert log_bundle(actor=cast.silje, log=log)["resourceType"] == "Bundle"
    actions.shield_from_guardians(actor=cast.kari, log=log)
    with pytest.raises(PermissionDenied):
        log_bundle(actor=cast.silje, log=RelayLog.objects.get(pk=log.pk))


def test_the_export_is_on_the_audit_trail_and_in_the_access_log(cast, log):
    bundle = _export(cast.kari, log)
    row = AuditEvent.objects.get(action="log.viewed", scope_code=log.code, details={"side": EXPORT_SIDE})
    assert (row.actor_code, row.actor_name) == (cast.kari.code, "Kari Lunde")
    assert row.action_label == "Så loggen (FHIR-eksport)"
    # The export's own row is among the AuditEvents it carries.
    exported = {a.id: a for a in _resources(bundle, "AuditEvent")}
    assert exported[str(row.event_id)].agent[0].who.display == "Kari Lunde"
    assert CONTENT_TYPE == "application/fhir+json"


def test_the_same_objects_have_the_same_full_urls_in_every_export(cast, log):
    def urls(bundle: Bundle) -> set[str]:
        return {e.fullUrl for e in bundle.entry if e.resource.get_resource_type() != "AuditEvent"}

    assert urls(_export(cast.kari, log)) == urls(_export(cast.kari, log))


def test_content_deleted_on_demand_is_not_exported(cast, log):
    _meeting(cast, log)
    actions.post_message(actor=cast.kari, log=log, text="Melding som skal slettes")
    actions.delete_content(actor=cast.kari, log=log)
    log = RelayLog.objects.get(pk=log.pk)

    bundle = _export(cast.kari, log)
    text = json.dumps(bundle.model_dump(mode="json"), ensure_ascii=False)

    for kind in ("Goal", "Task", "Appointment", "Consent", "Communication"):
        assert _resources(bundle, kind) == []
    for gone in ("Emma forteller om dagen sin hjemme", "Melding som skal slettes", "Emma snakker lite i samling"):
        assert gone not in text
    assert _one(bundle, "CarePlan").status == "revoked"


def _printout_text(log: RelayLog) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", log_html(log))))


def test_no_resource_carries_what_the_printout_leaves_out(cast, log):
    # What the printout never shows: the agenda, contact details, other people's national IDs,
    # participants who were removed, and the audit rows' IP addresses and details.
    _meeting(cast, log, agenda="Hemmelig dagsorden 4711")
    for person in (cast.emma, cast.silje):
        person.address, person.phone, person.email = "Skjultveien 99", "99887766", f"{person.given_name}@skjult.example"
        person.save()
    actions.add_participant(actor=cast.kari, log=log, person=cast.berit, unit=cast.kindergarten)
    actions.remove_participant(actor=cast.kari, participant=log.participants.get(person=cast.berit))
    log = RelayLog.objects.get(pk=log.pk)

    data = log_bundle(actor=cast.kari, log=log)
    text = json.dumps(data, ensure_ascii=False)

    for hidden in ("Hemmelig dagsorden 4711", "Skjultveien", "99887766", "skjult.example", cast.silje.national_id):
        assert hidden not in text
    assert "Berit Solheim" not in text.split('"AuditEvent"')[0]  # outside the access log
    assert all(not e["resource"].get("ip") for e in data["entry"])
    # Everyone and every unit named outside the access log is named in the printout too.
    printed = _printout_text(log)
    audit = [e for e in data["entry"] if e["resource"]["resourceType"] == "AuditEvent"]
    names = {
        ref["display"]
        for e in data["entry"]
        if e not in audit
        for ref in _displays(e["resource"])
        if ref.get("reference") and ref.get("display")
    }
    assert names and all(name in printed for name in names)


def _displays(value) -> list[dict]:
    if isinstance(value, dict):
        return [value] + [d for v in value.values() for d in _displays(v)]
    if isinstance(value, list):
        return [d for v in value for d in _displays(v)]
    return []


def test_a_meeting_without_minutes_keeps_its_agenda_out_of_the_export(cast, log):
    meeting = _meeting(cast, log, agenda="Kun i innkallingen")
    appointment = _by_id(_export(cast.kari, log), "Appointment")[str(meeting.code)]
    assert appointment.status == "booked" and "Kun i innkallingen" not in json.dumps(
        appointment.model_dump(mode="json")
    )
    assert Meeting.objects.get(pk=meeting.pk).agenda == "Kun i innkallingen"


def test_an_individual_plan_is_exported_with_its_coordinator_own_goals_and_decisions(cast, log):
    actions.make_individual_plan(
        actor=cast.kari, log=log, guardians_consented_on=timezone.localdate(), own_goals="Jeg vil lese selv"
    )
    actions.add_plan_decision(actor=cast.kari, log=log, text="Vedtak om logoped", decided_on=timezone.localdate())
    bundle = _export(cast.kari, RelayLog.objects.get(pk=log.pk))

    plan = _one(bundle, "CarePlan")
    assert plan.category[0].text == "Individuell plan"
    notes = [n.text for n in plan.note]
    assert "Mine egne mål: Jeg vil lese selv" in notes
    assert any(n.startswith("Vedtak ") and "Vedtak om logoped" in n for n in notes)
    team = _one(bundle, "CareTeam")
    assert team.name == "Ansvarsgruppe"
    assert team.participant[0].role[0].text == "Koordinator"
