"""People and roles: the roster every part reads (areas.yml with the changes made on the web
applied over it), and the changes themselves — a person joins an area or the central staff in a
role, leaves, or takes over a role from its holder — each dated, checked by the one permission
rule, kept in the event log and effective at once (no restart: the pages and the next sweep
read the roster again when it has changed)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, inspect, select, update
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, require
from ctcflow.access.roster import MAIL, Change, apply_changes, new_person_id
from ctcflow.core.config import Settings
from ctcflow.core.errors import Invalid
from ctcflow.definition.loader import Definitions, load_definitions
from ctcflow.definition.organisation import NAME_MAX
from ctcflow.delivery.state import failing_sql
from ctcflow.engine.eventlog import NewEvent, record
from db.engine import get_engine, session_scope
from db.models import Notification, StaffChange
from db.statuses import NoticeStatus, StaffChangeKind

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _staff_changes(settings: Settings | None, query: Select[Any]) -> list[Any]:
    """The query's rows; none from a database not set up yet (nothing has changed there)."""
    if not inspect(get_engine(settings)).has_table(StaffChange.__tablename__):
        return []
    with session_scope(settings) as session:
        return list(session.execute(query).scalars())


def roster_version(settings: Settings | None = None) -> int:
    """The newest change's number (0: none): what a cached roster is checked against."""
    newest = _staff_changes(settings, select(func.max(col(StaffChange.id))))
    return int(newest[0] or 0) if newest else 0


def current_definitions(settings: Settings | None = None) -> Definitions:
    """phases.yml and areas.yml, with the people changed on the web."""
    defs = load_definitions(settings)
    rows = _staff_changes(settings, select(StaffChange).order_by(col(StaffChange.id)))
    if not rows:
        return defs
    changes = [Change(r.kind, r.person_id, r.on_date, r.name, r.role, r.area_id, r.email, r.sector, r.lang)
               for r in rows]
    return Definitions(defs.process, apply_changes(defs.org, changes), defs.rules)


def add_person(defs: Definitions, settings: Settings, *, name: str, email: str, role: str, area_id: str | None,
               sector: str | None, lang: str, start: date, by: str, as_of: date,
               replaces: str | None = None) -> str:
    """A person joins in ``role`` from ``start`` — taking it over from ``replaces`` (whose last
    day is the day before) when given. Returns the new person's id."""
    actor = require(defs, by, Action.MANAGE_PEOPLE, as_of)
    if not name.strip():
        raise Invalid("name", "empty_name", "write the person's name")
    if len(name.strip()) > NAME_MAX:
        raise Invalid("name", "too_long_name", f"a name of {len(name.strip())} characters: at most {NAME_MAX}")
    if start.year > as_of.year + 1:  # a typing error (9999-12-31), not a plan
        raise Invalid("start", "too_far_ahead", f"{start} is more than a year ahead")
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise Invalid("email", "bad_email", f"'{email}' is not an e-mail address")
    active = [p for p in defs.org.everyone() if p.active_on(start) or p.active_on(as_of)]
    if any((p.email or "").lower() == email for p in active if p.id != replaces):
        raise Invalid("email", "email_taken", f"{email} already belongs to someone active")
    found = next((r for r in defs.process.roles if r.id == role), None)
    if found is None or (found.scope == "area") != (area_id is not None):
        raise Invalid("role", "wrong_role", f"'{role}' is not a role of {'an area' if area_id else 'the centre'}")
    if area_id is not None:
        defs.org.known_area(area_id)
    if sector and sector not in {s.id for s in defs.process.sectors}:
        raise Invalid("sector", "unknown_sector", f"unknown sector '{sector}'")
    if start < as_of - timedelta(days=31):
        raise Invalid("start", "too_early", "a change is dated at most a month back")
    person_id = new_person_id(name, {p.id for p in defs.org.everyone()})
    with session_scope(settings) as session:
        if replaces:
            _leave(session, defs, replaces, start - timedelta(days=1), by=actor.id, as_of=as_of)
        session.add(StaffChange(kind=StaffChangeKind.JOIN, person_id=person_id, on_date=start, name=name.strip(),
                                role=role, area_id=area_id, email=email, sector=sector or None, lang=lang,
                                recorded_on=as_of, recorded_by=actor.id))
        record(session, [NewEvent("person_joined", actor.id, as_of, area_id, person_id, role, start.isoformat())])
    return person_id


def correct_address(defs: Definitions, settings: Settings, person_id: str, email: str, *, by: str,
                    as_of: date) -> list[int]:
    """The person's e-mail address corrected from today (dated, in the history): what is still
    to be delivered to them goes to the new address, and what failed at the old one is due again
    at once. Returns those messages, for the caller to try now."""
    actor = require(defs, by, Action.MANAGE_PEOPLE, as_of)
    found = defs.org.person(person_id)
    if found is None:
        raise Invalid("email", "unknown_person", f"no person '{person_id}'")
    person, area = found
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise Invalid("email", "bad_email", f"'{email}' is not an e-mail address")
    if any((p.email or "").lower() == email for p in defs.org.everyone() if p.active_on(as_of) and p.id != person_id):
        raise Invalid("email", "email_taken", f"{email} already belongs to someone active")
    waiting = and_(col(Notification.recipient) == person_id, col(Notification.sent_at).is_(None),
                   col(Notification.status).in_((NoticeStatus.PENDING, NoticeStatus.FAILED, NoticeStatus.HELD)))
    with session_scope(settings) as session:
        session.add(StaffChange(kind=StaffChangeKind.ADDRESS, person_id=person_id, on_date=as_of, email=email,
                                recorded_on=as_of, recorded_by=actor.id))
        record(session, [NewEvent("person_address", actor.id, as_of, area.id if area else None, person_id,
                                  None, email)])
        failed = list(session.execute(select(col(Notification.id)).where(waiting, failing_sql())).scalars())
        session.execute(update(Notification).where(waiting).values(reference=f"{MAIL}{email}"))
    return failed


def end_person(defs: Definitions, settings: Settings, person_id: str, last_day: date, *, by: str,
               as_of: date) -> None:
    actor = require(defs, by, Action.MANAGE_PEOPLE, as_of)
    with session_scope(settings) as session:
        _leave(session, defs, person_id, last_day, by=actor.id, as_of=as_of)


def _leave(session: Session, defs: Definitions, person_id: str, last_day: date, *, by: str, as_of: date) -> None:
    found = defs.org.person(person_id)
    if found is None:
        raise Invalid("person", "unknown_person", f"no person '{person_id}'")
    person, area = found
    if person.valid_until is not None and person.valid_until <= last_day:
        raise Invalid("last_day", "already_left", f"{person.name} has already left ({person.valid_until})")
    if last_day < as_of - timedelta(days=31) or (person.valid_from and last_day < person.valid_from):
        raise Invalid("last_day", "too_early", "the last day is before the person started or over a month back")
    session.add(StaffChange(kind=StaffChangeKind.LEAVE, person_id=person_id, on_date=last_day, recorded_on=as_of,
                            recorded_by=by))
    record(session, [NewEvent("person_left", by, as_of, area.id if area else None, person_id, person.role,
                              last_day.isoformat())])
