"""The reminder policy as arithmetic: which notices a working day calls for."""

from __future__ import annotations

from ctcflow.definition.policy import EscalationStep, Ladders, NotificationPolicy
from ctcflow.notices.policy import climb, occasions

LADDER = [EscalationStep(after=5, to="utvecklingsledare"), EscalationStep(after=10, to="central_samordnare"),
          EscalationStep(after=20, to="avdelningschef"), EscalationStep(after=30, to="kommunstyrelsen")]
# the hierarchy's levels as phases.yml gives them: team < lead < steering < samordnare = analysts
# < chief < board
LEVELS = {"omradesteam": 0, "utvecklingsledare": 1, "styrgrupp": 2, "central_samordnare": 3, "analysfunktionen": 3,
          "avdelningschef": 4, "kommunstyrelsen": 6}
POLICY = NotificationPolicy(reminders_before_due=[10, 3], on_due_date=True, overdue_repeat_every=5,
                            escalation=Ladders(milestone=LADDER))


def kinds(days: int, owner: str = "omradesteam", required: bool = True) -> list[tuple[str, int, str]]:
    return [(o.kind, o.stage, o.role) for o in occasions(POLICY, days, owner, required, LEVELS)]


def test_reminders_before_the_due_date_take_the_nearest_stage_whose_day_has_come() -> None:
    assert kinds(-11) == []
    assert kinds(-10) == [("reminder", 10, "omradesteam")]
    # a phase opened five working days before a deadline still gets a reminder (the 10-day one)
    assert kinds(-5) == [("reminder", 10, "omradesteam")]
    assert kinds(-3) == [("reminder", 3, "omradesteam")]
    assert kinds(-1) == [("reminder", 3, "omradesteam")]


def test_due_day_then_overdue_repeats_every_five_working_days() -> None:
    assert kinds(0) == [("due", 0, "omradesteam")]
    assert [k for k in kinds(1) if k[0] == "overdue"] == [("overdue", 0, "omradesteam")]
    assert [k for k in kinds(5) if k[0] == "overdue"] == [("overdue", 0, "omradesteam")]
    assert [k for k in kinds(6) if k[0] == "overdue"] == [("overdue", 1, "omradesteam")]
    assert [k for k in kinds(11) if k[0] == "overdue"] == [("overdue", 2, "omradesteam")]


def test_escalations_are_never_skipped_even_when_days_were_missed() -> None:
    assert [k for k in kinds(4) if k[0] == "escalation"] == []
    # nobody swept for two weeks: both steps are due at once
    assert [k for k in kinds(14) if k[0] == "escalation"] == [
        ("escalation", 5, "utvecklingsledare"), ("escalation", 10, "central_samordnare")]


def test_the_ladder_only_climbs_the_first_rung_above_the_owner_told_at_the_first_step() -> None:
    # the samordnare owns it: the utvecklingsledare (below) and the samordnare's own step are left
    # out; the avdelningschef is told when the ladder's first step would have been, the board at
    # its own step
    escalations = [k for k in kinds(40, owner="central_samordnare") if k[0] == "escalation"]
    assert escalations == [("escalation", 5, "avdelningschef"), ("escalation", 30, "kommunstyrelsen")]
    # the analysts stand beside the samordnare: a milestone of theirs never goes to the samordnare
    assert [k[2] for k in kinds(40, owner="analysfunktionen") if k[0] == "escalation"] == [
        "avdelningschef", "kommunstyrelsen"]
    # the styrgrupp stands above the utvecklingsledare: its approval is not escalated down to them
    assert [k[2] for k in kinds(40, owner="styrgrupp") if k[0] == "escalation"] == [
        "central_samordnare", "avdelningschef", "kommunstyrelsen"]
    rungs = climb(LADDER, "central_samordnare", LEVELS)
    assert rungs[-1].role == "kommunstyrelsen" and rungs[-1].top
    assert rungs[0].above == ("kommunstyrelsen",)
    # a thing nobody owns climbs the whole ladder
    assert [r.role for r in climb(LADDER, None, LEVELS)] == [s.to for s in LADDER]


def test_no_escalation_ever_tells_a_role_at_or_below_the_owner_s_level() -> None:
    for owner, level in LEVELS.items():
        for days in range(0, 60):
            told = [k[2] for k in kinds(days, owner=owner) if k[0] == "escalation"]
            assert all(LEVELS[role] > level for role in told), (owner, days, told)


def test_optional_milestones_are_reminded_but_not_escalated() -> None:
    assert kinds(12, required=False) == [("overdue", 2, "omradesteam")]


def test_no_due_day_notice_when_the_policy_says_so() -> None:
    quiet = POLICY.model_copy(update={"on_due_date": False})
    assert occasions(quiet, 0, "omradesteam", True, LEVELS) == []
