"""People's endpoints: the same answers as the pages, from the same query and action functions.

My logs and «Mine oppgaver» are the start page's (logs/queries.py); a log is the log page's
`log_page()`, and reading it writes the log's access-log row (actions.record_view) as the page
does; posting and evaluating call the same actions as the forms. Without read access: 404.
"""

import json
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from stafett import access
from stafett.access import Action
from stafett.api import auth
from stafett.api.problems import ERRORS
from stafett.api.rules import declares
from stafett.api.schemas import (
    ConsentOut,
    EvaluationIn,
    EvaluationOut,
    GoalOut,
    LogDetail,
    LogSummary,
    MeasureOut,
    MeetingOut,
    MessageIn,
    MessageOut,
    MyLogs,
    Overview,
    ParticipantOut,
    PersonRef,
    Task,
    UnitRef,
)
from stafett.interop import fhir
from stafett.logs import actions
from stafett.logs.models import Evaluation, Measure, Message, RelayLog
from stafett.logs.queries import log_page, logs_for_guardian, logs_for_staff, logs_for_youth, tasks_for
from stafett.people.models import Membership, Person, Unit

router = Router(auth=auth.PEOPLE, tags=["Personer"])


def _person(request: HttpRequest) -> Person:
    person = request.auth  # type: ignore[attr-defined]
    assert isinstance(person, Person)
    return person


def unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(code=unit.code, name=unit.name, service_type=unit.service_type)


def person_ref(person: Person) -> PersonRef:
    return PersonRef(code=person.code, name=person.full_name)


def summary(log: RelayLog) -> LogSummary:
    return LogSummary(
        code=log.code,
        child=log.subject.full_name,
        unit=unit_ref(log.unit),
        holder=person_ref(log.holder),
        level=log.level,
        status=log.status,
        kind=log.kind,
    )


@router.get("/me/logs", response={200: MyLogs, **ERRORS}, summary="Mine logger")
@declares("signed_in")
def my_logs(request: HttpRequest) -> MyLogs:
    person = _person(request)
    staff = Membership.objects.active().filter(person=person).exists()
    logs = logs_for_staff(person) if staff else {"holder": [], "participant": []}
    return MyLogs(
        holder=[summary(log) for log in logs["holder"]],
        participant=[summary(log) for log in logs["participant"]],
        children=[summary(log) for log in logs_for_guardian(person)],
        own=[summary(log) for log in logs_for_youth(person)],
    )


@router.get("/me/tasks", response={200: list[Task], **ERRORS}, summary="Mine oppgaver")
@declares("signed_in")
def my_tasks(request: HttpRequest) -> list[Task]:
    return [
        Task(
            measure=m.code,
            log=m.log.code,
            child_given_name=m.log.subject.given_name,
            what=m.what,
            deadline=m.deadline,
            evaluation_date=m.evaluation_date,
            evaluated=bool(m.evaluations.all()),
        )
        for m in tasks_for(_person(request))
    ]


def evaluation_out(e: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        code=e.code,
        author=e.author.full_name,
        author_is_guardian=e.author_is_guardian,
        carried_out=e.carried_out,
        decision=e.decision,
        effect_child=e.effect_child,
        effect_guardians=e.effect_guardians,
        effect_holder=e.effect_holder,
        effect_others=e.effect_others,
        new_measures_needed=e.new_measures_needed,
        closing_answer=e.closing_answer,
        created_at=e.created_at,
    )


def message_out(m: Message) -> MessageOut:
    return MessageOut(code=m.code, author=m.author.full_name, text=m.text, created_at=m.created_at)


def measure_out(m: Measure) -> MeasureOut:
    return MeasureOut(
        code=m.code,
        what=m.what,
        category=m.category,
        responsible=person_ref(m.responsible),
        responsible_kind=m.responsible_kind,
        deadline=m.deadline,
        evaluation_date=m.evaluation_date,
        stopped_at=m.stopped_at,
        evaluations=[evaluation_out(e) for e in m.evaluations.all()],
        comments=[message_out(c) for c in m.comments.all()],
    )


def log_detail(log: RelayLog) -> LogDetail:
    page = log_page(log)
    consent = page.consent
    return LogDetail(
        **summary(log).model_dump(),
        overview=Overview(
            presentation=log.presentation,
            initiator_text=log.initiator_text,
            initiated_by=log.initiated_by,
            strengths=log.strengths,
            challenges=log.challenges,
            challenge_categories=[str(c) for c in log.challenge_categories or []],
            need_extent=log.need_extent,
            interpreter_needed=log.interpreter_needed,
            interpreter_language=log.interpreter_language,
            has_individual_decision=log.has_individual_decision,
        ),
        consent=ConsentOut(
            code=consent.code,
            services=[str(s) for s in consent.services],
            not_shared=consent.not_shared,
            valid_from=consent.valid_from,
            valid_until=consent.valid_until,
            level=consent.level,
        )
        if consent
        else None,
        participants=[ParticipantOut(person=person_ref(p.person), unit=unit_ref(p.unit)) for p in page.participants],
        guardians=[person_ref(g) for g in page.guardians],
        goals=[
            GoalOut(code=g.code, arena=g.arena, text=g.text, measures=[measure_out(m) for m in g.measures.all()])
            for g in page.goals
        ],
        meetings=[
            MeetingOut(
                code=m.code,
                title=m.title,
                starts_at=m.starts_at,
                duration_minutes=m.duration_minutes,
                place=m.place,
                held=m.held,
                minutes=m.minutes,
                next_meeting_date=m.next_meeting_date,
                cancelled_at=m.cancelled_at,
                cancel_reason=m.cancel_reason,
            )
            for m in page.meetings
        ],
        messages=[message_out(m) for m in page.messages],
        gaps=page.gaps,
    )


@router.get("/logs/{code}", response={200: LogDetail, **ERRORS}, summary="En stafettlogg")
@declares(Action.VIEW_LOG)
def log(request: HttpRequest, code: UUID) -> LogDetail:
    person = _person(request)
    found = access.get_log_for(person, code, Action.VIEW_LOG)
    actions.record_view(actor=person, log=found, what="API")
    return log_detail(found)


@router.post("/logs/{code}/messages", response={201: MessageOut, **ERRORS}, summary="Skriv en melding")
@declares(Action.POST_MESSAGE)
def post_message(request: HttpRequest, code: UUID, payload: MessageIn) -> Status[MessageOut]:
    person = _person(request)
    found = access.get_log_for(person, code, Action.VIEW_LOG)
    measure = get_object_or_404(Measure, log=found, code=payload.measure) if payload.measure else None
    message = actions.post_message(actor=person, log=found, text=payload.text, measure=measure)
    return Status(201, message_out(message))


@router.post(
    "/logs/{code}/measures/{measure}/evaluations",
    response={201: EvaluationOut, **ERRORS},
    summary="Evaluer et tiltak du har ansvar for",
)
@declares(Action.EVALUATE_OWN_MEASURE)
def evaluate_measure(request: HttpRequest, code: UUID, measure: UUID, payload: EvaluationIn) -> Status[EvaluationOut]:
    person = _person(request)
    found = access.get_log_for(person, code, Action.EVALUATE_OWN_MEASURE)
    target = get_object_or_404(Measure.objects.select_related("responsible", "log"), log=found, code=measure)
    data = actions.EvaluationData(**payload.model_dump())
    evaluation = actions.evaluate_measure(actor=person, measure=target, data=data)
    return Status(201, evaluation_out(evaluation))


FHIR_BUNDLE = {
    "200": {
        "description": "Loggen som en FHIR R4B Bundle (type collection)",
        "content": {
            fhir.CONTENT_TYPE: {"schema": {"type": "object", "properties": {"resourceType": {"const": "Bundle"}}}}
        },
    }
}


@router.get(
    "/logs/{code}/fhir",
    response={**ERRORS},
    openapi_extra={"responses": FHIR_BUNDLE},
    summary="Loggen som FHIR (eksport)",
)
@declares(Action.EXPORT)
def log_as_fhir(request: HttpRequest, code: UUID) -> HttpResponse:
    """The export (issue 11 §2), for those who may export the log; in its access log as an export."""
    person = _person(request)
    found = access.get_log_for(person, code, Action.EXPORT)
    bundle = fhir.log_bundle(actor=person, log=found)
    response = HttpResponse(
        json.dumps(bundle, cls=DjangoJSONEncoder, ensure_ascii=False), content_type=fhir.CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response
