"""Setting up and keeping the database in step with the YAML files: init, sync, check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import inspect

from ctcflow.access.permissions import actor_on
from ctcflow.access.vacancies import vacancies
from ctcflow.app.evidence import adopt_folder
from ctcflow.core import calendar
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError, DefinitionError, Problem
from ctcflow.definition.loader import Definitions, load_definitions
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.delivery.channels import unset_references
from ctcflow.engine.eventlog import SYSTEM
from ctcflow.engine.opening import advance
from ctcflow.engine.steps import StepKind, SyncPlan
from ctcflow.engine.sync import apply_sync, plan_sync
from db.engine import get_engine, require_current_schema, session_scope, upgrade


def init_database(as_of: date) -> SyncPlan:
    defs = load_definitions()  # refuse bad definitions before touching the database
    upgrade()
    settings = get_settings()
    adopt_folder(settings, settings.tenant_data_dir / "evidence")  # where versions before 0012 kept uploads
    return sync_database(as_of, defs=defs)


def sync_database(as_of: date, dry_run: bool = False, defs: Definitions | None = None, by: str | None = None,
                  note: str | None = None) -> SyncPlan:
    """Apply phases.yml and areas.yml to the database. A moved start is a decision, not an edit:
    it needs ``by`` (who decided, an active person) and is recorded so the next report to the
    board states it."""
    defs = defs or load_definitions()
    require_current_schema()
    with session_scope() as session:
        plan = plan_sync(session, defs)
        moved = [s for s in plan.steps if s.kind == StepKind.AREA_START_CHANGED]
        if moved and not dry_run and by is None:
            what = "; ".join(f"{defs.org.area_name(s.area_id)} from {s.old} to {s.new}" for s in moved)
            raise CtcError(f"areas.yml moves the start of {what}. Moving a start is a decision the next report "
                           "to the board states: say who decided it and why, e.g. ctc sync --by PERSON --note "
                           "\"decided by the board on …\" (nothing was changed)")
        if not dry_run:
            if by is not None:
                actor_on(defs, by, as_of)
            apply_sync(session, defs, plan, as_of, actor=by or SYSTEM, note=note)
            plan.opened = [(pi.area_id, pi.phase_id, pi.cycle, pi.opened_on) for pi in advance(session, defs, as_of)]
    return plan


def check_database(defs: Definitions) -> SyncPlan | None:
    """The changes `ctc sync` would make, or None when there is no database yet."""
    if not inspect(get_engine()).has_table("alembic_version"):
        return None
    require_current_schema()
    with session_scope() as session:
        plan = plan_sync(session, defs)
        session.rollback()
    return plan


@dataclass
class CheckReport:
    """What `ctc check` found: a line per file and the channels, and what `ctc sync` would change
    (None: no database yet)."""

    lines: list[str] = field(default_factory=list)
    pending: SyncPlan | None = None


def check_everything() -> CheckReport:
    """Every definition file validated (each raises DefinitionError listing all its problems),
    the channel references, and the database against the definitions."""
    defs = load_definitions()
    report = CheckReport()
    milestones = sum(len(p.milestones) for p in defs.process.phases)
    reports = ", ".join(f"{r.id} due {r.due}" for r in defs.process.reports)
    report.lines.append(f"phases.yml: {len(defs.process.phases)} phases, {milestones} milestones"
                        + (f", reports: {reports}" if reports else "") + " — ok")
    report.lines.append(f"areas.yml: {len(defs.org.areas)} areas — ok")
    survey = load_survey()
    report.lines.append(f"survey.yml: {len(survey.items)} items, {len(survey.factors)} factors, "
                        f"{len(survey.outcomes)} outcomes — ok")
    catalogue = load_programmes()
    if catalogue.fidelity_milestone and defs.milestone(catalogue.fidelity_milestone) is None:
        raise DefinitionError([Problem(get_settings().programmes_path, catalogue.line("fidelity_milestone"),
                                       catalogue.fidelity_milestone, "names no milestone of phases.yml",
                                       "use a milestone id of phases.yml, e.g. programtrohet_foljd")])
    report.lines.append(f"programmes.yml: {len(catalogue.programmes)} programmes — ok")
    report.lines += channel_lines(defs)
    report.lines += vacancy_lines(defs, calendar.today())
    report.pending = check_database(defs)
    if report.pending is None:
        report.lines.append("database: not initialised (run `ctc init`)")
    elif report.pending.empty:
        report.lines.append("database: in step with the definitions — ok")
    else:
        report.lines.append(f"database: {len(report.pending.steps)} change(s) pending — run `ctc sync` to apply them:")
    return report


def vacancy_lines(defs: Definitions, as_of: date) -> list[str]:
    """Roles nobody holds today: told here, from the day it happens, before a deadline shows it."""
    vacant = vacancies(defs, as_of)
    if not vacant:
        return ["roles: every role is held today — ok"]
    lines = [f"roles: {len(vacant)} held by nobody today (the coordinators are told instead):"]
    lines += [f"  {v.role} in {v.area_id or 'the central organisation'} since {v.since}"
              + (f" (last held by {v.last_holder})" if v.last_holder else "") for v in vacant]
    return lines


def channel_lines(defs: Definitions) -> list[str]:
    references: dict[str, list[str]] = {}
    for person in defs.org.everyone():
        references.setdefault(person.notify, []).append(person.id)
    settings = get_settings()
    if settings.notify_block:
        return [f"channels: {len(references)} references — env: ones are read from the Prefect Secret block "
                f"'{settings.notify_block}' when sending"]
    missing = unset_references(references, settings)
    if not missing:
        return [f"channels: {len(references)} references — all env: ones are set"]
    lines = [f"channels: {len(missing)} of {len(references)} references are not set here; notices to them will "
             "wait in the outbox until they are:"]
    lines += [f"  {reference}  ({', '.join(people)})" for reference, people in list(missing.items())[:20]]
    if len(missing) > 20:
        lines.append(f"  … {len(missing) - 20} more")
    return lines
