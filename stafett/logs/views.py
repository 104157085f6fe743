"""Opening a log, the log page, its overview, participants, access log and documents."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stafett import access
from stafett.access import Action, PersonRequest, needs
from stafett.audit.ratelimit import rate_limited
from stafett.guide.queries import log_guide
from stafett.lib.forms import add_form_errors
from stafett.lib.uploads import StoredFileMissing, open_stored
from stafett.lib.versioning import StaleEdit
from stafett.logs import actions
from stafett.logs.forms import (
    FindChildForm,
    GoalForm,
    MessageForm,
    OpenLogForm,
    OverviewForm,
    PhotoForm,
    RegisterChildForm,
)
from stafett.logs.models import (
    Consent,
    ConsentRequestStatus,
    HandoverStatus,
    Participant,
    ParticipantApproval,
    RelayLog,
    current_consent,
)
from stafett.logs.orphans import orphaned_in
from stafett.logs.queries import access_log, log_page
from stafett.logs.transitions import next_step, open_transition, progress
from stafett.people.actions import register_child_with_guardians
from stafett.people.models import Membership, Person, Role, Unit
from stafett.undring.actions import close_note, concern_as_initiator_text
from stafett.undring.models import Outcome
from stafett.undring.views import forget_note_waiting_for_log, note_waiting_for_log


def _may(request: PersonRequest, log: RelayLog) -> set[str]:
    """Action values the user may do, for templates: {% if 'log.edit_plan' in may %}."""
    relations = getattr(request, "access_relations", None)  # worked out once, by @needs
    return {a.value for a in access.allowed_actions(request.user, log, relations)}


# --- Opening -------------------------------------------------------------------


@sensitive_post_parameters("national_id")
@needs(Action.OPEN_LOG)
@require_http_methods(["GET", "POST"])
@rate_limited("national_id")
def find_child(request: PersonRequest, unit: Unit) -> HttpResponse:
    form = FindChildForm(request.POST or None)
    register = None
    if request.method == "POST" and form.is_valid():
        child = Person.objects.by_national_id(form.cleaned_data["national_id"]).first()
        if child is not None:
            return redirect("logs:open", unit_code=unit.code, person_code=child.code)
        register = RegisterChildForm(initial={"national_id": form.cleaned_data["national_id"]})
    return render(request, "logs/find_child.html", {"unit": unit, "form": form, "register": register})


@sensitive_post_parameters("national_id", "g1_national_id", "g2_national_id")
@needs(Action.OPEN_LOG)
@require_POST
@rate_limited("national_id")
def register_child(request: PersonRequest, unit: Unit) -> HttpResponse:
    register = RegisterChildForm(request.POST)
    if register.is_valid():
        try:
            child = register_child_with_guardians(
                actor=request.user, unit=unit, child=register.child(), guardians=register.guardians()
            )
        except ValidationError as e:
            add_form_errors(register, e)
        else:
            messages.success(request, _("%(name)s og de foresatte er registrert.") % {"name": child.full_name})
            return redirect("logs:open", unit_code=unit.code, person_code=child.code)
    context = {"unit": unit, "form": FindChildForm(), "register": register}
    return render(request, "logs/find_child.html", context, status=400)


@needs(Action.OPEN_LOG)
@require_http_methods(["GET", "POST"])
def open_log(request: PersonRequest, unit: Unit, person_code: str) -> HttpResponse:
    child = get_object_or_404(Person, code=person_code, national_id__isnull=False)
    guardians = actions.guardians_of(child)
    holders = None
    if access.can(request.user, Action.APPOINT_HOLDER, unit):
        staff = Membership.objects.active().filter(unit=unit).exclude(role=Role.SYSTEM_ADMIN).select_related("person")
        holders = sorted({m.person for m in staff}, key=lambda p: p.full_name)
    # Coming from a level-0 note: its concretised concern becomes the log's starting text.
    note = note_waiting_for_log(request, unit)
    initial = (
        {"initiator_text": concern_as_initiator_text(note), "initiated_by": "Egen undring (BTI nivå 0)"} if note else {}
    )
    form = OpenLogForm(
        request.POST or None,
        request.FILES or None,
        signers=actions.may_sign(child, unit),
        guardians=guardians,
        holders=holders,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        consent = actions.ConsentData(
            services=d["services"],
            signatories=list(d["signatories"]),
            document=d["document"],
            collected_at_unit=unit,
            valid_until=d["valid_until"],
            not_shared=d["not_shared"],
            level=d["level"],
            unsigned_reason=d["unsigned_reason"],
            unsigned_note=d["unsigned_note"],
        )
        try:
            log = actions.open_log(
                actor=request.user,
                subject=child,
                unit=unit,
                consent=consent,
                holder=d.get("holder"),
                template=d["template"],
                initiator_text=d["initiator_text"],
                initiated_by=d["initiated_by"],
            )
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            done = _("Stafettloggen for %(name)s er opprettet.") % {"name": child.full_name}
            if note is not None:
                close_note(actor=request.user, note=note, outcome=Outcome.LEVEL_ONE)
                forget_note_waiting_for_log(request)
                done += " " + _("Undringsnotatet er slettet; bekymringen står nå i loggen.")
            messages.success(request, done)
            return redirect("logs:detail", log_code=log.code)
    context = {"unit": unit, "child": child, "guardians": guardians, "form": form, "from_note": note}
    return render(request, "logs/open_log.html", context, status=400 if form.errors else 200)


# --- The log page ---------------------------------------------------------------


@needs(Action.VIEW_LOG)
@require_GET
def detail(request: PersonRequest, log: RelayLog) -> HttpResponse:
    actions.record_view(actor=request.user, log=log)
    page = log_page(log)
    days_left = (page.consent.valid_until - timezone.localdate()).days if page.consent else None
    pending_consent = log.consent_requests.filter(status=ConsentRequestStatus.PENDING).first()
    transition = open_transition(log)
    steps = progress(transition) if transition else []
    may = _may(request, log)
    context = {
        "transition": transition,
        "steps": steps,
        "next_step": next_step(steps),
        "may_add_teacher": transition is not None and Action.ADD_CONTACT_TEACHER.value in may,
        "page": page,
        # issue 14 §2: «Trenger ny ansvarlig», for the holder who can give the measures to someone.
        "orphaned": orphaned_in(log, (m for g in page.goals for m in g.measures.all()))
        if Action.EDIT_PLAN.value in may
        else [],
        "guide": log_guide(log, page.participants),
        "pending_consent": pending_consent,
        "pending_consent_answered": set(pending_consent.approvals.values_list("person_id", flat=True))
        if pending_consent
        else set(),
        "pending_handover": log.handovers.filter(status=HandoverStatus.PROPOSED)
        .select_related("to_person", "to_unit", "proposed_by")
        .first(),
        "consent_days_left": days_left if days_left is not None and days_left <= actions.CONSENT_WARNING_DAYS else None,
        "log": log,
        "may": may,
        # Three forms on one page: each needs its own ids, or the labels point at the wrong field.
        "goal_form": GoalForm(auto_id="goal_%s"),
        "challenge_labels": log.challenge_labels,
        "photo_form": PhotoForm(auto_id="photo_%s"),
        "message_form": MessageForm(auto_id="message_%s"),
    }
    return render(request, "logs/detail.html", context)


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def edit_overview(request: PersonRequest, log: RelayLog) -> HttpResponse:
    if request.method == "GET":
        form = OverviewForm.for_log(log)
        if log.template:
            form.fields["strengths"].help_text = log.template.about_me_prompt
        return render(request, "logs/overview_form.html", {"log": log, "form": form})
    form = OverviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.update_overview(
                actor=request.user, log=log, version=d["version"], changes=d, level_reason=d["level_reason"]
            )
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            hints = form.hints()
            if hints:
                messages.info(
                    request, _("Lagret. Tips til klarspråk:") + " " + " ".join(h for hs in hints.values() for h in hs)
                )
            else:
                messages.success(request, _("Oversikten er lagret."))
            return redirect("logs:detail", log_code=log.code)
    return render(request, "logs/overview_form.html", {"log": log, "form": form}, status=400)


# --- Participants -----------------------------------------------------------------


def preselected(request: PersonRequest, members: list[tuple[str, str]]) -> dict[str, str]:
    """A link for a named person (the transition's «Legg til rektor») opens the form with them chosen."""
    wanted = request.GET.get("member", "")
    return {"member": wanted} if wanted and any(key == wanted for key, _label in members) else {}


def member_choices(log: RelayLog, *, with_units: bool = False) -> list[Any]:
    """Staff the holder may invite (or hand over to): everyone on a staff list, by unit."""
    members = (
        Membership.objects.active()
        .exclude(person_id=log.holder_id)
        .exclude(role__in=[Role.SYSTEM_ADMIN, Role.SUPERUSER])
        .select_related("person", "unit")
        .order_by("unit__name", "person__family_name")
    )
    seen = set()
    choices = []
    for m in members:
        key = f"{m.person.code}:{m.unit.code}"
        if key not in seen:
            seen.add(key)
            label = f"{m.person.full_name} – {m.title or m.get_role_display()}, {m.unit.name}"
            choices.append((key, label, m.unit) if with_units else (key, label))
    return choices


@needs(Action.MANAGE_PARTICIPANTS)
@require_http_methods(["GET", "POST"])
def add_participant(request: PersonRequest, log: RelayLog) -> HttpResponse:
    from stafett.logs.forms import ParticipantForm

    members = member_choices(log)
    form = ParticipantForm(request.POST or None, members=members, initial=preselected(request, members))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person_code, unit_code = d["member"].split(":")
        person = get_object_or_404(Person, code=person_code)
        unit = get_object_or_404(Unit, code=unit_code)
        notify = actions.NotificationChoices(d["notify_message"], d["notify_calendar"], d["notify_comment"])
        try:
            participant = actions.add_participant(
                actor=request.user, log=log, person=person, unit=unit, notify=notify, extra_reason=d["extra_reason"]
            )
        except ValidationError as e:
            add_form_errors(form, e, default_field="member")
        else:
            added = _("%(name)s er lagt til som deltaker.") % {"name": person.full_name}
            if participant.approval == ParticipantApproval.PENDING:
                added += " " + _("De foresatte blir spurt om de godkjenner; til da har %(name)s ikke tilgang.") % {
                    "name": person.given_name
                }
            messages.success(request, added)
            return redirect("logs:detail", log_code=log.code)
    consent = current_consent(log)
    context = {"log": log, "form": form, "consent": consent}
    return render(request, "logs/participant_form.html", context, status=400 if form.errors else 200)


@needs(Action.MANAGE_PARTICIPANTS)
@require_http_methods(["GET", "POST"])
def remove_participant(request: PersonRequest, log: RelayLog, participant_code: str) -> HttpResponse:
    participant = get_object_or_404(
        Participant.objects.select_related("person", "unit"), log=log, code=participant_code, removed_at__isnull=True
    )
    if request.method == "POST":
        actions.remove_participant(actor=request.user, participant=participant)
        messages.success(
            request, _("%(name)s har ikke lenger tilgang til loggen.") % {"name": participant.person.full_name}
        )
        return redirect("logs:detail", log_code=log.code)
    return render(request, "logs/participant_remove.html", {"log": log, "participant": participant})


# --- Access log and documents ---------------------------------------------------------


@needs(Action.VIEW_ACCESS_LOG)
@require_GET
def access_log_page(request: PersonRequest, log: RelayLog) -> HttpResponse:
    events = list(access_log(log)[:500])
    return render(request, "logs/access_log.html", {"log": log, "events": events})


@needs(Action.DOWNLOAD_DOCUMENT)
@require_GET
def consent_document(request: PersonRequest, log: RelayLog, consent_code: str) -> HttpResponse | FileResponse:
    consent = get_object_or_404(Consent, log=log, code=consent_code)
    if not consent.document:
        raise Http404
    try:
        document = open_stored(consent.document)
    except StoredFileMissing:
        return render(request, "core/file_missing.html", {"log": log}, status=404)
    with transaction.atomic():
        actions.record_view(actor=request.user, log=log, what="samtykkedokument")
    response = FileResponse(
        document,
        content_type=consent.document_content_type,
        as_attachment=True,
        filename=f"samtykke-{consent.valid_from:%Y-%m-%d}{consent.document_extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@needs(Action.VIEW_LOG)
@require_GET
def photo(request: PersonRequest, log: RelayLog) -> HttpResponse | FileResponse:
    if not log.photo:
        raise Http404
    try:
        photo_file = open_stored(log.photo)
    except StoredFileMissing:
        return render(request, "core/file_missing.html", {"log": log}, status=404)
    actions.record_view(actor=request.user, log=log, what="bilde")
    content_type = "image/png" if log.photo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(photo_file, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@needs(Action.EDIT_PLAN)
@require_POST
def photo_upload(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            remove = form.cleaned_data["remove"]
            actions.set_photo(actor=request.user, log=log, photo=None if remove else form.cleaned_data["photo"])
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Bildet er fjernet.") if remove else _("Bildet er lagret."))
            return redirect("logs:detail", log_code=log.code)
    return render(request, "logs/photo_error.html", {"log": log, "form": form}, status=400)
