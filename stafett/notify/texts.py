"""What a notification says. Data minimisation: never a child's name or any content —
only what kind of news there is, and where to log in to read it."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.notify.models import Kind, Unreachable, Whose

SUBJECT = _("Nytt i Stafett")

LINES = {
    Kind.NEW_MESSAGE: _("Det er en ny melding i en stafettlogg du er med i."),
    Kind.COMMENT: _("Det er en ny kommentar i en stafettlogg du er med i."),
    Kind.CALENDAR: _("Det er lagt inn et nytt møte i en stafettlogg du er med i."),
    Kind.CONSENT_REQUEST: _("Du er spurt om samtykke til samarbeid om et barn."),
    Kind.HANDOVER_REQUEST: _("Du er spurt om å bli stafettholder for en stafettlogg."),
    Kind.CONSENT_WITHDRAWN: _("Samtykket i en stafettlogg du er med i, er trukket tilbake."),
    Kind.SCHOOL_NOTIFIED: _("Barnehagen har meldt fra om et barn som skal begynne på skolen deres."),
    Kind.DEADLINE_SOON: _("Et tiltak du har ansvar for, har frist snart."),
    Kind.DEADLINE_PASSED: _("Fristen for et tiltak du har ansvar for, er passert."),
    Kind.EVALUATION_SOON: _("Et tiltak du har ansvar for, skal evalueres snart."),
    Kind.EVALUATION_PASSED: _("Et tiltak du har ansvar for, skulle vært evaluert."),
    Kind.CONSENT_EXPIRING: _("Samtykket i en stafettlogg du holder, går snart ut."),
    Kind.CONSENT_EXPIRED: _(
        "Samtykket i en stafettlogg du holder, har gått ut. Deltakerne har ikke tilgang før det er fornyet."
    ),
    Kind.DEADLINE_TODAY: _("Et tiltak du har ansvar for, har frist i dag."),
    Kind.EVALUATION_TODAY: _("Et tiltak du har ansvar for, skal evalueres i dag."),
    Kind.NO_MEETING_PLANNED: _(
        "Det er lenge siden siste møte i en stafettlogg du holder. Et møte er avtalt, men det er ikke holdt ennå."
    ),
    Kind.HANDOVER_PENDING: _("Et forslag om ny stafettholder har ikke fått svar."),
    Kind.NO_MEETING: _("Det er lenge siden siste møte i en stafettlogg du holder."),
    Kind.HOLDER_LEFT: _("En stafettlogg ved tjenestestedet ditt har en stafettholder som har sluttet."),
    Kind.TRANSITION_STEP: _("Et steg i en overgang du følger opp, forfaller snart."),
    Kind.UNDRING_OPEN: _("En undring du har skrevet, har ikke vært rørt på en stund. Avklar den, eller avslutt den."),
    Kind.ACCESS_ENDED: _("Noen har mistet tilgangen til en stafettlogg du holder. Se loggen for hvem og hvorfor."),
    Kind.STAFF_LEADER_ADDED: _("Systemansvarlig har lagt til en ny leder ved tjenestestedet ditt."),
    Kind.GUARDIAN_LINKED: _("En ny foresatt er registrert for et barn i en stafettlogg du er med i."),
    Kind.QUARTERLY_SUMMARY: _("Kvartalsoversikten over stafettlogger ved tjenestestedet ditt er klar."),
    Kind.MEASURE_ORPHANED: _(
        "Et tiltak i en stafettlogg du holder, trenger ny ansvarlig: den ansvarlige har ikke lenger tilgang."
    ),
    Kind.HANDOVER_PROPOSED: _("Lederen har foreslått en ny stafettholder for en stafettlogg du holder."),
    Kind.MEETING_CHANGED: _("Et møte i en stafettlogg du er med i, er endret, flyttet eller avlyst."),
    Kind.ARCHIVE_LATE: _(
        "Den årlige arkivkopien av en stafettlogg ble laget senere enn fire uker etter skoleårets slutt. "
        "Kopien er laget nå; vurder om arkivet må få beskjed."
    ),
    Kind.ARCHIVE_UNANSWERED: _(
        "En arkivkopi av en stafettlogg er ikke kommet inn i arkivet (ingen kvittering, eller arkivet avviste den). "
        "Se helsesjekken, og ta det opp med arkivet."
    ),
    Kind.LOG_REQUESTED: _("En familie ber tjenestestedet ditt vurdere å opprette en stafettlogg. Svar innen fristen."),
    Kind.LOG_REQUEST_ANSWERED: _("Du har fått svar på forespørselen om stafettlogg."),
    Kind.BULK_READ: _(
        "En bruker i kommunen har åpnet uvanlig mange stafettlogger i løpet av én time. "
        "Driften kan se hvem i Stafetts logg; vurder om det var en del av arbeidet eller et mulig sikkerhetsbrudd."
    ),
    Kind.BECAME_INDIVIDUAL_PLAN: _("En stafettlogg du er med i, er gjort om til individuell plan."),
    Kind.AUDIT_BROKEN: _(
        "Den daglige kontrollen fant at revisjonsloggen i Stafett er endret utenom programmet. "
        "Meld det til driften som et mulig sikkerhetsbrudd."
    ),
    # Issue 15 §4: who the participant is shows only after login.
    Kind.PARTICIPANT_TO_APPROVE: _("Du er spurt om å godkjenne en ny deltaker i en stafettlogg. Logg inn for å svare."),
    Kind.PARTICIPANT_ADDED: _("En ny deltaker er lagt til i en stafettlogg du er med i. Logg inn for å se hvem."),
    Kind.PARTICIPANT_DECLINED: _("De foresatte har sagt nei til en ny deltaker i en stafettlogg du holder."),
    # Issue 15 §7: the code and the link, never anything from the log.
    Kind.ASSISTED_CODE: _(
        "Engangskoden din er {secret}. Den gjelder i 30 minutter og kan brukes én gang. Skriv den inn her:"
    ),
}

# Told in someone else's place (issue 14 §1): the same news without «du har ansvar for», then
# whose item it is (a role, never a name) and why that person was not told.
STAND_IN_LINES = {
    Kind.DEADLINE_SOON: _("Et tiltak i en stafettlogg har frist snart."),
    Kind.DEADLINE_TODAY: _("Et tiltak i en stafettlogg har frist i dag."),
    Kind.DEADLINE_PASSED: _("Fristen for et tiltak i en stafettlogg er passert."),
    Kind.EVALUATION_SOON: _("Et tiltak i en stafettlogg skal evalueres snart."),
    Kind.EVALUATION_TODAY: _("Et tiltak i en stafettlogg skal evalueres i dag."),
    Kind.EVALUATION_PASSED: _("Et tiltak i en stafettlogg skulle vært evaluert."),
    Kind.CONSENT_EXPIRING: _("Samtykket i en stafettlogg ved tjenestestedet ditt går snart ut."),
    Kind.CONSENT_EXPIRED: _("Samtykket i en stafettlogg ved tjenestestedet ditt har gått ut."),
    Kind.NO_MEETING: _("Det er lenge siden siste møte i en stafettlogg ved tjenestestedet ditt."),
    Kind.NO_MEETING_PLANNED: _(
        "Det er lenge siden siste møte i en stafettlogg ved tjenestestedet ditt. Et møte er avtalt, men ikke holdt."
    ),
    Kind.TRANSITION_STEP: _("Et steg i en overgang ved tjenestestedet ditt forfaller snart."),
}


def line_for(kind: str, whose: str = "", unreachable: str = "") -> str:
    if not whose:
        return str(LINES[Kind(kind)])
    line = STAND_IN_LINES.get(Kind(kind), LINES[Kind(kind)])
    return gettext(
        "%(line)s Ansvarlig er %(whose)s, som %(unreachable)s. "
        "Derfor får du beskjeden. Se loggen eller oversikten for hvem det gjelder."
    ) % {"line": line, "whose": Whose(whose).label, "unreachable": Unreachable(unreachable).label}
