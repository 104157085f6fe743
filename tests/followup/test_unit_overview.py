"""The leader's overview: the unit's logs with holder, dates and at-risk flags — never the plan's
content, never another unit's logs — and the holder's own list of what needs follow-up."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from stafett.followup.overview import holder_attention, unit_overview
from stafett.logs import actions
from stafett.people.actions import end_membership
from stafett.people.models import Guardianship, Membership, Role, Unit
from tests.conftest import make_person


def overview_url(unit: Unit) -> str:
    return reverse("followup:unit_overview", args=[unit.code])


def later(days: int):
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def flags(row) -> set[str]:
    return {f.key for f in row.flags}


def test_leader_sees_the_units_logs_with_holder_but_no_plan_content(client, cast, log, nina_measure):
    actions.post_message(actor=cast.kari, log=log, text="Emma gråt mye i garderoben i dag")
    client.force_login(cast.berit)

    response = client.get(overview_url(cast.kindergarten))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Emma Hansen" in html and "Kari Lunde" in html
    for content in (
        log.initiator_text,
        "Emma forteller om dagen sin hjemme",  # a goal
        nina_measure.what,
        "gråt mye i garderoben",  # a message
    ):
        assert content not in html


def test_leader_does_not_see_logs_of_other_units(client, cast, make_consent):
    other_school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type="skole")
    teacher = cast.kari
    Membership.objects.create(person=teacher, unit=other_school, role=Role.EMPLOYEE)
    actions.open_log(
        actor=teacher,
        subject=cast.jonas,
        unit=other_school,
        consent=make_consent(signatories=[cast.silje, cast.jonas], collected_at_unit=other_school),
    )
    client.force_login(cast.berit)

    html = client.get(overview_url(cast.kindergarten)).content.decode()

    assert "Jonas" not in html


@pytest.mark.parametrize(("who", "status"), [("kari", 403), ("nina", 404), ("silje", 404), ("trude", 403)])
def test_only_the_unit_leader_may_see_the_overview(client, cast, log, who, status):
    client.force_login(getattr(cast, who))

    assert client.get(overview_url(cast.kindergarten)).status_code == status


def test_overdue_evaluation_is_flagged_for_leader_and_holder(cast, log, nina_measure):
    with later((nina_measure.evaluation_date - timezone.localdate()).days + 1):
        today = timezone.localdate()
        (row,) = unit_overview(cast.kindergarten, today).rows
        (mine,) = holder_attention(cast.kari, today)

    assert "evaluering" in flags(row)
    assert "evaluering" in flags(mine)


def test_nothing_is_flagged_for_a_fresh_log(cast, log):
    today = timezone.localdate()

    (row,) = unit_overview(cast.kindergarten, today).rows

    assert row.flags == []
    assert holder_attention(cast.kari, today) == []


def test_consent_running_out_within_thirty_days_is_flagged(cast, log):
    until = log.consents.get().valid_until
    with later((until - timezone.localdate()).days - 20):
        (row,) = unit_overview(cast.kindergarten, timezone.localdate()).rows

    assert "samtykke" in flags(row)


def test_holder_who_left_the_unit_is_flagged_for_the_leader(cast, log):
    membership = Membership.objects.get(person=cast.kari, unit=cast.kindergarten)
    end_membership(actor=cast.berit, membership=membership)

    (row,) = unit_overview(cast.kindergarten, timezone.localdate()).rows

    assert "holder_sluttet" in flags(row)


def test_log_without_meetings_for_months_is_flagged(cast, log):
    with later(30 * cast.fjordvik.no_meeting_months + 5):
        (row,) = unit_overview(cast.kindergarten, timezone.localdate()).rows

    assert "ingen_mote" in flags(row)


def test_a_meeting_planned_ahead_does_not_clear_the_no_meeting_flag_but_is_mentioned(cast, log):
    # Issue 14 §3: only a held meeting ends a quiet spell; one planned ahead is said, not hidden.
    actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now() + timedelta(days=120), place="Solsikken", agenda="Status"
    )
    with later(30 * cast.fjordvik.no_meeting_months + 5):
        (row,) = unit_overview(cast.kindergarten, timezone.localdate()).rows

    (flag,) = [f for f in row.flags if f.key == "ingen_mote"]
    assert flag.text.endswith("(et møte er avtalt)")


def test_overview_counts_logs_by_status_and_level(cast, log):
    overview = unit_overview(cast.kindergarten, timezone.localdate())

    assert overview.counts["aktiv"][log.level] == 1
    assert sum(sum(by_level.values()) for by_level in overview.counts.values()) == 1


def test_overview_page_uses_the_same_number_of_queries_for_many_logs(
    client, cast, log, make_consent, django_assert_max_num_queries
):
    client.force_login(cast.berit)
    with django_assert_max_num_queries(20) as one:
        client.get(overview_url(cast.kindergarten))
    for n in range(5):
        child = make_person(f"Barn{n}", "Hansen", born=date(2021, 5, n + 1), serial=n + 10)
        Guardianship.objects.create(guardian=cast.silje, child=child)
        actions.open_log(actor=cast.kari, subject=child, unit=cast.kindergarten, consent=make_consent())
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(overview_url(cast.kindergarten))

    assert response.content.decode().count("Barn") >= 5


def test_leader_can_propose_a_new_holder_from_the_overview(client, cast, log):
    client.force_login(cast.berit)
    handover = reverse("logs:propose_handover", args=[log.code])

    assert handover in client.get(overview_url(cast.kindergarten)).content.decode()
    assert client.get(handover).status_code == 200
