"""The shapes the API answers with. The OpenAPI document is generated from these."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator


def _storable(text: str) -> str:
    """Text a database can keep: no NUL characters (PostgreSQL refuses them), no lone surrogates."""
    if "\x00" in text:
        raise ValueError(_("Teksten kan ikke inneholde NUL-tegn."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Teksten inneholder tegn som ikke er gyldig Unicode.")) from None
    return text


Text = Annotated[str, AfterValidator(_storable)]


class UnitRef(Schema):
    code: UUID
    name: str
    service_type: str


class PersonRef(Schema):
    code: UUID
    name: str


class LogSummary(Schema):
    code: UUID
    child: str = Field(description="Barnets navn")
    unit: UnitRef
    holder: PersonRef
    level: int
    status: str
    kind: str


class MyLogs(Schema):
    """«Mine logger», as on the start page."""

    holder: list[LogSummary] = Field(description="Logger du er stafettholder for (ikke avsluttede)")
    participant: list[LogSummary] = Field(description="Logger du er deltaker i")
    children: list[LogSummary] = Field(description="Loggene til barna dine")
    own: list[LogSummary] = Field(description="Din egen logg (ungdom med rettigheter)")


class Task(Schema):
    """«Mine oppgaver»: a measure you are responsible for."""

    measure: UUID
    log: UUID
    child_given_name: str
    what: str
    deadline: date
    evaluation_date: date
    evaluated: bool


class EvaluationOut(Schema):
    code: UUID
    author: str
    author_is_guardian: bool
    carried_out: bool
    decision: str
    effect_child: str
    effect_guardians: str
    effect_holder: str
    effect_others: str
    new_measures_needed: str
    closing_answer: str
    created_at: datetime


class MessageOut(Schema):
    code: UUID
    author: str
    text: str
    created_at: datetime


class MeasureOut(Schema):
    code: UUID
    what: str
    category: str
    responsible: PersonRef
    responsible_kind: str
    deadline: date
    evaluation_date: date
    stopped_at: date | None
    evaluations: list[EvaluationOut]
    comments: list[MessageOut]


class GoalOut(Schema):
    code: UUID
    arena: str
    text: str
    measures: list[MeasureOut]


class MeetingOut(Schema):
    code: UUID
    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    held: bool
    minutes: str
    next_meeting_date: date | None
    cancelled_at: datetime | None
    cancel_reason: str


class ConsentOut(Schema):
    code: UUID
    services: list[str]
    not_shared: str
    valid_from: date
    valid_until: date
    level: int


class ParticipantOut(Schema):
    person: PersonRef
    unit: UnitRef


class Overview(Schema):
    presentation: str
    initiator_text: str
    initiated_by: str
    strengths: str
    challenges: str
    challenge_categories: list[str]
    need_extent: int | None
    interpreter_needed: bool
    interpreter_language: str
    has_individual_decision: bool


class LogDetail(Schema):
    """The log page: overview, consent, people, plan (goals and measures), meetings, messages."""

    code: UUID
    child: str
    unit: UnitRef
    holder: PersonRef
    level: int
    status: str
    kind: str
    overview: Overview
    consent: ConsentOut | None
    participants: list[ParticipantOut]
    guardians: list[PersonRef]
    goals: list[GoalOut]
    meetings: list[MeetingOut]
    messages: list[MessageOut]
    gaps: list[str] = Field(description="Det som mangler, som på loggsiden")


class MessageIn(Schema):
    text: Text = Field(min_length=1, max_length=1000)
    measure: UUID | None = Field(default=None, description="Kommentar til et tiltak i stedet for en melding")


class EvaluationIn(Schema):
    carried_out: bool
    decision: Literal["fortsette", "justere", "avslutte"]
    effect_child: Text = Field(default="", max_length=1000)
    effect_guardians: Text = Field(default="", max_length=1000)
    effect_holder: Text = Field(default="", max_length=1000)
    effect_others: Text = Field(default="", max_length=1000)
    new_measures_needed: Text = Field(default="", max_length=1000)
    closing_answer: Text = Field(default="", max_length=1000)


# --- Systems -------------------------------------------------------------------------


class Presence(Schema):
    """A child at a unit the system serves has an active log — no content."""

    log: UUID
    national_id: str = Field(description="Barnets fødselsnummer eller D-nummer")
    child: str
    since: date
    level: int
    unit: UnitRef = Field(description="Stafettholderens tjenestested")


class Event(Schema):
    cursor: int
    kind: str = Field(description="opened, closed, reopened, level_changed eller holder_changed")
    at: datetime
    log: UUID
    unit: UUID | None = Field(description="Tjenestestedet loggen hører til nå")


class EventPage(Schema):
    events: list[Event]
    next_cursor: int = Field(description="Send som «after» for å hente de neste")
    more: bool


class StatCell(Schema):
    value: int | None
    hidden: str = Field(
        description="'' (vises), 'small' (under 5) eller 'secondary' (skjult så et lite tall ikke kan regnes ut)"
    )


class StatRow(Schema):
    label: str
    cells: list[StatCell]


class StatTable(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[StatRow]
    totals: list[StatCell]


class StatisticsOut(Schema):
    municipality: str
    start: date
    end: date
    tables: list[StatTable]
    first_meeting_median_days: str | None
    measures_on_time_share: str
    consents_renewed_share: str
