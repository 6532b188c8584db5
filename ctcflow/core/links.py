"""The links put in messages: a reminder's link opens its milestone for the person it was sent
to, a sign-in link opens a session once, a feed link lets a calendar app subscribe. All expire.

A message waiting in the outbox holds a *marker* where its link goes, not the link: the signed
link is made when the message is sent (``resolve``), so the database never holds a working link,
and a link's time starts when it leaves, not when the message was composed."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.tokens import secret_key, sign

LOGIN_MINUTES = 30


MARKER = re.compile(r"\[\[link:(login|milestone|open):([\w.\-]+):([\w\-]*):(\d*)\]\]")


class Links:
    """One per sweep or request: the key is read once, not once per message. ``deferred``: the
    links are markers for the outbox, signed when the message is sent."""

    def __init__(self, settings: Settings | None = None, *, deferred: bool = False) -> None:
        self.settings = settings or get_settings()
        self.base = self.settings.web_base_url.rstrip("/")
        self.deferred = deferred

    def resolve(self, text: str, now: float | None = None) -> str:
        """Every marker in a message replaced by its signed link, valid from ``now``."""
        def link(found: re.Match[str]) -> str:
            purpose, person, area, instance = found.groups()
            if purpose == "milestone":
                return self._token("milestone", person, self.settings.web_link_days * 86400, now, a=area,
                                   m=int(instance))
            if purpose == "open":
                return self._token("open", person, self.settings.web_link_days * 86400, now, a=area or None)
            return self._token("login", person, int(instance or LOGIN_MINUTES) * 60, now)

        return MARKER.sub(link, text)

    def _token(self, purpose: str, person_id: str, seconds: int, now: float | None, **data: Any) -> str:
        return sign(self.key, purpose, person_id, seconds=seconds, now=now, **data)

    @cached_property
    def key(self) -> bytes:
        return secret_key(self.settings)

    def milestone(self, person_id: str, area_id: str, milestone_instance_id: int, now: float | None = None) -> str:
        marker = f"[[link:milestone:{person_id}:{area_id}:{milestone_instance_id}]]"
        return f"{self.base}/l/{marker if self.deferred else self.resolve(marker, now)}"

    def page(self, person_id: str, area_id: str | None = None, now: float | None = None) -> str:
        """Opens the area's page (or, without an area, the person's start page) for the person
        it was sent to: the link in phase notices, findings, briefs and report notices."""
        marker = f"[[link:open:{person_id}:{area_id or ''}:]]"
        return f"{self.base}/l/{marker if self.deferred else self.resolve(marker, now)}"

    def login(self, person_id: str, now: float | None = None, minutes: int = LOGIN_MINUTES) -> str:
        marker = f"[[link:login:{person_id}::{minutes}]]"
        return f"{self.base}/l/{marker if self.deferred else self.resolve(marker, now)}"

    def feed(self, person_id: str, area_id: str, jti: str, expires: int) -> str:
        """A calendar subscription's address: the same for as long as the subscription lives."""
        return f"{self.base}/kalender/{sign(self.key, 'feed', person_id, jti=jti, expires=expires, a=area_id)}.ics"


def links() -> Links:
    return Links(get_settings())
