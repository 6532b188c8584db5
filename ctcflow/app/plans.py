"""Use cases of the handlingsplan and of how its programmes run."""

from __future__ import annotations

from datetime import date

from ctcflow.app.context import ready
from ctcflow.core.config import get_settings
from ctcflow.core.templating import renderer
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.records.plan import add_goal, add_programme, plan_context, record_implementation
from db.engine import session_scope


def plan_goal(area_id: str, subject: str, target: str, *, by: str, as_of: date) -> None:
    defs = ready()
    with session_scope() as session:
        add_goal(session, defs, load_survey(), area_id, subject, target, by=by, as_of=as_of)


def plan_programme(area_id: str, factor_id: str, programme_id: str, *, by: str, as_of: date,
                   note: str | None) -> None:
    defs = ready()
    with session_scope() as session:
        add_programme(session, defs, load_programmes(), area_id, factor_id, programme_id, by=by, as_of=as_of,
                      note=note)


def plan_document(area_id: str, lang: str) -> str:
    defs = ready()
    with session_scope() as session:
        context = plan_context(session, defs, load_survey(), load_programmes(), area_id, lang)
    return renderer(get_settings().templates_dir).page("handlingsplan", lang, **context)


def implementation(area_id: str, programme_id: str, *, period_end: date, sessions_planned: int,
                   sessions_held: int, participants: int, adherence: float, by: str, as_of: date,
                   note: str | None) -> bool:
    """Records one period; returns whether its fidelity is below the programme's minimum."""
    defs = ready()
    with session_scope() as session:
        _, low = record_implementation(session, defs, load_programmes(), area_id, programme_id,
                                       period_end=period_end, sessions_planned=sessions_planned,
                                       sessions_held=sessions_held, participants=participants,
                                       adherence=adherence, by=by, as_of=as_of, note=note)
    return low
