"""Server-side sessions of the web pages, and the one-time use of the links that open them.

The browser holds a random value; the database holds its SHA-256, the person, how the session
was opened and what it is scoped to. Every request looks the row up, so ending it — signing out,
the samordnare's "sign out everywhere", the person leaving — takes effect at the next request,
whatever a copied cookie says. Expired rows (sessions, link uses) are pruned as new ones come."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from ctcflow.access.permissions import Scope
from ctcflow.core.config import Settings
from db.engine import session_scope
from db.models import WebSession, WebTokenUse

SESSION_HOURS = 8
LINK_SESSION_HOURS = 2  # a session opened from a mail's link: long enough to do what it is about


@dataclass(frozen=True)
class Opened:
    """A live session: whose, what it covers, and the id its forms are bound to."""

    id_hash: str
    person_id: str
    scope: Scope | None


def now_utc() -> datetime:
    return datetime.now(UTC)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def open_session(settings: Settings, person_id: str, via: str, scope: Scope | None = None) -> str:
    """A new session; returns the value for the cookie (never stored)."""
    value = secrets.token_urlsafe(32)
    now = now_utc()
    hours = SESSION_HOURS if scope is None else LINK_SESSION_HOURS
    with session_scope(settings) as session:
        session.execute(delete(WebSession).where(col(WebSession.expires_at) < now - timedelta(days=1)))
        session.add(WebSession(id_hash=_hash(value), person_id=person_id, via=via,
                               scope_area=scope.area_id if scope else None,
                               scope_milestone=scope.milestone if scope else None,
                               created_at=now, expires_at=now + timedelta(hours=hours)))
    return value


def session_of(settings: Settings, cookie: str | None) -> Opened | None:
    """The live session a cookie names, or None (unknown, ended or expired)."""
    if not cookie or len(cookie) > 100:
        return None
    with session_scope(settings) as session:
        row = session.get(WebSession, _hash(cookie))
    if row is None or row.ended_at is not None or row.expires_at <= now_utc():
        return None
    scope = Scope(row.scope_area, row.scope_milestone) if row.scope_area else None
    return Opened(row.id_hash, row.person_id, scope)


def end_session(settings: Settings, id_hash: str, why: str = "signed_out") -> None:
    with session_scope(settings) as session:
        session.execute(update(WebSession).where(col(WebSession.id_hash) == id_hash,
                                                 col(WebSession.ended_at).is_(None))
                        .values(ended_at=now_utc(), ended_why=why))


def end_sessions_of(settings: Settings, person_id: str, why: str = "everywhere") -> int:
    """Every live session of the person ends now; returns how many there were."""
    now = now_utc()
    with session_scope(settings) as session:
        result = session.execute(update(WebSession).where(
            col(WebSession.person_id) == person_id, col(WebSession.ended_at).is_(None),
            col(WebSession.expires_at) > now).values(ended_at=now, ended_why=why))
    return int(getattr(result, "rowcount", 0) or 0)


def live_sessions(settings: Settings, person_ids: list[str]) -> dict[str, int]:
    """How many live sessions each person has (for the people page's "sign out everywhere")."""
    now = now_utc()
    with session_scope(settings) as session:
        rows = session.execute(select(col(WebSession.person_id), func.count()).where(
            col(WebSession.person_id).in_(person_ids), col(WebSession.ended_at).is_(None),
            col(WebSession.expires_at) > now).group_by(col(WebSession.person_id))).all()
    return {person: int(count) for person, count in rows}


def use_once(settings: Settings, jti: str, person_id: str, expires: int) -> bool:
    """Record a link's use; False when it was used before (the primary key decides, even when
    two clicks race). Link uses past their link's expiry are pruned — they can no longer verify."""
    now = now_utc()
    try:
        with session_scope(settings) as session:
            session.execute(delete(WebTokenUse).where(col(WebTokenUse.expires_at) < now))
            session.add(WebTokenUse(jti=jti, person_id=person_id, used_at=now,
                                    expires_at=datetime.fromtimestamp(expires, UTC)))
    except IntegrityError:
        return False
    return True


def was_used(settings: Settings, jti: str) -> bool:
    with session_scope(settings) as session:
        return session.get(WebTokenUse, jti) is not None
