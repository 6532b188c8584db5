"""The outbox's idempotency keys — one scheme, built here for every kind of message and read
here by delivery. A key names the occasion (what, which instance, which stage of which due
date) and the recipient, so deciding the same thing twice finds the row already there.

    <area>/<milestone>#<instance>/<stage>@<due>/<person>       a milestone's reminder … escalation
    <area>/<phase>#<instance>/phase_opened-<cycle>/<person>    a phase opened
    <area>/<phase>#<instance>/check-<check>[-<subject>]/<when>/<person>   what a phase's check found
    report/<report>/<occasion>/<stage>@<due>/<person>          a report's reminders, gaps, escalations
    report/<kind>/<period>[/<area>]/sent@<day>/<person>        a report sent
    stall/<kind>/<area|central>[/<role>]@<since>/<rung>/<person>   a stall or vacancy, per rung
    late/<area>@<oldest due>/<rung>/<person>                    an area's late milestones, rolled up
    brief/<day>/<person>                                        a person's brief of the day
    ack/<acknowledgement>/<person>                              an escalated thing taken on, told above

A *topic* names the thing a notice is about, so a brief shows one line per thing however many
notices about it it carries, and a count of who knew when can follow one thing:

    milestone/<instance>   report/<report>/<occasion>   stall/<kind>/<area|central>[/<role>]
    phase/<instance>       late/<area>  (an area's late milestones, rolled up from the chiefs upward)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col

from db.models import Notification


def milestone(area_id: str, milestone_id: str, instance_id: int, stage: str, due: date, person_id: str) -> str:
    return f"{area_id}/{milestone_id}#{instance_id}/{stage}@{due}/{person_id}"


def phase_opened(area_id: str, phase_id: str, instance_id: int | None, cycle: int, person_id: str) -> str:
    return f"{area_id}/{phase_id}#{instance_id}/phase_opened-{cycle}/{person_id}"


def finding(area_id: str, phase_id: str, instance_id: int, check: str, subject: str, when: str,
            person_id: str) -> str:
    return f"{area_id}/{phase_id}#{instance_id}/check-{check}{'-' + subject if subject else ''}/{when}/{person_id}"


def report_occasion(occasion_key: str, stage: str, due: date, person_id: str) -> str:
    """``occasion_key`` is the report calendar's ``<report>/<occasion>`` (e.g. ``ks/2022``)."""
    return f"report/{occasion_key}/{stage}@{due}/{person_id}"


def report_sent(base: str, day: date, person_id: str) -> str:
    return f"{base}/sent@{day}/{person_id}"


def report_base(kind: str, period: str, area_id: str | None) -> str:
    return f"report/{kind}/{period}" + (f"/{area_id}" if area_id else "")


def topic_milestone(instance_id: int) -> str:
    return f"milestone/{instance_id}"


def topic_report(occasion_key: str) -> str:
    return f"report/{occasion_key}"


def topic_stall(kind: str, area_id: str | None, role: str | None = None) -> str:
    return f"stall/{kind}/{area_id or 'central'}" + (f"/{role}" if role else "")


STALL_TOPICS = "stall/%"  # every stall's topic, as a LIKE pattern
OVERVIEW = "overview/"


def topic_overview(day: date) -> str:
    """The week's overview a brief carries (one per ISO week)."""
    week = day.isocalendar()
    return f"{OVERVIEW}{week.year}-W{week.week:02d}"


def is_overview(topic: str | None) -> bool:
    return bool(topic) and str(topic).startswith(OVERVIEW)


def topic_area_late(area_id: str) -> str:
    """An area's late milestones told as one thing from the chiefs upward (the roll-up)."""
    return f"late/{area_id}"


def topic_phase(instance_id: int | None) -> str:
    return f"phase/{instance_id}"


def stall(topic: str, since: date, rung: str, person_id: str) -> str:
    return f"{topic}@{since}/{rung}/{person_id}"


def acknowledged(ack_id: int, person_id: str) -> str:
    return f"ack/{ack_id}/{person_id}"


def brief(day: date, person_id: str) -> str:
    return f"brief/{day}/{person_id}"


def login(person_id: str, window: int) -> str:
    return f"login/{person_id}/{window}"


def welcome(person_id: str) -> str:
    """One welcome per person, however often the form is sent."""
    return f"welcome/{person_id}"


def about_report_sql(report_id: Any, occasion: Any) -> ColumnElement[bool]:
    """Notices about one report occasion (its reminders, gaps and escalations), for delivery to
    cancel once the report has gone out; the arguments are SQL columns or values."""
    return col(Notification.key).like("report/" + report_id + "/" + occasion + "/%")
