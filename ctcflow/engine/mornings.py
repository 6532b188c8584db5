"""The software's own duty, kept like the teams': each working day's morning records that it
ran; the next one after a gap records which working days had none, so the gap is said — on the
overview and by `ctc health` — instead of passing unseen (what was due then goes out with the
morning that finally runs)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from db.engine import insert_ignoring_duplicates, table_of
from db.models import Morning

ONE_DAY = timedelta(days=1)
GAP_SHOWN_FOR = 5  # working days the overview keeps saying that mornings were missed
GAP_CLIMBS = 3  # working days without a morning after which the chief hears of it too, not only the coordinator


def missed_between(last: date | None, day: date) -> list[date]:
    """The working days after ``last`` and before ``day`` (none when there was no morning yet)."""
    if last is None:
        return []
    missed, current = [], calendar.next_business_day(last + ONE_DAY)
    while current < day:
        missed.append(current)
        current = calendar.next_business_day(current + ONE_DAY)
    return missed


def record_morning(session: Session, day: date, now: datetime | None = None) -> Morning | None:
    """This working day's morning ran to its end: recorded once (a rerun adds nothing), with the
    working days since the previous one that had none. Returns the row (None on other days)."""
    if not calendar.is_business_day(day):
        return None
    missed = missed_between(last_morning_before(session, day), day)
    session.execute(insert_ignoring_duplicates(session, table_of(Morning)).values(
        day=day, completed_at=now or datetime.now(tz=UTC), missed_from=missed[0] if missed else None,
        missed_days=len(missed)))
    return session.get(Morning, day)


def last_morning_before(session: Session, day: date) -> date | None:
    """The day of the last morning before ``day`` that ran to its end (None: none yet)."""
    found = session.execute(select(func.max(col(Morning.day))).where(col(Morning.day) < day)).scalar()
    return found if isinstance(found, date) else None


def last_morning(session: Session, as_of: date) -> Morning | None:
    return session.execute(select(Morning).where(col(Morning.day) <= as_of)
                           .order_by(col(Morning.day).desc()).limit(1)).scalars().first()


def recent_gap(session: Session, as_of: date) -> Morning | None:
    """The latest morning that followed a gap, while it is recent enough to be said."""
    found: Morning | None = session.execute(
        select(Morning).where(col(Morning.day) <= as_of, col(Morning.missed_days) > 0)
        .order_by(col(Morning.day).desc()).limit(1)).scalars().first()
    if found is None or len(missed_between(found.day, as_of)) + 1 > GAP_SHOWN_FOR:
        return None
    return found


def overdue_mornings(session: Session, as_of: date) -> list[date]:
    """Working days before ``as_of`` without a morning since the last one: what `ctc health`
    calls late (today's may still be coming)."""
    last = last_morning(session, as_of)
    return missed_between(last.day, as_of) if last else []


def gap_roles(defs: Definitions, missed: int) -> list[str]:
    """Who hears that ``missed`` working days went by without a morning: the steps of the morning
    ladder reached by then — or, without one in phases.yml, the coordinator, and the chief from
    GAP_CLIMBS days."""
    if missed <= 0:
        return []
    ladder = defs.process.notification_policy.escalation.morning
    if ladder:
        return [step.to for step in ladder if step.after <= missed]
    chief = defs.process.role_of("chief")
    return [defs.process.coordinator, *([chief] if chief and missed >= GAP_CLIMBS else [])]
