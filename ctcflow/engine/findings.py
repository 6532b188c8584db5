"""What a phase's own check finds lacking: the area and phase, whom to tell, whether it holds
the gate, and the details its words (templates/<lang>/findings.yml) are filled from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ctcflow.core.config import get_settings
from ctcflow.core.templating import phrase
from ctcflow.definition.survey import load_survey
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
        """One line a person can act on (the words are templates/<lang>/findings.yml)."""
        details = dict(self.details)
        if any(key in details for key in FACTOR_LISTS):  # factors by their names, never their ids
            survey = load_survey()
            for key in FACTOR_LISTS:
                if key in details:
                    details[key] = [survey.measure_title(f, lang) for f in details[key]]
        return phrase(get_settings().templates_dir, lang, "findings", self.check, "text", **details)


def finding(instance: PhaseInstance, check: str, tell: str, blocks: bool, **details: Any) -> Finding:
    assert instance.id is not None
    return Finding(instance.area_id, instance.phase_id, instance.cycle, instance.id, check, tell, blocks, details)
