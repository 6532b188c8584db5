"""Labels for what people read on the command line; Swedish by default, English available."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "area": {"sv": "Område", "en": "Area"},
    "phase": {"sv": "Fas", "en": "Phase"},
    "cycle": {"sv": "Cykel", "en": "Cycle"},
    "since": {"sv": "Sedan", "en": "Since"},
    "done_share": {"sv": "Klart", "en": "Done"},
    "overdue": {"sv": "Försenade", "en": "Overdue"},
    "milestone": {"sv": "Milstolpe", "en": "Milestone"},
    "owner": {"sv": "Ansvarig", "en": "Owner"},
    "due": {"sv": "Senast", "en": "Due"},
    "state": {"sv": "Status", "en": "Status"},
    "done_by": {"sv": "Klar av", "en": "Done by"},
    "evidence": {"sv": "Underlag", "en": "Evidence"},
    "not_started": {"sv": "ej startad", "en": "not started"},
    "when": {"sv": "Datum", "en": "Date"},
    "who": {"sv": "Vem", "en": "Who"},
    "what": {"sv": "Händelse", "en": "Event"},
    "change": {"sv": "Ändring", "en": "Change"},
    "state.done": {"sv": "klar", "en": "done"},
    "state.open": {"sv": "pågår", "en": "open"},
    "state.overdue": {"sv": "FÖRSENAD", "en": "OVERDUE"},
    "state.retired": {"sv": "borttagen", "en": "retired"},
    "status_title": {"sv": "CTC-status per område", "en": "CTC status per area"},
    "as_of": {"sv": "per", "en": "as of"},
    "kind": {"sv": "Typ", "en": "Kind"},
    "subject": {"sv": "Ämne", "en": "Subject"},
    "recipient": {"sv": "Mottagare", "en": "Recipient"},
    "attempts": {"sv": "Försök", "en": "Attempts"},
    "kind.reminder": {"sv": "påminnelse", "en": "reminder"},
    "kind.due": {"sv": "sista dag", "en": "due today"},
    "kind.overdue": {"sv": "försenad", "en": "overdue"},
    "kind.escalation": {"sv": "eskalering", "en": "escalation"},
    "kind.unassigned": {"sv": "ingen mottagare", "en": "no recipient"},
    "kind.phase_opened": {"sv": "ny fas", "en": "new phase"},
    "kind.digest": {"sv": "veckosammanfattning", "en": "weekly digest"},
    "kind.phase_check": {"sv": "saknas i fasen", "en": "missing in the phase"},
    "kind.report": {"sv": "rapport", "en": "report"},
    "kind.report_reminder": {"sv": "påminnelse om rapport", "en": "report reminder"},
    "kind.report_due": {"sv": "rapport sista dag", "en": "report due today"},
    "kind.report_overdue": {"sv": "rapport försenad", "en": "report overdue"},
    "kind.report_escalation": {"sv": "rapport eskalerad", "en": "report escalated"},
    "kind.report_gap": {"sv": "saknas i rapporten", "en": "missing in the report"},
    "decided": {"sv": "utskick beslutade", "en": "notices called for"},
    "enqueued": {"sv": "nya i utkorgen", "en": "new in the outbox"},
    "would_enqueue": {"sv": "skulle bli nya", "en": "would be new"},
    "dry_run": {"sv": "(provkörning: inget ändrades, inget skickades)", "en": "(dry run: nothing changed or sent)"},
    "not_business_day": {"sv": "helgdag eller helg – inga påminnelser i dag, de går ut nästa arbetsdag",
                         "en": "weekend or holiday – no reminders today; they go out on the next working day"},
    "no_delivery_today": {"sv": "inga utskick på helger och helgdagar (--force skickar ändå)",
                          "en": "nothing is sent on weekends and holidays (--force sends anyway)"},
    "recovered": {"sv": "avbrutna utskick tas om", "en": "interrupted deliveries taken up again"},
    "cancelled": {"sv": "påminnelser strukna (redan klara)", "en": "reminders dropped (already done)"},
    "sent": {"sv": "skickade", "en": "sent"},
    "failed": {"sv": "misslyckade (försöks igen)", "en": "failed (will be retried)"},
    "retry_hint": {"sv": "Rätta kanalen (miljövariabel eller Secret-block) och kör `ctc outbox --retry`.",
                   "en": "Fix the channel (environment variable or Secret block), then run `ctc outbox --retry`."},
    "retry_scheduled": {"sv": "utskick försöks igen vid nästa leverans", "en": "deliveries retried at the next run"},
}


def t(key: str, lang: str) -> str:
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["sv"]
