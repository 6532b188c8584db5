"""Notices for what the phases' own checks find lacking: one per finding and person told, at
most once a week (low fidelity once per recorded period)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.definition.process import PhaseDef
from ctcflow.delivery import keys
from ctcflow.engine.finding_words import headline, how_to_fix
from ctcflow.engine.findings import Finding
from ctcflow.notices.composer import Composer
from ctcflow.notices.outbox import Notice


def finding_notices(findings: list[Finding], defs: Definitions, composer: Composer, as_of: date) -> list[Notice]:
    """A notice per finding and person who holds the role told, at most once a week each."""
    year, week, _ = as_of.isocalendar()
    notices = []
    for finding in findings:
        phase = defs.process.phase(finding.phase_id)
        people = composer.directory.recipients(finding.tell, finding.area_id).people
        subject = finding.details.get("programme", "")
        # low fidelity is told once per recorded period; what is missing, once a week until fixed
        occasion = finding.details["period_end"] if finding.check == "fidelity" else f"{year}-W{week:02d}"
        for person in people:
            def context(person: PersonDef = person, finding: Finding = finding,
                        phase: PhaseDef = phase) -> dict[str, Any]:
                lang, check = person.lang, finding.check
                return {"person": person.name, "area": composer.directory.area_name(finding.area_id),
                        "phase": phase.title.get(person.lang), "cycle": finding.cycle,
                        "headline": headline(check, lang),
                        "finding": finding.text(person.lang), "blocks_gate": finding.blocks_gate,
                        "how": how_to_fix(check, lang),
                        "municipality": defs.org.municipality,
                        "link": composer.links.page(person.id, finding.area_id)}

            notices.append(Notice(
                key=keys.finding(finding.area_id, finding.phase_id, finding.phase_instance_id, finding.check,
                                 subject, occasion, person.id),
                kind="phase_check", as_of=as_of, area_id=finding.area_id, recipient=person.id,
                reference=person.notify, lang=person.lang, template="phase_check", context=context,
                phase_instance_id=finding.phase_instance_id,
                topic=keys.topic_phase(finding.phase_instance_id) + f"/{finding.check}"
                + (f"/{subject}" if subject else ""), role=finding.tell))
    return notices
