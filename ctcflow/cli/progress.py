"""`ctc status`, `done`, `undo`, `approve`, `history`, `calendar`, `implementation` and
`phases check`: where the areas stand and recording their progress."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ctcflow.cli.options import AreaArg, AsOf, By, Lang, Note, day, language, parse_day
from ctcflow.cli.output import milestone_title, phase_title, print_vacancies, role_title
from ctcflow.cli.terms import STATES, term
from ctcflow.cli.texttable import render_table
from ctcflow.core.words import say

app = typer.Typer()
phases = typer.Typer(help="what each phase's own checks find in the data")


@app.command("status")
def status(as_of: AsOf = None, lang: Lang = None,
           area: Annotated[str | None, typer.Option(help="show one area's milestones")] = None,
           as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Every area's phase and progress."""
    from ctcflow.app.progress import status_report, vacant_roles
    from ctcflow.cli.escalations import print_escalations

    lang, as_of = language(lang), day(as_of)
    defs, areas, milestones = status_report(as_of, area)
    vacant = [v for v in vacant_roles(as_of, defs) if area is None or v.area_id in (area, None)]
    if as_json:
        from ctcflow.app.acks import open_things

        _, things = open_things(as_of, [area] if area else None, defs=defs)
        payload = {"as_of": as_of.isoformat(), "areas": [a.as_json() for a in areas],
                   "vacancies": [{"role": v.role, "area": v.area_id, "since": v.since.isoformat(),
                                  "last_holder": v.last_holder} for v in vacant],
                   "escalations": [{"name": e.topic, "kind": e.kind, "area": e.area_id, "what": e.subject,
                                    "since": e.first_on.isoformat(), "highest": e.highest,
                                    "board_on": e.board_on.isoformat() if e.board_on else None,
                                    "acknowledged": {"by": e.ack.by, "plan": e.ack.plan,
                                                     "until": e.ack.until.isoformat(),
                                                     "lapsed": e.ack.lapsed(as_of)} if e.ack else None}
                                   for e in things],
                   **({"milestones": [m.as_json() for m in milestones]} if area else {})}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    print(say(lang, "CTC status per area (as of {day})", day=as_of))
    print(render_table(
        [say(lang, "Area"), say(lang, "Phase"), say(lang, "Cycle"), say(lang, "Since"), say(lang, "Completed"),
         say(lang, "Overdue")],
        [[a.area_name, phase_title(defs, a.phase_id, lang), a.cycle or "", a.phase_opened_on or "",
          f"{a.milestones_done}/{a.milestones_total} ({a.share_done:.0%})" if a.phase_id else "",
          a.overdue or ""] for a in areas]))
    print_vacancies(defs, vacant, as_of, lang)
    print()
    print_escalations(as_of, lang, area)
    if area:
        print()
        print(render_table(
            [say(lang, "Phase"), say(lang, "Milestone"), say(lang, "Owner"), say(lang, "Due"), say(lang, "Status"),
             say(lang, "Done by"), say(lang, "Evidence")],
            [[m.phase_id, milestone_title(defs, m.milestone_id, lang) + ("" if m.required else " (*)"),
              role_title(defs, m.owner, lang), m.due_date or "–", term(STATES, m.state, lang),
              f"{m.done_by} {m.done_on}" if m.done_by else "", m.evidence or ""] for m in milestones]))


@app.command("done")
def done(area: AreaArg, milestone: str, by: By, as_of: AsOf = None, note: Note = None, lang: Lang = None,
         evidence: Annotated[str | None, typer.Option(help="a link, document reference or file name")] = None) -> None:
    """Record a milestone as done."""
    from ctcflow.app.progress import record_done

    mi = record_done(area, milestone, by=by, as_of=day(as_of), evidence=evidence, note=note)
    print(f"✓ {area}: {milestone} done {mi.done_on} by {mi.done_by}")


@app.command("undo")
def undo(area: AreaArg, milestone: str, by: By, as_of: AsOf = None, note: Note = None, lang: Lang = None) -> None:
    """Reopen a milestone marked done (recorded, not erased)."""
    from ctcflow.app.progress import record_undo

    record_undo(area, milestone, by=by, as_of=day(as_of), note=note)
    print(f"↺ {area}: {milestone} reopened (the earlier 'done' stays in the history)")


@app.command("approve")
def approve(area: AreaArg, phase: str, by: By, as_of: AsOf = None, note: Note = None, lang: Lang = None) -> None:
    """Approve a phase whose gate is met."""
    from ctcflow.app.progress import approve_phase

    opened = approve_phase(area, phase, by=by, as_of=day(as_of), note=note)
    print(f"✓ {area}: {phase} approved by {by}")
    for pi in opened:
        print(f"  → {pi.phase_id} (cycle {pi.cycle}) opened {pi.opened_on}")


@app.command("history")
def history(area: AreaArg, lang: Lang = None) -> None:
    """The area's event log."""
    from ctcflow.app.progress import history as area_history

    lang = language(lang)
    print(render_table(
        [say(lang, "Date"), say(lang, "Who"), say(lang, "Event"), "", say(lang, "Change"), ""],
        [[e.effective_on, e.actor, e.kind, e.subject or "",
          f"{e.old or ''} → {e.new or ''}" if (e.old or e.new) else "", e.note or ""] for e in area_history(area)]))


@app.command("calendar")
def calendar(area: AreaArg, as_of: AsOf = None, lang: Lang = None,
             output: Annotated[str | None, typer.Option("--output", "-o", help="file to write (default AREA.ics)")]
             = None) -> None:
    """Write the area's deadlines as an .ics file."""
    from ctcflow.app.progress import calendar_file

    text = calendar_file(area, day(as_of), language(lang))
    target = Path(output or f"{area}.ics")
    target.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {target} ({text.count('BEGIN:VEVENT')} deadlines)")


@app.command("implementation")
def implementation(
        area: AreaArg, programme: str, by: By,
        sessions_planned: Annotated[int, typer.Option("--sessions-planned")],
        sessions_held: Annotated[int, typer.Option("--sessions-held")],
        participants: Annotated[int, typer.Option("--participants")],
        adherence: Annotated[float, typer.Option("--adherence", help="share of the protocol followed, 0–1")],
        period_end: Annotated[date | None, typer.Option("--period-end", parser=parse_day,
                                                        help="last day of the period (default: the as-of day)")]
        = None,
        as_of: AsOf = None, note: Note = None, lang: Lang = None) -> None:
    """Record how a programme ran: sessions, reach, fidelity."""
    from ctcflow.app.plans import implementation as record

    low = record(area, programme, period_end=period_end or day(as_of), sessions_planned=sessions_planned,
                 sessions_held=sessions_held, participants=participants, adherence=adherence, by=by,
                 as_of=day(as_of), note=note)
    print(f"✓ {area}: {programme} {sessions_held}/{sessions_planned} sessions, "
          f"{participants} participants, adherence {adherence:.0%}")
    if low:
        print("  ⚠ below the programme's minimum adherence: the utvecklingsledare is told at the next sweep")


@phases.command("check")
def phases_check(as_of: AsOf = None, lang: Lang = None, area: Annotated[str | None, typer.Option()] = None) -> None:
    """List what is missing per area and phase (changes nothing)."""
    from ctcflow.app.progress import phase_findings

    lang, as_of = language(lang), day(as_of)
    defs, findings = phase_findings(as_of, area)
    if not findings:
        print(f"{as_of}: " + say(lang, "nothing missing"))
        return
    print(render_table(
        [say(lang, "Area"), say(lang, "Phase"), say(lang, "Cycle"), say(lang, "Holds the phase"),
         say(lang, "Recipient"), ""],
        [[f.area_id, phase_title(defs, f.phase_id, lang), f.cycle, "✗" if f.blocks_gate else "", f.tell,
          f.text(lang)] for f in findings]))
