"""Superusers keep the log templates; templates pre-fill the plan elements."""

from django.urls import reverse

from stafett.audit.models import AuditEvent
from stafett.logs.models import GOOD_MEETINGS_AGENDA, LogTemplate


def make_template():
    return LogTemplate.objects.create(
        service_type="barnehage",
        about_me_heading="Meg som barnehagebarn",
        about_me_prompt="Skriv punktvis.",
        meeting_agenda=GOOD_MEETINGS_AGENDA,
    )


def test_superuser_edits_a_template_and_it_is_audited(client, cast):
    template = make_template()
    client.force_login(cast.randi)
    assert "Meg som barnehagebarn" in client.get(reverse("logs:templates")).content.decode()
    response = client.post(
        reverse("logs:template_edit", args=[template.code]),
        {
            "version": 1,
            "about_me_heading": "Meg i barnehagen",
            "about_me_prompt": "Kort.",
            "meeting_agenda": "1. Velkommen",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.about_me_heading == "Meg i barnehagen" and template.version == 2
    assert AuditEvent.objects.about(template).get().action == "template.changed"


def test_stale_template_edit_is_refused(client, cast):
    template = make_template()
    client.force_login(cast.randi)
    data = {"version": 1, "about_me_heading": "A", "about_me_prompt": "B", "meeting_agenda": "C"}
    client.post(reverse("logs:template_edit", args=[template.code]), data)
    response = client.post(reverse("logs:template_edit", args=[template.code]), {**data, "about_me_heading": "D"})
    assert "Noen andre har endret dette" in response.content.decode()
    template.refresh_from_db()
    assert template.about_me_heading == "A"


def test_only_superusers_maintain_templates(client, cast):
    template = make_template()
    for person in (cast.berit, cast.kari, cast.trude, cast.silje):
        client.force_login(person)
        assert client.get(reverse("logs:templates")).status_code == 403
        assert client.get(reverse("logs:template_edit", args=[template.code])).status_code == 403
