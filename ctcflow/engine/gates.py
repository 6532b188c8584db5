"""The phase gate, as a plain function of what is recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ctcflow.definition.process import PhaseDef


@dataclass(frozen=True)
class GateStatus:
    phase_id: str
    missing: tuple[str, ...]  # required milestones not yet done
    approver_role: str
    blockers: tuple[str, ...] = ()  # what the phase's own checks still find lacking in the data

    @property
    def met(self) -> bool:
        return not self.missing and not self.blockers


def gate_status(phase: PhaseDef, done_milestones: Iterable[str], blockers: Iterable[str] = ()) -> GateStatus:
    """A phase may be approved when every milestone marked ``required`` is done and its blocking
    checks (a recorded decision, programmes for every factor) find nothing lacking."""
    done = set(done_milestones)
    missing = tuple(m.id for m in phase.milestones if m.required and m.id not in done)
    return GateStatus(phase.id, missing, phase.gate.approver, tuple(blockers))
