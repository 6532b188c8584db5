"""What every page shares, built once when the app starts: settings, the definitions, the
signing key, the templates, and the display names per language."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

from ctcflow.access.identity import address_book
from ctcflow.app.people import current_definitions, roster_version
from ctcflow.app.sso import Provider
from ctcflow.core import calendar
from ctcflow.core.config import Settings
from ctcflow.core.errors import DefinitionError
from ctcflow.core.links import Links
from ctcflow.core.templating import environment
from ctcflow.core.words import Words, translated, words
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.definition.programmes import CatalogueDef, load_programmes
from ctcflow.definition.survey import SurveyDef, load_survey
from ctcflow.report.names import titles
from ctcflow.report.terms import SECTIONS
from ctcflow.web.background import Background
from ctcflow.web.terms import web_terms
from ctcflow.web.throttle import Throttle

log = logging.getLogger(__name__)
ROSTER_CHECK_SECONDS = 1.0
SIGNIN_PER_CLIENT = 20  # per ten minutes
SIGNIN_PER_PERSON = 6  # per hour


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


CATALOGUES = (load_survey, load_programmes)


class Web:
    def __init__(self, settings: Settings, as_of: date | None) -> None:
        self.settings, self.fixed_day = settings, as_of
        self.links = Links(settings)
        self.env = environment(settings.templates_dir, html=True)
        self._names: dict[str, dict[str, dict[str, str]]] = {}
        self._roster: tuple[tuple[int, ...], Definitions, dict[str, PersonDef]] | None = None
        self._checked = float("-inf")
        self._roster_problem: str | None = None  # areas.yml / phases.yml: the last valid ones in use
        # survey.yml and programmes.yml as last read without a mistake, and the mistake since
        self._valid: dict[str, Any] = {}
        self._mistakes: dict[str, str] = {}
        for load in CATALOGUES:  # the valid ones at start, kept through a later mistake
            with contextlib.suppress(DefinitionError):
                self._last_valid(load)
        self.background = Background()
        self.sso = Provider(settings) if settings.oidc_issuer else None
        # sign-in links asked for: by one client, and for one person (who gets at most one mail
        # per two minutes anyway — this caps what a stranger can make them receive in an hour)
        self.signin_per_client = Throttle(SIGNIN_PER_CLIENT, 600)
        self.signin_per_person = Throttle(SIGNIN_PER_PERSON, 3600)

    @property
    def defs(self) -> Definitions:
        """The definitions with the roster as it is now: read again when people changed on the
        web or areas.yml / phases.yml were edited — asked at most once a second (a change made
        here is seen at once, one made elsewhere within the second). A file edited into an
        invalid state leaves the last valid definitions in force, and says so in the log and to the
        coordinator on every page (``definitions_problem``, survey.yml and programmes.yml too)."""
        now = time.monotonic()
        if self._roster is None or now - self._checked >= ROSTER_CHECK_SECONDS:
            self._checked = now
            version = (roster_version(self.settings), *(_stamp(p) for p in (self.settings.areas_path,
                                                                             self.settings.phases_path)))
            if self._roster is None or self._roster[0] != version:
                try:
                    defs = current_definitions(self.settings)
                except DefinitionError as exc:
                    if self._roster is None:
                        raise
                    log.warning("definitions not reloaded, the files have problems: %s", exc)
                    self._roster_problem = str(exc)
                    self._roster = (version, self._roster[1], self._roster[2])
                else:
                    self._roster_problem = None
                    self._roster = (version, defs, address_book(defs))
                    self._names.clear()
            for load in CATALOGUES:  # each read again only when its file changed
                with contextlib.suppress(DefinitionError):
                    self._last_valid(load)
        return self._roster[1]

    @property
    def definitions_problem(self) -> str | None:
        """A definition file's mistake, shown to the coordinator on every page until corrected."""
        return self._roster_problem or next(iter(self._mistakes.values()), None)

    def _last_valid(self, load: Callable[[Settings], Any]) -> Any:
        """``load``'s file as it is, or as last read without a mistake while it has one (the
        mistake kept for ``definitions_problem``); raises when it never was valid."""
        name = load.__name__
        try:
            self._valid[name] = load(self.settings)
            self._mistakes.pop(name, None)
        except DefinitionError as exc:
            self._mistakes[name] = str(exc)
            if name not in self._valid:
                raise
        return self._valid[name]

    def survey(self) -> SurveyDef:
        """survey.yml — the last valid one while the file has a mistake (said on the pages)."""
        return cast(SurveyDef, self._last_valid(load_survey))

    def programmes(self) -> CatalogueDef:
        """programmes.yml — the last valid one while the file has a mistake."""
        return cast(CatalogueDef, self._last_valid(load_programmes))

    def people_changed(self) -> None:
        """After a change of people made through these pages: the next look reads the roster."""
        self._checked = float("-inf")

    @property
    def address_book(self) -> dict[str, PersonDef]:
        self.defs  # noqa: B018 — brings the roster up to date
        assert self._roster is not None
        return self._roster[2]

    @property
    def key(self) -> bytes:
        return self.links.key

    def today(self) -> date:
        return self.fixed_day or calendar.today()

    def names(self, lang: str) -> dict[str, dict[str, str]]:
        """The report's display names, and what the area page adds: done-when texts, owners.
        Built once per language — a big city has tens of thousands of them."""
        if lang not in self._names:
            milestones = [m for p in self.defs.process.phases for m in p.milestones]
            self._names[lang] = {
                **titles(self.defs, self.survey(), self.programmes(), lang),
                "done_when": {m.id: m.done_when.get(lang) for m in milestones},
                "owner": {m.id: m.owner for m in milestones},
                "evidence": {m.id: "1" if m.evidence_required else "" for m in milestones},
                "theme": translated(lang, SECTIONS)}
        return self._names[lang]

    def words(self, lang: str) -> Words:
        return words(lang)

    def terms(self, lang: str) -> dict[str, Any]:
        return web_terms(lang)
