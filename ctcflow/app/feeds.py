"""A person's calendar subscription for an area. The link carries a row's id, signed: it keeps
working for a calendar app for a year, answers only while the person may see the area, and
stops the moment a new link is made (or the person leaves)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import col

from ctcflow.app.sessions import now_utc
from ctcflow.core.config import Settings
from db.engine import session_scope
from db.models import WebFeed

FEED_DAYS = 365


@dataclass(frozen=True)
class Feed:
    jti: str
    expires: int  # unix seconds


def _live(row: WebFeed) -> Feed:
    return Feed(row.jti, int(row.expires_at.timestamp()))


def current_feed(settings: Settings, person_id: str, area_id: str) -> Feed:
    """The person's live subscription for the area, made when there is none."""
    now = now_utc()
    with session_scope(settings) as session:
        row = session.execute(select(WebFeed).where(
            col(WebFeed.person_id) == person_id, col(WebFeed.area_id) == area_id,
            col(WebFeed.ended_at).is_(None), col(WebFeed.expires_at) > now)
            .order_by(col(WebFeed.created_at).desc())).scalars().first()
        if row is None:
            row = WebFeed(jti=secrets.token_urlsafe(12), person_id=person_id, area_id=area_id, created_at=now,
                          expires_at=(now + timedelta(days=FEED_DAYS)).replace(microsecond=0))
            session.add(row)
    return _live(row)


def renew_feed(settings: Settings, person_id: str, area_id: str) -> Feed:
    """A new link; the old one stops working at once."""
    with session_scope(settings) as session:
        session.execute(update(WebFeed).where(col(WebFeed.person_id) == person_id, col(WebFeed.area_id) == area_id,
                                              col(WebFeed.ended_at).is_(None)).values(ended_at=now_utc()))
    return current_feed(settings, person_id, area_id)


def feed_is_live(settings: Settings, jti: str, person_id: str, area_id: str) -> bool:
    with session_scope(settings) as session:
        row = session.get(WebFeed, jti)
    return (row is not None and row.ended_at is None and row.expires_at > now_utc()
            and row.person_id == person_id and row.area_id == area_id)
