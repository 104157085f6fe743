from django.urls import path

from stafett.logs import (
    templates_admin,
    views,
    views_assisted,
    views_consent,
    views_individual_plan,
    views_lifecycle,
    views_meetings,
    views_participant_approval,
    views_plan,
    views_requests,
    views_transition,
)

app_name = "logs"
urlpatterns = [
    # Issue 15 §7: families without BankID. The code page has a fixed address; the code goes in the form.
    path("innsyn/", views_assisted.code_page, name="assisted_code"),
    path("innsyn/logg/", views_assisted.reading_page, name="assisted_reading"),
    path("innsyn/avslutt/", views_assisted.leave_reading, name="assisted_leave"),
    path("logg/<uuid:log_code>/uten-bankid/", views_assisted.assisted_guardians, name="assisted_guardians"),
    path(
        "logg/<uuid:log_code>/uten-bankid/<uuid:assisted_guardian_code>/mobil/",
        views_assisted.verify_phone,
        name="assisted_verify_phone",
    ),
    path(
        "logg/<uuid:log_code>/uten-bankid/<uuid:assisted_guardian_code>/kode/",
        views_assisted.send_code,
        name="assisted_send_code",
    ),
    path(
        "logg/<uuid:log_code>/uten-bankid/<uuid:assisted_guardian_code>/avslutt/",
        views_assisted.end_assisted,
        name="assisted_end",
    ),
    path(
        "logg/<uuid:log_code>/uten-bankid/<uuid:assisted_guardian_code>/utskrift/",
        views_assisted.print_page,
        name="assisted_print",
    ),
    path(
        "logg/<uuid:log_code>/uten-bankid/<uuid:assisted_guardian_code>/utskrift.pdf",
        views_assisted.print_pdf,
        name="assisted_print_pdf",
    ),
    path("foresporsel/ny/", views_requests.ask, name="ask_for_log"),
    path("tjenestested/<uuid:unit_code>/foresporsler/", views_requests.unit_requests, name="log_requests"),
    path("foresporsel/<uuid:request_code>/", views_requests.answer, name="answer_log_request"),
    path("maler/", templates_admin.template_list, name="templates"),
    path("maler/<uuid:code>/", templates_admin.template_edit, name="template_edit"),
    path("tjenestested/<uuid:unit_code>/ny-logg/", views.find_child, name="find_child"),
    path("tjenestested/<uuid:unit_code>/ny-logg/registrer/", views.register_child, name="register_child"),
    path("tjenestested/<uuid:unit_code>/ny-logg/<uuid:person_code>/", views.open_log, name="open"),
    path(
        "tjenestested/<uuid:unit_code>/ny-logg/<uuid:person_code>/digitalt-samtykke/",
        views_consent.open_with_digital_consent,
        name="open_digital",
    ),
    path("logg/<uuid:log_code>/samtykke/digitalt/", views_consent.request_digital_consent, name="request_consent"),
    path("samtykke/<uuid:request_code>/", views_consent.answer_consent, name="answer_consent"),
    path(
        "deltaker/<uuid:participant_code>/svar/",
        views_participant_approval.answer_participant,
        name="answer_participant",
    ),
    path(
        "logg/<uuid:log_code>/deltakere/<uuid:participant_code>/godkjenning-papir/",
        views_participant_approval.paper_approval,
        name="paper_approval",
    ),
    path("logg/<uuid:log_code>/", views.detail, name="detail"),
    path("logg/<uuid:log_code>/oversikt/", views.edit_overview, name="edit_overview"),
    path("logg/<uuid:log_code>/bilde/", views.photo, name="photo"),
    path("logg/<uuid:log_code>/bilde/ny/", views.photo_upload, name="photo_upload"),
    path("logg/<uuid:log_code>/deltakere/ny/", views.add_participant, name="add_participant"),
    path(
        "logg/<uuid:log_code>/deltakere/<uuid:participant_code>/fjern/",
        views.remove_participant,
        name="remove_participant",
    ),
    path("logg/<uuid:log_code>/tilgangslogg/", views.access_log_page, name="access_log"),
    path(
        "logg/<uuid:log_code>/samtykke/<uuid:consent_code>/dokument/", views.consent_document, name="consent_document"
    ),
    path("logg/<uuid:log_code>/mal/ny/", views_plan.add_goal, name="add_goal"),
    path("logg/<uuid:log_code>/mal/<uuid:goal_code>/endre/", views_plan.edit_goal, name="edit_goal"),
    path("logg/<uuid:log_code>/mal/<uuid:goal_code>/tiltak/ny/", views_plan.add_measure, name="add_measure"),
    path("logg/<uuid:log_code>/tiltak/<uuid:measure_code>/endre/", views_plan.edit_measure, name="edit_measure"),
    path("logg/<uuid:log_code>/tiltak/<uuid:measure_code>/evaluer/", views_plan.evaluate_measure, name="evaluate"),
    path("logg/<uuid:log_code>/moter/nytt/", views_meetings.schedule_meeting, name="schedule_meeting"),
    path("logg/<uuid:log_code>/moter/<uuid:meeting_code>/endre/", views_meetings.edit_meeting, name="edit_meeting"),
    path("logg/<uuid:log_code>/moter/<uuid:meeting_code>/avlys/", views_meetings.cancel_meeting, name="cancel_meeting"),
    path("logg/<uuid:log_code>/moter/<uuid:meeting_code>/referat/", views_meetings.meeting_minutes, name="minutes"),
    path(
        "logg/<uuid:log_code>/moter/<uuid:meeting_code>/invitasjon.ics", views_meetings.meeting_ics, name="meeting_ics"
    ),
    path("logg/<uuid:log_code>/meldinger/", views_plan.post_message, name="post_message"),
    path("logg/<uuid:log_code>/samtykke/forny/", views_lifecycle.renew_consent, name="renew_consent"),
    path("logg/<uuid:log_code>/samtykke/trekk/", views_lifecycle.withdraw_consent, name="withdraw_consent"),
    path("logg/<uuid:log_code>/ny-stafettholder/", views_lifecycle.propose_handover, name="propose_handover"),
    path("overforing/<uuid:handover_code>/", views_lifecycle.answer_handover, name="answer_handover"),
    path("logg/<uuid:log_code>/avslutt/", views_lifecycle.close_log, name="close"),
    path(
        "logg/<uuid:log_code>/tidligere-stafettholder/<uuid:former_holder_code>/avslutt/",
        views_lifecycle.end_former_holder,
        name="end_former_holder",
    ),
    path("logg/<uuid:log_code>/vold-eller-overgrep/", views_lifecycle.suspected_abuse, name="suspected_abuse"),
    path("logg/<uuid:log_code>/slett-innhold/", views_lifecycle.delete_content, name="delete_content"),
    path("logg/<uuid:log_code>/gjenapne/", views_lifecycle.reopen_log, name="reopen"),
    path("logg/<uuid:log_code>/utskrift.pdf", views_lifecycle.printout, name="printout"),
    path(
        "logg/<uuid:log_code>/individuell-plan/",
        views_individual_plan.make_individual_plan,
        name="make_individual_plan",
    ),
    path("logg/<uuid:log_code>/individuell-plan/mine-mal/", views_individual_plan.edit_own_goals, name="own_goals"),
    path("logg/<uuid:log_code>/individuell-plan/vedtak/", views_individual_plan.add_decision, name="add_decision"),
    path("logg/<uuid:log_code>/overgang/ny/", views_transition.start, name="transition_start"),
    path(
        "logg/<uuid:log_code>/overgang/<uuid:transition_code>/varsle/",
        views_transition.notify,
        name="transition_notify",
    ),
    path(
        "logg/<uuid:log_code>/overgang/<uuid:transition_code>/kontaktlaerer/",
        views_transition.contact_teacher,
        name="transition_teacher",
    ),
    path(
        "logg/<uuid:log_code>/overgang/<uuid:transition_code>/mote/<int:number>/",
        views_transition.meeting,
        name="transition_meeting",
    ),
]
