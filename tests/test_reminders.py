"""The reminder policy as arithmetic: which notices a working day calls for."""

from __future__ import annotations

from ctcflow.definition.process import EscalationStep, Ladders, NotificationPolicy
from ctcflow.notices.policy import climb, occasions

LADDER = [EscalationStep(after=5, to="utvecklingsledare"), EscalationStep(after=10, to="central_samordnare"),
          EscalationStep(after=20, to="avdelningschef"), EscalationStep(after=30, to="kommunstyrelsen")]
POLICY = NotificationPolicy(reminders_before_due=[10, 3], on_due_date=True, overdue_repeat_every=5,
                            escalation=Ladders(milestone=LADDER))


def kinds(days: int, owner: str = "omradesteam", required: bool = True) -> list[tuple[str, int, str]]:
    return [(o.kind, o.stage, o.role) for o in occasions(POLICY, days, owner, required)]


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


def test_the_ladder_climbs_to_the_board_and_the_owner_s_step_goes_to_the_next_one_up() -> None:
    # the samordnare owns it: at their step (10) the avdelningschef is told instead, the board
    # at the avdelningschef's step — nobody above the owner is left out, the top is the board
    escalations = [k for k in kinds(40, owner="central_samordnare") if k[0] == "escalation"]
    assert escalations == [("escalation", 5, "utvecklingsledare"), ("escalation", 10, "avdelningschef"),
                           ("escalation", 20, "kommunstyrelsen")]
    rungs = climb(LADDER, "central_samordnare")
    assert [r.role for r in rungs][-1] == "kommunstyrelsen" and rungs[-1].top
    assert [r.above for r in rungs][1] == ("kommunstyrelsen",)
    # a thing nobody owns climbs the whole ladder
    assert [r.role for r in climb(LADDER, None)] == [s.to for s in LADDER]


def test_optional_milestones_are_reminded_but_not_escalated() -> None:
    assert kinds(12, required=False) == [("overdue", 2, "omradesteam")]


def test_no_due_day_notice_when_the_policy_says_so() -> None:
    quiet = POLICY.model_copy(update={"on_due_date": False})
    assert occasions(quiet, 0, "omradesteam", True) == []
