"""`ctc escalations` and `ctc ack`: what is escalated and open — heaviest first, how high it has
climbed, whether the board knows, who has taken it on — and taking one on ("vi tar det")."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ctcflow.cli.options import AsOf, By, Lang, day, language, parse_day
from ctcflow.cli.terms import KINDS, term
from ctcflow.cli.texttable import render_table
from ctcflow.core.words import say

app = typer.Typer()


def print_escalations(as_of: date, lang: str, area: str | None = None) -> None:
    """The open escalations as a table (also the end of `ctc status`)."""
    from ctcflow.app.acks import open_things

    defs, things = open_things(as_of, [area] if area else None)
    print(say(lang, "Escalated and open ({n})", n=len(things)))
    if not things:
        print("  " + say(lang, "Nothing escalated is open."))
        return
    rows = []
    for e in things:
        ack = ""
        if e.ack is not None:
            holds = e.ack.holds(as_of)
            said = say(lang, "{by}, until {until}: {plan}") if holds else say(lang, "lapsed {until} ({by}: {plan})")
            ack = said.format(by=defs.name("person", e.ack.by, lang), until=e.ack.until, plan=e.ack.plan)
        rows.append([e.topic, term(KINDS, e.kind, lang), e.subject, e.first_on,
                     defs.name("role", e.highest, lang) if e.highest else "", e.board_on or "–", ack])
    print(render_table([say(lang, "Name (for ctc ack)"), say(lang, "Kind"), say(lang, "What"),
                        say(lang, "Escalated since"), say(lang, "Highest told"), say(lang, "Reached the board"),
                        say(lang, "Acknowledged")], rows))


@app.command("escalations")
def escalations(as_of: AsOf = None, lang: Lang = None,
                area: Annotated[str | None, typer.Option(help="one area's only")] = None) -> None:
    """What is escalated and still open, heaviest first, with who has taken it on."""
    print_escalations(day(as_of), language(lang), area)


@app.command("ack")
def ack(name: Annotated[str, typer.Argument(help="the escalated matter, as `ctc escalations` names it")],
        by: By,
        plan: Annotated[str, typer.Option("--plan", help="what will happen, in a sentence the board can read")],
        until: Annotated[str, typer.Option("--until", metavar="YYYY-MM-DD",
                                           help="the day it will be solved by; the climb waits until then")],
        as_of: AsOf = None, lang: Lang = None) -> None:
    """Take an escalated matter on ("vi tar det"): the climb waits until --until, and everyone it
    already reached hears who has it."""
    from ctcflow.app.acks import acknowledge

    lang = language(lang)
    done = acknowledge(name, by=by, plan=plan, until=parse_day(until), as_of=day(as_of))
    print(say(lang, "✓ Acknowledged: {what} – the escalation rests until {until}; {n} already told hear of it in "
                    "their next brief.").format(what=done.ack.subject, until=done.ack.until, n=len(done.told)))
