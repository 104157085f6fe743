"""What a notification says. Data minimisation: never a child's name or any content —
only what kind of news there is, and where to log in to read it."""

from stafett.notify.models import Kind

SUBJECT = "Nytt i Stafett"

LINES = {
    Kind.NEW_MESSAGE: "Det er en ny melding i en stafettlogg du er med i.",
    Kind.COMMENT: "Det er en ny kommentar i en stafettlogg du er med i.",
    Kind.CALENDAR: "Det er lagt inn et nytt møte i en stafettlogg du er med i.",
    Kind.CONSENT_REQUEST: "Du er spurt om samtykke til samarbeid om et barn.",
    Kind.HANDOVER_REQUEST: "Du er spurt om å bli stafettholder for en stafettlogg.",
    Kind.CONSENT_WITHDRAWN: "Samtykket i en stafettlogg du er med i, er trukket tilbake.",
    Kind.SCHOOL_NOTIFIED: "Barnehagen har meldt fra om et barn som skal begynne på skolen deres.",
    Kind.DEADLINE_SOON: "Et tiltak du har ansvar for, har frist snart.",
    Kind.DEADLINE_PASSED: "Fristen for et tiltak du har ansvar for, er passert.",
    Kind.EVALUATION_SOON: "Et tiltak du har ansvar for, skal evalueres snart.",
    Kind.EVALUATION_PASSED: "Et tiltak du har ansvar for, skulle vært evaluert.",
    Kind.CONSENT_EXPIRING: "Samtykket i en stafettlogg du holder, går snart ut.",
    Kind.HANDOVER_PENDING: "Et forslag om ny stafettholder har ikke fått svar.",
    Kind.NO_MEETING: "Det er lenge siden siste møte i en stafettlogg du holder.",
    Kind.HOLDER_LEFT: "En stafettlogg ved tjenestestedet ditt har en stafettholder som har sluttet.",
    Kind.TRANSITION_STEP: "Et steg i en overgang du følger opp, forfaller snart.",
    Kind.UNDRING_OPEN: "En undring du har skrevet, har ikke vært rørt på en stund. Avklar den, eller avslutt den.",
    Kind.ACCESS_ENDED: "Noen har mistet tilgangen til en stafettlogg du holder. Se loggen for hvem og hvorfor.",
    Kind.STAFF_LEADER_ADDED: "Systemansvarlig har lagt til en ny leder ved tjenestestedet ditt.",
    Kind.GUARDIAN_LINKED: "En ny foresatt er registrert for et barn i en stafettlogg du er med i.",
    Kind.QUARTERLY_SUMMARY: "Kvartalsoversikten over stafettlogger ved tjenestestedet ditt er klar.",
    Kind.AUDIT_BROKEN: (
        "Den daglige kontrollen fant at revisjonsloggen i Stafett er endret utenom programmet. "
        "Meld det til driften som et mulig sikkerhetsbrudd."
    ),
}


def line_for(kind: str) -> str:
    return LINES[Kind(kind)]
