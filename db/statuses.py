"""The values the status columns hold, each named once. They are ``StrEnum``s, so a row read
back compares equal to its member and the database stores the plain word."""

from __future__ import annotations

from enum import StrEnum


class MilestoneStatus(StrEnum):
    """``milestone_instance.status``: whether a milestone is done is a fact with a day
    (``done_on``); what it was on an earlier day is asked of ``ctcflow.engine.asof``."""

    OPEN = "open"
    DONE = "done"


class NoticeStatus(StrEnum):
    """``notification.status``: a notice's way from planned to the mail server."""

    HELD = "held"            # waits for its person's next brief
    BRIEFED = "briefed"      # went out inside a brief (the brief is the row that is sent)
    PENDING = "pending"      # to be sent (again, after a failure, at next_attempt_at)
    SENDING = "sending"      # claimed by a delivery run, under its lease
    SENT = "sent"            # accepted by the mail server for its recipient
    FAILED = "failed"        # refused for good: the address must be corrected
    CANCELLED = "cancelled"  # no longer owed (done before delivery, folded into a later brief)


class StaffChangeKind(StrEnum):
    """``staff_change.kind``: a change to who holds a role, made on the people page."""

    JOIN = "join"        # a person added to a role, from a day
    ADDRESS = "address"  # their address corrected
    LEAVE = "leave"      # their last day in the role


WAITING = (NoticeStatus.PENDING, NoticeStatus.HELD)  # not sent yet: alone, or in the next brief
