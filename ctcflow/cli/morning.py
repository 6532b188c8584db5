"""`ctc sweep`, `ctc deliver`, `ctc outbox`: the morning's decisions and their delivery, as the
scheduled flows run them (the same application functions)."""

from __future__ import annotations

from typing import Annotated

import typer

from ctcflow.cli.options import AsOf, Lang, day, language
from ctcflow.cli.output import phase_title, print_delivery, print_notices
from ctcflow.cli.terms import EVENTS, FAILURES, HINTS, KINDS, term
from ctcflow.cli.texttable import render_table
from ctcflow.core.words import say

app = typer.Typer()
Flag = bool


@app.command("sweep")
def sweep(as_of: AsOf = None, lang: Lang = None,
          dry_run: Annotated[Flag, typer.Option("--dry-run", help="print what would be sent; change nothing")] = False,
          no_deliver: Annotated[Flag, typer.Option("--no-deliver", help="write to the outbox only")] = False) -> None:
    """Open phases, decide today's notices, compose each person's brief and send."""
    from ctcflow.app.jobs import MorningPlan
    from ctcflow.app.jobs import sweep as run_sweep
    from ctcflow.app.people import current_definitions

    lang, as_of = language(lang), day(as_of)
    defs = current_definitions()
    result = run_sweep(as_of, MorningPlan(dry_run=dry_run, deliver=not no_deliver), defs=defs)
    if not result.business_day:
        print(f"{as_of}: " + say(lang, "weekend or holiday – no reminders today; they go out on the next working day"))
    for area_id, phase_id, cycle in result.opened:
        print(say(lang, "→ {area}: {phase} (cycle {cycle})", area=area_id, phase=phase_title(defs, phase_id, lang),
                  cycle=cycle))
    verb = say(lang, "would be new") if dry_run else say(lang, "new in the outbox")
    print(say(lang, "{day}: {decided} notices called for, {new} {verb}", day=as_of, decided=result.decided,
              new=result.new, verb=verb))
    print_notices(result, lang)
    if result.briefs:
        print(say(lang, "{day}: {n} briefs composed", day=as_of, n=len(result.briefs)))
    if dry_run:
        print(say(lang, "(dry run: nothing changed or sent)"))
    elif not no_deliver:
        print_delivery(result.delivery, lang)
    if result.delivery and result.delivery.failed:
        raise typer.Exit(1)


@app.command("deliver")
def deliver(as_of: AsOf = None, lang: Lang = None,
            force: Annotated[Flag, typer.Option("--force", help="send even on a weekend or holiday")] = False) -> None:
    """Send what is pending in the outbox (retries whose time has come)."""
    from ctcflow.app.jobs import deliver as send_pending

    report = send_pending(day(as_of), force=force)
    print_delivery(report, language(lang))
    if report and report.failed:
        raise typer.Exit(1)


@app.command("outbox")
def outbox(lang: Lang = None,
           status: Annotated[str | None, typer.Option(
               help="pending, sending, sent, cancelled, failed (refused for good), failing (every failure "
                    "that waits) or interrupted (claims of a delivery run that stopped)")] = None,
           area: Annotated[str | None, typer.Option()] = None,
           limit: Annotated[int, typer.Option()] = 50,
           retry: Annotated[list[str] | None, typer.Option(
               help="send these ids at the next delivery (`--retry` alone: every failing one)")] = None,
           release: Annotated[list[str] | None, typer.Option(
               help="hand back the claims of a delivery run that stopped (`--release` alone: all of them)")] = None
           ) -> None:
    """List the notification outbox with each failure in the server's words; retry now; hand back
    what a crashed delivery left claimed."""
    from ctcflow.app.outbox import STATUSES, history, outbox_rows, retry_now
    from ctcflow.app.outbox import release as hand_back
    from ctcflow.delivery.failures import PERMANENT
    from ctcflow.delivery.state import is_failing

    lang = language(lang)
    if retry is not None:
        print(say(lang, "{n} deliveries retried at the next run", n=retry_now(ids_of(retry))))
        return
    if release is not None:
        print(say(lang, "{n} deliveries handed back to the outbox", n=hand_back(ids_of(release))))
        return
    if status not in (None, *STATUSES):
        raise typer.BadParameter(f"'{status}' is not a state; --status takes {', '.join(STATUSES)}")
    rows = outbox_rows(status, area, limit)
    print(render_table(
        ["#", say(lang, "Type"), say(lang, "Date"), say(lang, "Area"), say(lang, "Recipient"), say(lang, "Status"),
         say(lang, "Attempts"), say(lang, "Subject")],
        [[n.id, term(KINDS, n.kind, lang), n.as_of, n.area_id or "", n.recipient, n.status, n.attempts, n.subject]
         for n in rows]))
    failing = [n for n in rows if is_failing(n)]
    kinds = {n.id: n.failure or PERMANENT for n in failing}  # a row left ``failed`` is refused for good
    for n in failing:
        print(f"✗ #{n.id} {n.recipient} ({n.reference}), {n.attempts}× — {term(FAILURES, kinds[n.id], lang)}: "
              f"{n.last_error}")
    for kind in sorted(set(kinds.values())):
        print(term(HINTS, kind, lang))
    if status == "interrupted" and rows:
        print(term(HINTS, "interrupted", lang))
    events = history([n.id for n in rows if n.id is not None])
    for n in rows:
        for event in events.get(n.id or 0, []):
            print(f"  #{n.id} {event.at:%Y-%m-%d %H:%M} {term(EVENTS, event.what, lang)}: {event.detail}")


def ids_of(values: list[str]) -> list[int]:
    """Ids as given; nothing (the option alone) means all."""
    try:
        return [int(i) for i in values if i != ALL]
    except ValueError:
        raise typer.BadParameter("give message numbers as shown by `ctc outbox` (e.g. --retry 12 15)") from None


ALL = "all"  # what `--retry` alone becomes (see ctcflow.cli.main.spread_lists)


@app.command("health")
def health(as_of: AsOf = None, lang: Lang = None,
           pool: Annotated[str | None, typer.Option(help="the work pool the mornings run in (default: the one "
                                                          "prefect.yaml names); asked where PREFECT_API_URL is set")
                           ] = None) -> None:
    """Whether the mornings ran and what waits in the outbox; exits 1 when a working day had no
    morning or a message was refused for good (for a monitor to call)."""
    from ctcflow.app.health import health as read_health
    from ctcflow.core.templating import long_date

    lang, as_of = language(lang), day(as_of)
    found = read_health(as_of, pool)
    if found.last is None:
        print(say(lang, "No morning has run yet."))
    else:
        print(say(lang, "Last morning that ran to its end: {day}", day=long_date(found.last.day, lang)))
    if found.missed:
        print(say(lang, "NOT RUN: {n} working day(s) without a morning since then: {days}", n=len(found.missed),
                  days=", ".join(d.isoformat() for d in found.missed)))
    print(say(lang, "Outbox: {pending} waiting to be sent, {failing} failing, {refused} refused until someone acts",
              pending=found.pending, failing=found.failing, refused=found.refused))
    if found.server_problem:
        print(say(lang, "PREFECT: {problem}", problem=found.server_problem))
    elif found.pool is not None:
        print(say(lang, "Workers online in pool {pool}: {n}", pool=found.pool, n=found.workers)
              + ("" if found.workers else " — " + say(lang, "NO WORKER: no morning will run")))
    if not found.healthy:
        raise typer.Exit(1)
