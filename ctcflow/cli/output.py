"""How the command line shows what the application layer returns: tables, plans, deliveries."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ctcflow.cli.terms import FAILURES, KINDS, term
from ctcflow.cli.texttable import render_table
from ctcflow.core.words import say

if TYPE_CHECKING:  # types only: `ctc --help` must not import the delivery stack
    from ctcflow.access.vacancies import Vacancy
    from ctcflow.app.jobs import SweepResult
    from ctcflow.definition.loader import Definitions
    from ctcflow.delivery.sender import DeliveryReport
    from ctcflow.engine.steps import SyncPlan


def print_plan(plan: SyncPlan) -> None:
    if plan.empty:
        print("nothing to change: the database matches phases.yml and areas.yml")
        return
    if plan.steps:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(plan.counts().items()))
        print(f"{len(plan.steps)} change(s) — {counts}")
    for step in [s for s in plan.steps if s.kind != "area_added"][:200]:
        print("  " + step.describe())
    if plan.new_areas:
        print(f"  area_added           {len(plan.new_areas)} area(s): {', '.join(plan.new_areas[:10])}"
              + (" …" if len(plan.new_areas) > 10 else ""))
    if plan.opened:
        print(f"opened {len(plan.opened)} phase(s) whose time had come:")
        for area_id, phase_id, cycle, on in plan.opened[:200]:
            print(f"  phase_opened         {area_id}: {phase_id} (cycle {cycle}) from {on.isoformat()}")


def phase_title(defs: Definitions, phase_id: str | None, lang: str) -> str:
    if phase_id is None:
        return say(lang, "not started")
    return defs.name("phase", phase_id, lang)


def role_title(defs: Definitions, role_id: str, lang: str) -> str:
    return defs.name("role", role_id, lang)


def milestone_title(defs: Definitions, milestone_id: str, lang: str) -> str:
    return defs.name("milestone", milestone_id, lang)


def print_vacancies(defs: Definitions, vacant: list[Vacancy], as_of: date, lang: str) -> None:
    if not vacant:
        print(say(lang, "Every role is held."))
        return
    print("\n" + say(lang, "Vacant roles ({n})", n=len(vacant)))
    print(render_table(
        [say(lang, "Role"), say(lang, "Area"), say(lang, "Since"), say(lang, "Last held by")],
        [[role_title(defs, v.role, lang), defs.name("area", v.area_id, lang) if v.area_id else say(lang, "central"),
          f"{v.since} ({v.days(as_of)} d)", defs.name("person", v.last_holder, lang) if v.last_holder else "–"]
         for v in vacant]))


def print_notices(result: SweepResult, lang: str) -> None:
    from ctcflow.app.jobs import PREVIEW  # as many as a dry run renders

    shown = result.enqueued[:PREVIEW]
    if not shown:
        return
    print(render_table(
        [say(lang, "Type"), say(lang, "Area"), say(lang, "Subject"), say(lang, "Recipient")],
        [[term(KINDS, p.kind, lang), p.area_id or "", p.subject, p.recipient] for p in shown]))
    if result.new > len(shown):
        print(f"… {result.new - len(shown)} more")


def print_delivery(report: DeliveryReport | None, lang: str) -> None:
    if report is None:
        print(say(lang, "nothing is sent on weekends and holidays (--force sends anyway)"))
        return
    if report.busy:
        print(say(lang, "another delivery is running and sends the outbox ({holder})", holder=report.busy))
    if report.recovered:
        print(f"{report.recovered} " + say(lang, "interrupted deliveries taken up again"))
    if report.cancelled:
        print(f"{report.cancelled} " + say(lang, "reminders dropped (already done)"))
    refused = [o for o in report.failed if o.failure == "permanent"]
    print(say(lang, "sent: {sent}, failed and tried again later: {later}, refused by the server (not tried again "
                    "until the address is corrected): {refused}", sent=len(report.sent),
              later=len(report.failed) - len(refused), refused=len(refused)))
    for outcome in report.failed:
        kind = term(FAILURES, outcome.failure or "temporary", lang)
        print(f"  ✗ #{outcome.id} {outcome.recipient} ({outcome.attempts}, {kind}): {outcome.error}")


def write_page(html: str, target: str) -> None:
    Path(target).write_text(html, encoding="utf-8")
    print(f"wrote {target}")
