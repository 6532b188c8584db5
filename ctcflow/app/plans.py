"""Use cases of prioritering and the handlingsplan: the team's decision, goals, programmes, how
the programmes run, and the plan as a document — for the command line (definitions loaded
here) and the pages (the app's definitions passed in, so a change of people counts at once)."""

from __future__ import annotations

from datetime import date

from ctcflow.app.context import ready
from ctcflow.app.effects import profile_page
from ctcflow.core.config import Settings, get_settings
from ctcflow.core.templating import renderer
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.engine.instances import Refused
from ctcflow.engine.surveydata import areas_with_wave
from ctcflow.records.plan import ProgrammePlan as ProgrammePlan  # the form a page fills
from ctcflow.records.plan import add_goal, add_programme, record_implementation
from ctcflow.records.plan_document import plan_context
from ctcflow.records.workspace import PlanWorkspace, plan_workspace
from ctcflow.survey.decision import decide
from db.engine import session_scope


def plan_goal(area_id: str, subject: str, target: str, *, by: str, as_of: date,
              defs: Definitions | None = None, settings: Settings | None = None) -> None:
    defs = defs or ready()
    with session_scope(settings) as session:
        add_goal(session, defs, load_survey(settings), area_id, subject, target, by=by, as_of=as_of)


def plan_programme(area_id: str, factor_id: str, programme_id: str, *, by: str, as_of: date, note: str | None,
                   plan: ProgrammePlan | None = None, defs: Definitions | None = None,
                   settings: Settings | None = None) -> None:
    defs = defs or ready()
    with session_scope(settings) as session:
        add_programme(session, defs, load_programmes(settings), area_id, factor_id, programme_id, by=by,
                      as_of=as_of, note=note, plan=plan)


def plan_document(area_id: str, lang: str, defs: Definitions | None = None, settings: Settings | None = None,
                  back: str | None = None) -> str:
    """The handlingsplan as the styrgrupp approves it; ``back``: the page it was opened from."""
    defs = defs or ready()
    with session_scope(settings) as session:
        context = plan_context(session, defs, load_survey(settings), load_programmes(settings), area_id, lang)
    return renderer((settings or get_settings()).templates_dir).page("action_plan", lang, back=back, **context)


def plan_pdf(area_id: str, lang: str, defs: Definitions | None = None, settings: Settings | None = None) -> bytes:
    """The handlingsplan printed: a tagged PDF with its language and title, as the report is."""
    from ctcflow.report.pdf import pdf_from_html

    return pdf_from_html(plan_document(area_id, lang, defs, settings), 1)


def implementation(area_id: str, programme_id: str, *, period_end: date, sessions_planned: int,
                   sessions_held: int, participants: int, adherence: float, by: str, as_of: date,
                   note: str | None, defs: Definitions | None = None, settings: Settings | None = None) -> bool:
    """Records one period; returns whether its fidelity is below the programme's minimum."""
    defs = defs or ready()
    with session_scope(settings) as session:
        _, low = record_implementation(session, defs, load_programmes(settings), area_id, programme_id,
                                       period_end=period_end, sessions_planned=sessions_planned,
                                       sessions_held=sessions_held, participants=participants,
                                       adherence=adherence, by=by, as_of=as_of, note=note)
    return low


def priorities(defs: Definitions, settings: Settings, area_id: str, wave_id: str, factors: list[str], *, by: str,
               as_of: date, note: str | None) -> str | None:
    """The team's decision from the page; returns why its milestone was not marked, if it was not."""
    with session_scope(settings) as session:
        _, why_not = decide(session, defs, load_survey(settings), area_id, wave_id, factors, by=by, as_of=as_of,
                            note=note)
    return why_not


def workspace(defs: Definitions, settings: Settings, area_id: str, as_of: date) -> PlanWorkspace:
    with session_scope(settings) as session:
        found = plan_workspace(session, load_survey(settings), load_programmes(settings), area_id, as_of,
                               defs.process.plan_phase)
        session.expunge_all()
    return found


def area_profile(defs: Definitions, settings: Settings, area_id: str, lang: str, as_of: date,
                 back: str | None = None) -> str:
    """The områdesprofil of the latest wave with answers from the area, as its own page."""
    with session_scope(settings) as session:
        wave_id = areas_with_wave(session, [area_id]).get(area_id)
        if wave_id is None:
            raise Refused("no_wave_yet", f"no survey wave has answers from {area_id} yet")
        return profile_page(session, defs, settings, area_id, wave_id, lang, as_of, back)
