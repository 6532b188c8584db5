"""What a phase's own check finds lacking: the area and phase, whom to tell, whether it holds
the gate, and the details its words (``finding_words``) are filled from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ctcflow.definition.survey import load_survey
from ctcflow.engine.finding_words import finding_text
from db.models import (
    PhaseInstance,
)

FACTOR_LISTS = ("suggested", "uncovered")  # details that list survey.yml factors by id


@dataclass(frozen=True)
class Finding:
    area_id: str
    phase_id: str
    cycle: int
    phase_instance_id: int
    check: str
    tell: str  # the role told
    blocks_gate: bool
    details: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "sv") -> str:
        """One line a person can act on."""
        details = dict(self.details)
        if any(key in details for key in FACTOR_LISTS):  # factors by their names, never their ids
            survey = load_survey()
            for key in FACTOR_LISTS:
                if key in details:
                    details[key] = [survey.measure_title(f, lang) for f in details[key]]
        return finding_text(self.check, details, lang)


def finding(instance: PhaseInstance, check: str, tell: str, blocks: bool, **details: Any) -> Finding:
    assert instance.id is not None
    return Finding(instance.area_id, instance.phase_id, instance.cycle, instance.id, check, tell, blocks, details)
