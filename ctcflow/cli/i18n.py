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
    "vacant": {"sv": "Vakanta roller", "en": "Vacant roles"},
    "role": {"sv": "Roll", "en": "Role"},
    "last_holder": {"sv": "Senast innehavd av", "en": "Last held by"},
    "central": {"sv": "centralt", "en": "central"},
    "no_vacancies": {"sv": "Alla roller är tillsatta.", "en": "Every role is held."},
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
    "kind.brief": {"sv": "dagsbrev", "en": "brief"},
    "kind.not_started": {"sv": "område ej igång", "en": "area not started"},
    "kind.inactive": {"sv": "inget händer i området", "en": "nothing happens in the area"},
    "kind.vacancy": {"sv": "vakant roll", "en": "vacant role"},
    "briefs": {"sv": "dagsbrev skrivna", "en": "briefs composed"},
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
    "failure.temporary": {"sv": "tillfälligt fel", "en": "passing fault"},
    "failure.permanent": {"sv": "nekat av servern", "en": "refused by the server"},
    "failure.setup": {"sv": "kanalen är fel inställd", "en": "channel set up wrongly"},
    "hint.temporary": {"sv": "Tillfälliga fel försöks igen av sig själva (allt glesare, högst sex timmar emellan); "
                             "`ctc outbox --retry` försöker nu.",
                       "en": "Passing faults are retried by themselves (further apart, at most six hours); "
                             "`ctc outbox --retry` tries now."},
    "hint.permanent": {"sv": "Servern nekade mottagaren eller meddelandet: rätta personens adress (areas.yml eller "
                             "Personer på webben) och kör `ctc outbox --retry ID`.",
                       "en": "The server refused the recipient or the message: correct the person's address "
                             "(areas.yml or People on the web), then run `ctc outbox --retry ID`."},
    "hint.setup": {"sv": "Rätta kanalen (miljövariabel eller Secret-block) och kör `ctc outbox --retry`.",
                   "en": "Fix the channel (environment variable or Secret block), then run `ctc outbox --retry`."},
    "hint.interrupted": {"sv": "En leverans avbröts: `ctc outbox --release` lämnar tillbaka utskicken så att nästa "
                               "leverans skickar dem.",
                         "en": "A delivery run stopped: `ctc outbox --release` hands these back for the next "
                               "delivery to send."},
    "released": {"sv": "utskick lämnade tillbaka till utkorgen", "en": "deliveries handed back to the outbox"},
    "busy": {"sv": "en annan leverans pågår och skickar utkorgen",
             "en": "another delivery is running and sends the outbox"},
    "event.failed": {"sv": "misslyckades", "en": "failed"},
    "event.uncertain": {"sv": "kan ha kommit fram två gånger", "en": "may have arrived twice"},
    "event.interrupted": {"sv": "avbröts under sändning, kan komma fram två gånger", "en": "interrupted while "
                          "sending, may arrive twice"},
    "event.released": {"sv": "lämnades tillbaka osänt", "en": "handed back unsent"},
    "retry_scheduled": {"sv": "utskick försöks igen vid nästa leverans", "en": "deliveries retried at the next run"},
}


def t(key: str, lang: str) -> str:
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["sv"]
