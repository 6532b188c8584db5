"""How the software's own duty stands for a tenant — what `ctc health` prints and an operator's
monitor asks: the last morning that ran to its end, the working days since without one, and
what waits in the outbox or keeps failing there."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.delivery.state import failing_sql
from ctcflow.engine.mornings import last_morning, overdue_mornings
from db.engine import require_current_schema, session_scope
from db.models import Morning, Notification


@dataclass
class Health:
    as_of: date
    last: Morning | None
    missed: list[date] = field(default_factory=list)  # working days before today with no morning
    pending: int = 0  # to be sent (not failing)
    oldest_pending: datetime | None = None
    failing: int = 0  # failed and waiting: to be retried, or for someone to fix an address
    refused: int = 0  # of those, refused for good until someone acts

    @property
    def healthy(self) -> bool:
        """Every working day before today had its morning, and nothing was refused for good."""
        return not self.missed and not self.refused


def health(as_of: date) -> Health:
    require_current_schema()
    n = Notification
    with session_scope() as session:
        last = last_morning(session, as_of)
        if last is not None:
            session.expunge(last)
        missed = overdue_mornings(session, as_of)
        pending, oldest = session.execute(select(func.count(), func.min(col(n.created_at))).where(
            col(n.status) == "pending", col(n.failure).is_(None))).one()
        failing = session.execute(select(func.count()).where(failing_sql())).scalar_one()
        refused = session.execute(select(func.count()).where(col(n.status) == "failed")).scalar_one()
    return Health(as_of, last, missed, int(pending), oldest, int(failing), int(refused))
