"""The notices about one open milestone: its owner's reminder, due-day notice or overdue repeat,
an escalation to one rung of its ladder, or — when its owner role is vacant — one notice to the
coordinators saying so; and, for work that waits on other open work, one notice saying what it
waits for instead of reminders that cannot be acted on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.notices.acks import Ack
from ctcflow.notices.composer import Composer
from ctcflow.notices.open_work import OpenMilestone
from ctcflow.notices.outbox import Notice
from ctcflow.notices.policy import Occasion


def lapsed_context(composer: Composer, ack: Ack | None, lang: str) -> dict[str, Any] | None:
    """An acknowledgement whose day passed with the thing still open: the climb resumes and says so."""
    if ack is None or not ack.lapsed(composer.as_of):
        return None
    return {"by": composer.defs.name("person", ack.by, lang), "until": ack.until, "plan": ack.plan}


def milestone_notices(composer: Composer, row: OpenMilestone, occasion: Occasion,
                      lapsed: Ack | None = None) -> Iterator[Notice]:
    phase, ms = composer.milestones[row.milestone_id]
    if occasion.kind == "escalation":
        found = composer.directory.on_ladder((occasion.role, *occasion.above), row.area_id)
    else:
        found = composer.directory.recipients(occasion.role, row.area_id)
    recipients, role = found.people, found.role
    kind = "unassigned" if found.vacant else occasion.kind
    # a vacant owner is told once per due date, not at every reminder and repeat
    stage = f"unassigned-{role}" if kind == "unassigned" else occasion.stage_key
    vacancy = composer.vacancy(row.area_id, role) if found.vacant else None
    for person in recipients:
        def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
            return {
                "kind": kind, "person": person.name, "person_id": person.id,
                "area": composer.directory.area_name(row.area_id), "area_id": row.area_id,
                "milestone": ms.title.get(lang), "milestone_id": ms.id, "done_when": ms.done_when.get(lang),
                "phase": phase.title.get(lang), "cycle": row.cycle, "due": row.due_date,
                "days": abs(occasion.days_overdue), "evidence_required": ms.evidence_required,
                "role": composer.role_title(role, lang), "owner_role": composer.role_title(ms.owner, lang),
                "owners": [p.name for p in composer.directory.holders(ms.owner, row.area_id)],
                "vacant_since": vacancy.since if vacancy else None,
                "last_holder": composer.defs.name("person", vacancy.last_holder, lang)
                if vacancy and vacancy.last_holder else None,
                "lapsed": lapsed_context(composer, lapsed, lang),
                "as_of": composer.as_of, "municipality": composer.defs.org.municipality,
                "link": composer.links.milestone(person.id, row.area_id, row.instance_id),
            }

        yield Notice(
            key=keys.milestone(row.area_id, ms.id, row.instance_id, stage, row.due_date, person.id),
            kind=kind, as_of=composer.as_of, area_id=row.area_id, recipient=person.id,
            reference=person.notify, lang=person.lang,
            template="unassigned" if kind == "unassigned" else "milestone", context=context,
            milestone_instance_id=row.instance_id, phase_instance_id=row.phase_instance_id,
            topic=keys.topic_milestone(row.instance_id), due=row.due_date,
            role=composer.defs.process.coordinator if found.vacant else role)


def waiting_notices(composer: Composer, row: OpenMilestone, blockers: list[str]) -> Iterator[Notice]:
    """Once per due date, to the owner: this cannot be done before ``blockers`` are — who owes
    them, or that their role is vacant since when. No reminder or escalation of its own while it
    waits: the blocking work is reminded and escalated instead."""
    phase, ms = composer.milestones[row.milestone_id]
    found = composer.directory.recipients(ms.owner, row.area_id)
    if found.vacant:
        return  # nobody to tell that they wait: the vacancy is told and climbs by itself
    for person in found.people:
        def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
            waits_for = []
            for blocker in blockers:
                owner = composer.milestones[blocker][1].owner
                vacancy = composer.vacancy(row.area_id, owner)
                holders = [p.name for p in composer.directory.holders(owner, row.area_id)]
                waits_for.append({"milestone": composer.milestones[blocker][1].title.get(lang),
                                  "role": composer.role_title(owner, lang), "people": holders,
                                  "vacant_since": vacancy.since if vacancy else None})
            return {"kind": "waiting", "person": person.name, "area": composer.directory.area_name(row.area_id),
                    "milestone": ms.title.get(lang), "phase": phase.title.get(lang), "cycle": row.cycle,
                    "due": row.due_date, "done_when": ms.done_when.get(lang), "waits_for": waits_for,
                    "days": 0, "evidence_required": ms.evidence_required, "as_of": composer.as_of,
                    "municipality": composer.defs.org.municipality,
                    "link": composer.links.milestone(person.id, row.area_id, row.instance_id)}

        yield Notice(
            key=keys.milestone(row.area_id, ms.id, row.instance_id, "waiting", row.due_date, person.id),
            kind="waiting", as_of=composer.as_of, area_id=row.area_id, recipient=person.id,
            reference=person.notify, lang=person.lang, template="milestone", context=context,
            milestone_instance_id=row.instance_id, phase_instance_id=row.phase_instance_id,
            topic=keys.topic_milestone(row.instance_id), due=row.due_date, role=ms.owner)
