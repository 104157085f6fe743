"""Every change to a stafettlogg goes through these functions (STYLE: one action per change).

Each takes the acting person first, checks access (stafett/access.py),
validates, saves and writes its audit row — scoped to the log, so the
log's access log shows it — in one transaction.

The log's life (SPEC §4, §6): consent renewal and withdrawal, handing over the
baton, closing, reopening and deletion on demand — each an archive moment where
the law asks for one (seeds/004 Arkivering).

One module per area: `consent` (paper and digital consent, renewal, withdrawal),
`opening`, `plan` (overview, goals, measures, evaluations, messages), `meetings`,
`participants`, `handover`, `transition`, `closing`, `individual_plan` (log → individuell plan);
`common` holds what they share.
Import from here: `from stafett.logs import actions; actions.open_log(...)`.
"""

from stafett.logs.actions.closing import (
    ClosedLog,
    close_log,
    delete_content,
    record_line,
    reopen_log,
    shield_from_guardians,
)
from stafett.logs.actions.common import guardians_of, record_view
from stafett.logs.actions.consent import (
    CONSENT_WARNING_DAYS,
    DEFAULT_CONSENT_YEARS,
    ConsentData,
    ConsentTerms,
    answer_consent,
    check_consent,
    default_consent_end,
    end_access_outside_consent,
    may_sign,
    pending_for,
    renew_consent,
    request_consent,
    required_signers,
    save_consent,
    withdraw_consent,
)
from stafett.logs.actions.handover import accept_handover, decline_handover, end_former_holder, propose_handover
from stafett.logs.actions.individual_plan import add_plan_decision, make_individual_plan, update_own_goals
from stafett.logs.actions.meetings import (
    cancel_meeting,
    change_meeting,
    record_minutes,
    routine_reason,
    schedule_meeting,
)
from stafett.logs.actions.opening import LogStart, create_log, open_log, open_log_with_digital_consent
from stafett.logs.actions.participant_approval import (
    answer_participant,
    awaiting_answer_from,
    record_paper_approval,
)
from stafett.logs.actions.participants import (
    NotificationChoices,
    add_participant,
    add_participant_unchecked,
    remove_participant,
)
from stafett.logs.actions.plan import (
    OVERVIEW_FIELDS,
    EvaluationData,
    MeasureData,
    add_goal,
    add_measure,
    evaluate_measure,
    post_message,
    responsible_kind,
    set_photo,
    update_goal,
    update_measure,
    update_overview,
)
from stafett.logs.actions.requests import (
    answer_log_request,
    ask_for_log,
    children_to_ask_for,
    open_request_counts,
    record_request_read,
    requests_from_family,
    requests_to,
)
from stafett.logs.actions.transition import (
    add_contact_teacher,
    complete_open_transitions,
    evaluate_at_meeting,
    notify_school,
    schedule_transition_meeting,
    start_transition,
)

__all__ = [
    "answer_log_request",
    "ask_for_log",
    "children_to_ask_for",
    "open_request_counts",
    "record_request_read",
    "requests_from_family",
    "requests_to",
    "CONSENT_WARNING_DAYS",
    "DEFAULT_CONSENT_YEARS",
    "OVERVIEW_FIELDS",
    "ClosedLog",
    "ConsentData",
    "ConsentTerms",
    "EvaluationData",
    "LogStart",
    "MeasureData",
    "NotificationChoices",
    "accept_handover",
    "end_former_holder",
    "add_contact_teacher",
    "add_goal",
    "add_measure",
    "add_participant",
    "add_participant_unchecked",
    "add_plan_decision",
    "answer_consent",
    "answer_participant",
    "awaiting_answer_from",
    "cancel_meeting",
    "change_meeting",
    "check_consent",
    "close_log",
    "complete_open_transitions",
    "create_log",
    "decline_handover",
    "default_consent_end",
    "delete_content",
    "end_access_outside_consent",
    "evaluate_at_meeting",
    "evaluate_measure",
    "guardians_of",
    "make_individual_plan",
    "notify_school",
    "open_log",
    "open_log_with_digital_consent",
    "pending_for",
    "post_message",
    "propose_handover",
    "record_line",
    "record_paper_approval",
    "record_minutes",
    "record_view",
    "remove_participant",
    "renew_consent",
    "reopen_log",
    "routine_reason",
    "request_consent",
    "may_sign",
    "required_signers",
    "responsible_kind",
    "save_consent",
    "schedule_meeting",
    "schedule_transition_meeting",
    "set_photo",
    "shield_from_guardians",
    "start_transition",
    "update_goal",
    "update_measure",
    "update_overview",
    "update_own_goals",
    "withdraw_consent",
]
