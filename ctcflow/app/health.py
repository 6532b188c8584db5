"""How the software's own duty stands for a tenant — what `ctc health` prints and an operator's
monitor asks: the last morning that ran to its end, the working days since without one, what
waits in the outbox or keeps failing there, and the workers online to run the next one."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.delivery.state import failing_sql
from ctcflow.engine.mornings import last_morning, overdue_mornings
from db.engine import require_current_schema, session_scope
from db.models import Morning, Notification
from db.statuses import NoticeStatus


@dataclass
class Health:
    as_of: date
    last: Morning | None
    missed: list[date] = field(default_factory=list)  # working days before today with no morning
    pending: int = 0  # to be sent (not failing)
    oldest_pending: datetime | None = None
    failing: int = 0  # failed and waiting: to be retried, or for someone to fix an address
    refused: int = 0  # of those, refused for good until someone acts
    pool: str | None = None  # the work pool the mornings run in (None: no Prefect server set)
    workers: int | None = None  # online in it
    server_problem: str | None = None  # the Prefect server did not answer

    @property
    def healthy(self) -> bool:
        """Every working day before today had its morning, nothing was refused for good, and —
        where a Prefect server runs the mornings — it answers and a worker is there to run them."""
        return not self.missed and not self.refused and not self.server_problem and self.workers != 0


def health(as_of: date, pool: str | None = None) -> Health:
    require_current_schema()
    n = Notification
    with session_scope() as session:
        last = last_morning(session, as_of)
        if last is not None:
            session.expunge(last)
        missed = overdue_mornings(session, as_of)
        pending, oldest = session.execute(select(func.count(), func.min(col(n.created_at))).where(
            col(n.status) == NoticeStatus.PENDING, col(n.failure).is_(None))).one()
        failing = session.execute(select(func.count()).where(failing_sql())).scalar_one()
        refused = session.execute(select(func.count()).where(col(n.status) == NoticeStatus.FAILED)).scalar_one()
    found = Health(as_of, last, missed, int(pending), oldest, int(failing), int(refused))
    if os.environ.get("PREFECT_API_URL"):
        found.pool, found.workers, found.server_problem = pool_state(pool)
    return found


def pool_state(pool: str | None = None) -> tuple[str, int | None, str | None]:
    """The pool, how many of its workers the Prefect server counts as online, or what went wrong."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    from ctcflow.app.deploy import default_pool, workers_online

    pool = pool or default_pool()
    try:
        with get_client(sync_client=True) as client:
            online = workers_online(client, pool)
    except ObjectNotFound:
        return pool, None, f"the Prefect server has no work pool {pool} (run ctc deploy)"
    except Exception as exc:  # unreachable, refusing: the monitor must hear it, in one line
        return pool, None, f"the Prefect server at {os.environ.get('PREFECT_API_URL')} did not answer ({exc})"
    return pool, online, None
