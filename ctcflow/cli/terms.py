"""The command line's closed sets of words — kinds of notice, milestone states, delivery
failures and their remedies, outbox events — marked for the catalogues; ``term`` shows one in
the reader's language (an unknown one as it is)."""

from __future__ import annotations

from ctcflow.core.words import N_, words

KINDS = {
    "reminder": N_("reminder"),
    "due": N_("due today"),
    "overdue": N_("late"),
    "escalation": N_("escalation"),
    "unassigned": N_("no recipient"),
    "phase_opened": N_("new phase"),
    "brief": N_("brief"),
    "not_started": N_("area not started"),
    "inactive": N_("nothing happens in the area"),
    "vacancy": N_("vacant role"),
    "area_late": N_("the area's late milestones"),
    "waiting": N_("waiting for other work"),
    "acknowledged": N_("acknowledged"),
    "phase_check": N_("missing in the phase"),
    "report": N_("report"),
    "report_reminder": N_("report reminder"),
    "report_due": N_("report due today"),
    "report_overdue": N_("report overdue"),
    "report_escalation": N_("report escalated"),
    "report_gap": N_("missing in the report"),
}
STATES = {
    "done": N_("done"),
    "open": N_("open"),
    "overdue": N_("OVERDUE"),
    "retired": N_("retired"),
}
FAILURES = {
    "temporary": N_("passing fault"),
    "permanent": N_("refused by the server"),
    "setup": N_("channel set up wrongly"),
}
HINTS = {
    "temporary": N_("Passing faults are retried by themselves (further apart, at most six hours); `ctc outbox "
                    "--retry` tries now."),
    "permanent": N_("The server refused the recipient or the message: correct the person's address (areas.yml or "
                    "People on the web), then run `ctc outbox --retry ID`."),
    "setup": N_("Fix the channel (environment variable or Secret block), then run `ctc outbox --retry`."),
    "interrupted": N_("A delivery run stopped: `ctc outbox --release` hands these back for the next delivery to send."),
}
EVENTS = {
    "failed": N_("failed"),
    "uncertain": N_("may have arrived twice"),
    "interrupted": N_("interrupted while sending, may arrive twice"),
    "released": N_("handed back unsent"),
}


def term(terms: dict[str, str], key: str, lang: str) -> str:
    return words(lang)(terms[key]) if key in terms else key
