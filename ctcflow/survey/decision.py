"""The områdesteam's decision on its priority factors: 2–5 of survey.yml's factors, always
recorded (who, when, why) beside the suggestion; the decision milestone is marked with it."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from ctcflow.access.permissions import Action, require
from ctcflow.core.errors import CtcError, Invalid
from ctcflow.definition.loader import Definitions
from ctcflow.definition.survey import SurveyDef
from ctcflow.engine.eventlog import NewEvent, record
from ctcflow.engine.instances import known_area
from ctcflow.engine.marking import mark_done
from db.models import PriorityDecision, SurveyWave


def decide(session: Session, defs: Definitions, survey: SurveyDef, area_id: str, wave_id: str, factors: list[str],
           *, by: str, as_of: date, note: str | None) -> tuple[PriorityDecision, str | None]:
    """The områdesteam's 2–5 priority factors, always recorded; the decision milestone is marked
    done with it when it can be. Returns the decision and, when the milestone was not marked,
    why not."""
    known_area(session, defs, area_id)  # before anything is written: a decision belongs to an area
    known = {f.id for f in survey.factors}
    unknown = [f for f in factors if f not in known]
    if unknown:
        raise Invalid("factors", "unknown_factor",
                      f"unknown factors: {', '.join(unknown)}; `ctc survey profile {area_id} --wave {wave_id}` "
                       "lists the factors and the suggestion")
    if not 2 <= len(set(factors)) <= 5 or len(set(factors)) != len(factors):
        raise Invalid("factors", "two_to_five",
                      f"choose 2–5 different priority factors (CTC's rule); got {len(factors)}")
    wave = session.get(SurveyWave, wave_id)
    if wave is None:
        raise CtcError(f"no survey wave '{wave_id}'; import it with `ctc survey import {wave_id} FILE`")
    if as_of < wave.as_of:
        raise Invalid("decided_on", "before_wave", f"a decision on {as_of} cannot rest on wave {wave_id}, "
                      f"imported {wave.as_of}")
    person = require(defs, by, Action.RECORD_AREA_WORK, as_of, area_id).person
    decision = PriorityDecision(wave_id=wave_id, area_id=area_id, factors=",".join(factors), decided_on=as_of,
                                decided_by=person.id, note=note)
    session.add(decision)
    record(session, [NewEvent("priorities_decided", person.id, as_of, area_id, wave_id, None,
                              ", ".join(factors), note)])
    milestone = survey.milestones.decision
    if not milestone:
        return decision, "survey.yml names no decision milestone"
    try:
        with session.begin_nested():  # a milestone that cannot be marked leaves the decision standing
            mark_done(session, defs, area_id, milestone, by=person.id, as_of=as_of,
                      evidence=f"beslut {as_of}: {', '.join(factors)} (CTC-enkät {wave_id})", note=note)
    except CtcError as exc:
        return decision, str(exc)
    return decision, None
