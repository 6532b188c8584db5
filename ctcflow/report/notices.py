"""What the report calendar calls for on a working day, for the sweep: the owner's reminders,
due-day notice, overdue repeats and escalations (the policy's stages, its ``report`` ladder),
and — before the due date — the gaps, told to whoever owes each one and to the owner.

Keys name the occasion, stage and due date, so the outbox takes each notice once; a report
overdue stays open, repeated and escalated, until it is sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from ctcflow.core import calendar
from ctcflow.core.words import words
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import NoticeKind
from ctcflow.notices.composer import Composer
from ctcflow.notices.outbox import Notice
from ctcflow.notices.policy import Occasion, horizon, occasions
from ctcflow.report.content import gather
from ctcflow.report.model import Gap, Scope
from ctcflow.report.schedule import ReportOccasion, open_occasions
from ctcflow.report.terms import SECTIONS


def report_notices(session: Session, defs: Definitions, as_of: date, composer: Composer) -> list[Notice]:
    if not defs.process.reports or not calendar.is_business_day(as_of):
        return []
    policy = defs.process.notification_policy
    reach = max([horizon(policy), *(n for r in defs.process.reports for n in r.gap_checks_before)])
    today = calendar.business_ordinal(as_of)
    planned: list[Notice] = []
    for found in open_occasions(session, defs, as_of, calendar.add_business_days(as_of, reach)):
        days = today - calendar.business_ordinal(found.due)
        gaps = _Gaps(session, defs, found, as_of)
        for occasion in occasions(policy, days, found.report.owner, True, composer.levels,
                                  ladder=policy.escalation.report):
            planned += _owner_notices(composer, found, occasion, days, gaps)
        ahead = sorted(n for n in found.report.gap_checks_before if n >= -days) if days < 0 else []
        if ahead:
            planned += _gap_notices(composer, found, ahead[0], -days, gaps.get())
    return planned


class _Gaps:
    """The occasion's gaps, gathered once and only when a notice needs them."""

    def __init__(self, session: Session, defs: Definitions, found: ReportOccasion, as_of: date) -> None:
        self.session, self.defs, self.found, self.as_of = session, defs, found, as_of
        self._gaps: list[Gap] | None = None

    def get(self) -> list[Gap]:
        if self._gaps is None:
            report = self.found.report
            scope = Scope(self.found.period, self.as_of, None, self.found.due)
            self._gaps = gather(self.session, self.defs, scope, mandated=report.owed_by(),
                                area_input=report.area_input, gaps_only=True)[2]
        return self._gaps


def gap_lines(gaps: list[Gap], defs: Definitions, lang: str) -> list[str]:
    """'Bellevuegården/Lorensborg: Boendemedverkan (Utvecklingsledare: …)' — one line per gap."""
    t = words(lang)
    areas = defs.names(lang)["area"]
    lines = []
    for gap in gaps:
        owed = defs.name("role", gap.role, lang) + (f": {', '.join(gap.people)}" if gap.people else "")
        where = areas.get(gap.area_id, gap.area_id) if gap.area_id else t("The city (central)")
        section = t(SECTIONS[gap.section]) + (f" {gap.year}" if gap.year else "")
        lines.append(f"{where}: {section} ({owed})")
    return lines


def _owner_notices(composer: Composer, found: ReportOccasion, occasion: Occasion, days: int,
                   gaps: _Gaps) -> list[Notice]:
    report, directory = found.report, composer.directory
    kind = occasion.kind
    if kind == NoticeKind.ESCALATION:
        told = directory.on_ladder((occasion.role, *occasion.above), None)
    else:
        told = directory.recipients(occasion.role, None)
    unassigned, role = told.vacant, told.role
    notices = []
    for person in told.people:
        def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
            return {"kind": kind, "person": person.name, "unassigned": unassigned, "repeat": occasion.repeat,
                    "top": occasion.top,
                    "title": report.title.get(lang), "year": found.year,
                    "period": found.period, "due": found.due, "days": abs(days),
                    "role": composer.role_title(role, lang), "owner_role": composer.role_title(report.owner, lang),
                    "owners": [p.name for p in directory.holders(report.owner, None)],
                    "gaps": gap_lines(gaps.get(), composer.defs, lang),
                    "municipality": composer.defs.org.municipality, "link": composer.links.page(person.id)}

        notices.append(Notice(key=keys.report_occasion(found.key, occasion.stage_key, found.due, person.id),
                              kind=f"report_{kind}", as_of=composer.as_of, area_id=None,
                              recipient=person.id, reference=person.notify, lang=person.lang,
                              template="report_due", context=context, topic=keys.topic_report(found.key),
                              due=found.due, role=role))
    return notices


def _gap_notices(composer: Composer, found: ReportOccasion, stage: int, days_left: int,
                 gaps: list[Gap]) -> list[Notice]:
    """Each person who owes something hears of their own gaps; the owner hears of all of them."""
    if not gaps:
        return []
    report, directory = found.report, composer.directory
    owners = {p.id for p in directory.holders(report.owner, None)}
    told: dict[str, tuple[PersonDef, list[Gap]]] = {}
    everyone = {p.id: p for p in composer.defs.org.everyone()}
    for gap in gaps:
        for person_id in gap.person_ids:
            if person_id not in owners and person_id in everyone:
                told.setdefault(person_id, (everyone[person_id], []))[1].append(gap)
    for person in directory.holders(report.owner, None):
        told[person.id] = (person, gaps)
    notices = []
    for person_id, (person, owed) in sorted(told.items()):
        def context(person: PersonDef = person, owed: list[Gap] = owed, lang: str = person.lang) -> dict[str, Any]:
            return {"person": person.name, "person_id": person.id, "year": found.year, "due": found.due,
                    "days": days_left, "owner": person.id in owners,
                    "gaps": gap_lines(owed, composer.defs, lang),
                    "municipality": composer.defs.org.municipality,
                    "link": composer.links.page(person.id, None if person.id in owners else owed[0].area_id)}

        notices.append(Notice(key=keys.report_occasion(found.key, f"gaps-{stage}", found.due, person_id),
                              kind=NoticeKind.REPORT_GAP,
                              as_of=composer.as_of, area_id=None, recipient=person_id, reference=person.notify,
                              lang=person.lang, template="report_gaps", context=context,
                              topic=keys.topic_report(found.key), due=found.due))
    return notices
