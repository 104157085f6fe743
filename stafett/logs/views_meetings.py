"""Meetings in a log: calling, changing, moving and cancelling them (with a confirmation page
that works without JavaScript), the minutes, and the .ics invitation that follows every change."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from icalendar import Calendar

from stafett.access import Action, PersonRequest, needs
from stafett.lib.forms import add_form_errors
from stafett.lib.versioning import StaleEdit
from stafett.logs import actions
from stafett.logs.forms import CancelMeetingForm, MeetingEditForm, MeetingForm, MinutesForm
from stafett.logs.ics import PRODID, meeting_event
from stafett.logs.models import Meeting, RelayLog
from stafett.logs.reads import records_read
from stafett.people.models import Person


def _hint_message(request: PersonRequest, form: MinutesForm, saved: str) -> None:
    hints = form.hints()
    if hints:
        messages.info(
            request, saved + " " + _("Tips til klarspråk:") + " " + " ".join(h for hs in hints.values() for h in hs)
        )
    else:
        messages.success(request, saved)


def _back(log: RelayLog) -> HttpResponse:
    return redirect(reverse("logs:detail", args=[log.code]) + "#moter")


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("innkalling til møte")
def schedule_meeting(request: PersonRequest, log: RelayLog) -> HttpResponse:
    agenda = log.template.meeting_agenda if log.template else None
    form = MeetingForm(request.POST or None, initial={"agenda": agenda} if agenda else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.schedule_meeting(actor=request.user, log=log, **form.cleaned_data)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(
                request,
                _("Møtet %(date)s er lagt inn. Last ned invitasjonen til kalenderen.")
                % {"date": f"{meeting.starts_at:%d.%m.%Y}"},
            )
            return _back(log)
    return render(request, "logs/meeting_form.html", {"log": log, "form": form}, status=400 if form.errors else 200)


def _open_meeting(request: PersonRequest, log: RelayLog, meeting: Meeting) -> HttpResponse | None:
    """A held or cancelled meeting cannot be changed: say so on the log page instead of a form."""
    if meeting.cancelled_at is not None or meeting.held:
        held = _("Møtet er holdt og kan ikke flyttes. Endre referatet i stedet.")
        messages.error(request, _("Møtet er avlyst og kan ikke endres.") if meeting.cancelled_at else held)
        return _back(log)
    return None


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("endre møte")
def edit_meeting(request: PersonRequest, log: RelayLog, meeting_code: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting, log=log, code=meeting_code)
    if (refused := _open_meeting(request, log, meeting)) is not None:
        return refused
    fields = ("title", "starts_at", "duration_minutes", "place", "agenda", "off_routine_reason", "version")
    initial = {f: getattr(meeting, f) for f in fields}
    initial["starts_at"] = timezone.localtime(meeting.starts_at)
    form = MeetingEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_meeting(actor=request.user, meeting=meeting, **form.cleaned_data)
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Møtet er endret. Deltakerne får beskjed; last ned den nye invitasjonen."))
            return _back(log)
    context = {"log": log, "meeting": meeting, "form": form}
    return render(request, "logs/meeting_edit_form.html", context, status=400 if form.errors else 200)


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("avlyse møte")
def cancel_meeting(request: PersonRequest, log: RelayLog, meeting_code: str) -> HttpResponse:
    """GET asks for confirmation and a reason; POST cancels."""
    meeting = get_object_or_404(Meeting, log=log, code=meeting_code)
    if (refused := _open_meeting(request, log, meeting)) is not None:
        return refused
    form = CancelMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel_meeting(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e, default_field="reason")
        else:
            messages.success(request, _("Møtet er avlyst. Deltakerne får beskjed."))
            return _back(log)
    context = {"log": log, "meeting": meeting, "form": form}
    return render(request, "logs/meeting_cancel.html", context, status=400 if form.errors else 200)


def _meeting_people(log: RelayLog) -> list[Person]:
    people = [log.holder, *actions.guardians_of(log.subject), log.subject]
    people += [p.person for p in log.participants.filter(removed_at__isnull=True).select_related("person")]
    return list(dict.fromkeys(people))


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("referatskjema")
def meeting_minutes(request: PersonRequest, log: RelayLog, meeting_code: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting, log=log, code=meeting_code)
    if meeting.cancelled_at is not None:
        messages.error(request, _("Møtet er avlyst, og det kan ikke skrives referat fra det."))
        return _back(log)
    initial = {
        "version": meeting.version,
        "minutes": meeting.minutes,
        "next_meeting_date": meeting.next_meeting_date,
        "attendees": list(meeting.attendees.all()),
        "child_attends": meeting.child_attends or None,
        "child_attends_note": meeting.child_attends_note,
    }
    form = MinutesForm(request.POST or None, initial=initial, people=_meeting_people(log))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.record_minutes(
                actor=request.user,
                meeting=meeting,
                version=d["version"],
                attendees=list(d["attendees"]),
                minutes=d["minutes"],
                next_meeting_date=d["next_meeting_date"],
                child_attends=d["child_attends"],
                child_attends_note=d["child_attends_note"],
            )
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            _hint_message(request, form, _("Referatet er lagret."))
            return _back(log)
    context = {"log": log, "meeting": meeting, "form": form}
    return render(request, "logs/minutes_form.html", context, status=400 if form.errors else 200)


@needs(Action.VIEW_LOG)
@require_GET
def meeting_ics(request: PersonRequest, log: RelayLog, meeting_code: str) -> HttpResponse:
    """An iCalendar invitation. Data minimisation: no child's name, only a link back.
    The same UID for the meeting's whole life; SEQUENCE rises with each change, and a
    cancelled meeting is sent as METHOD:CANCEL / STATUS:CANCELLED (RFC 5545, RFC 5546)."""
    meeting = get_object_or_404(Meeting, log=log, code=meeting_code)
    actions.record_view(actor=request.user, log=log, what="møteinvitasjon")
    cancelled = meeting.cancelled_at is not None
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    link = request.build_absolute_uri(reverse("logs:detail", args=[log.code]))
    event = meeting_event(meeting, log=log, link=link)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stafettmote-{meeting.starts_at:%Y-%m-%d}.ics"'
    return response
