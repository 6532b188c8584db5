"""The links put in messages: a reminder's link opens its milestone for the person it was sent
to, a sign-in link opens a session once, a feed link lets a calendar app subscribe. All expire."""

from __future__ import annotations

from functools import cached_property

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.tokens import secret_key, sign

LOGIN_MINUTES = 30
FEED_DAYS = 365


class Links:
    """One per sweep or request: the key is read once, not once per message."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.base = self.settings.web_base_url.rstrip("/")

    @cached_property
    def key(self) -> bytes:
        return secret_key(self.settings)

    def milestone(self, person_id: str, area_id: str, milestone_instance_id: int, now: float | None = None) -> str:
        token = sign(self.key, "milestone", person_id, seconds=self.settings.web_link_days * 86400, now=now,
                     a=area_id, m=milestone_instance_id)
        return f"{self.base}/l/{token}"

    def page(self, person_id: str, area_id: str | None = None, now: float | None = None) -> str:
        """Opens the area's page (or, without an area, the person's start page) for the person
        it was sent to: the link in phase notices, findings, briefs and report notices."""
        token = sign(self.key, "open", person_id, seconds=self.settings.web_link_days * 86400, now=now,
                     a=area_id)
        return f"{self.base}/l/{token}"

    def login(self, person_id: str, now: float | None = None, minutes: int = LOGIN_MINUTES) -> str:
        return f"{self.base}/l/{sign(self.key, 'login', person_id, seconds=minutes * 60, now=now)}"

    def feed(self, person_id: str, area_id: str) -> str:
        return f"{self.base}/kalender/{sign(self.key, 'feed', person_id, seconds=FEED_DAYS * 86400, a=area_id)}.ics"


def links() -> Links:
    return Links(get_settings())
