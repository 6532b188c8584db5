"""The tables. Progress is recorded, never erased: milestones removed from phases.yml are
retired (kept with their history), undo is a new event, and the event log is append-only."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.statuses import MilestoneStatus, NoticeStatus


class Area(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    start_date: date
    active: bool = True


class PhaseInstance(SQLModel, table=True):
    """One phase of one area; a recurring phase (uppföljning) has one row per cycle."""

    __tablename__ = "phase_instance"
    __table_args__ = (UniqueConstraint("area_id", "phase_id", "cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    phase_id: str
    cycle: int = 1
    opened_on: date
    approved_by: str | None = None
    completed_on: date | None = None


class MilestoneInstance(SQLModel, table=True):
    __tablename__ = "milestone_instance"
    __table_args__ = (
        UniqueConstraint("phase_instance_id", "milestone_id"),
        Index("ix_milestone_open_due", "status", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    phase_instance_id: int = Field(foreign_key="phase_instance.id", index=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    milestone_id: str
    due_date: date | None = None  # the current one: moves when work it counts from is done late
    # the first due date, kept when the current one moves: lateness is measured against the plan
    # (a decided new start replans it); None only for a milestone without a due date
    planned_due_date: date | None = None
    status: str = MilestoneStatus.OPEN
    retired: bool = False  # removed from phases.yml, or closed as no longer relevant; kept for history
    # closed by the coordinator as no longer relevant (an old round's item nobody will do): out of
    # the to-do lists, the stalls and the gate, and said in the report with its reason
    closed_on: date | None = None
    closed_by: str | None = None
    closed_reason: str | None = None
    done_on: date | None = None
    done_by: str | None = None
    evidence: str | None = None
    note: str | None = None


class Event(SQLModel, table=True):
    """Append-only log: who did what, when, old → new. Database triggers refuse edits."""

    id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime
    effective_on: date
    actor: str
    area_id: str | None = Field(default=None, index=True)
    kind: str
    subject: str | None = None
    old: str | None = None
    new: str | None = None
    note: str | None = None


class Notification(SQLModel, table=True):
    """The outbox: one row per message the process calls for, unique by its idempotency key.

    The key names the occasion (area, milestone instance, rule, stage and due date, recipient),
    so deciding the same thing twice — a rerun, a retry, two sweeps at once — finds the row
    already there. Rows hold the *reference* of the channel (``env:NAME``), never the address
    or URL it resolves to. Delivery moves a row pending → sending → sent, or back to pending
    with a later ``next_attempt_at`` when the channel fails; after too many failures it stays
    ``failed`` (visible, and retried on request) — it is never dropped. Most notices are not
    sent alone: they wait ``held`` for the person's next brief, which carries them (``briefed``,
    ``brief_id``); a brief that fails hands its items to the next one.
    """

    __table_args__ = (
        UniqueConstraint("key", name="uq_notification_key"),
        Index("ix_notification_status_next", "status", "next_attempt_at"),
        Index("ix_notification_as_of", "as_of"),
        Index("ix_notification_recipient_status", "recipient", "status"),
        Index("ix_notification_brief_id", "brief_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str
    kind: str  # a NoticeKind (ctcflow.delivery.kinds)
    as_of: date  # the working day the process called for it
    topic: str | None = None  # the thing it is about (keys.topic_*): one line per topic in a brief
    due: date | None = None  # when that thing fell due (or the stall began): "how long" in a brief
    role: str | None = None  # the role the person was told as (an escalation's rung)
    area_id: str | None = Field(default=None, index=True)
    milestone_instance_id: int | None = None
    phase_instance_id: int | None = None
    recipient: str  # person id from areas.yml
    reference: str  # env:NAME | secret:BLOCK, resolved only when sending
    lang: str = "sv"
    subject: str
    body: str
    status: str = NoticeStatus.PENDING
    brief_id: int | None = None  # the brief that carried it
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime
    claim: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None  # the latest failure, as the server (or the channel) put it
    attachment_id: int | None = Field(default=None, foreign_key="report_archive.id")  # a report sent with it
    # The claim's lease: renewed by the run that holds it while it works; only once it has run
    # out may another run take the row back. Who holds it (host:pid) shows a crashed run at once.
    lease_until: datetime | None = None
    claim_holder: str | None = None
    in_flight_at: datetime | None = None  # handed to the channel, outcome not recorded yet
    failure: str | None = None  # temporary | permanent | setup (ctcflow.delivery.failures)
    failure_code: int | None = None  # the server's reply code (SMTP 451, 550 …)
    failing_since: datetime | None = None  # the first failed attempt of the current run of failures


class DeliveryEvent(SQLModel, table=True):
    """What happened to a message on its way out besides being sent: each failed attempt in the
    server's words, a crashed run's claim handed back, a message that may have arrived twice.
    Kept when a later attempt succeeds — the row's history, never overwritten."""

    __tablename__ = "delivery_event"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(index=True)
    at: datetime
    what: str  # failed | uncertain | interrupted | released
    detail: str


class DeliveryLock(SQLModel, table=True):
    """One delivery run at a time (the scheduled deployment, a sweep's delivery, `ctc deliver`):
    the run holds this row under a lease it renews; a run that finds it held leaves the sending
    to the holder, which looks once more for new work before it lets go."""

    __tablename__ = "delivery_lock"

    name: str = Field(primary_key=True)
    holder: str
    taken_at: datetime
    expires_at: datetime


class Morning(SQLModel, table=True):
    """A working day's morning that ran to its end (the deadline sweep: the day's notices decided,
    written and handed to delivery). The next morning after a gap finds it and records the working
    days that had none — what the overview and `ctc health` say."""

    __tablename__ = "morning"

    day: date = Field(primary_key=True)
    completed_at: datetime
    missed_from: date | None = None  # the first working day without a morning before this one
    missed_days: int = 0  # how many working days in a row had none


class SurveyWave(SQLModel, table=True):
    """One imported CTC-enkät wave (e.g. "2023"); re-importing replaces it and its results."""

    __tablename__ = "survey_wave"

    id: str = Field(primary_key=True)
    as_of: date  # the day it was imported, as the process counts days (replays included)
    imported_at: datetime
    source: str  # the file's name, and its hash: which export this is
    sha256: str
    # the wave keeps no count of pupils beyond its published cells (ctcflow.survey.publication):
    # the pupils of the areas beside the city's would give away those outside them
    excluded_fictitious: int  # pupils the validity screens left out, in the whole city
    excluded_implausible: int
    excluded_inconsistent: int
    # what each area is compared with: "city" (the whole city) or "areas" (the areas together,
    # when the few pupils outside them would otherwise be given away)
    comparison: str = "city"
    # what the wave was scored with, as JSON: survey.yml's sha256 and each factor's cut point —
    # a wave scored otherwise than the one before it is not compared with it for that factor
    scored_with: str | None = None


class SurveyResult(SQLModel, table=True):
    """Pupils with a valid score (n) and above the cut point (count) per published cell; area ''
    is the city, '*' a margin over grade groups or genders. Suppressed cells (too few answers,
    or able to give one away) are not stored at all."""

    __tablename__ = "survey_result"
    __table_args__ = (UniqueConstraint("wave_id", "area_id", "grade_group", "gender", "measure"),)

    id: int | None = Field(default=None, primary_key=True)
    wave_id: str = Field(foreign_key="survey_wave.id")
    area_id: str
    grade_group: str
    gender: str
    measure: str
    n: int
    count: int


class SurveySuggestion(SQLModel, table=True):
    """A factor suggested for prioritering, with the figures that make it stand out."""

    __tablename__ = "survey_suggestion"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: str = Field(foreign_key="survey_wave.id", index=True)
    area_id: str = Field(index=True)
    rank: int
    factor_id: str
    share: float
    city_share: float | None  # None where the city's figure is hidden: never stored in readable form
    previous_share: float | None = None
    z_city: float | None
    z_trend: float | None = None
    above_city: bool
    risen: bool


class PriorityDecision(SQLModel, table=True):
    """The områdesteam's choice of priority factors, kept beside the suggestion it answers."""

    __tablename__ = "priority_decision"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: str = Field(foreign_key="survey_wave.id")
    area_id: str = Field(foreign_key="area.id", index=True)
    factors: str  # comma-separated factor ids, in the team's order
    decided_on: date
    decided_by: str
    note: str | None = None


class PlanGoal(SQLModel, table=True):
    """A measurable goal of an area's handlingsplan, for a priority factor or a problem behaviour."""

    __tablename__ = "plan_goal"

    id: int | None = Field(default=None, primary_key=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    phase_instance_id: int = Field(foreign_key="phase_instance.id", index=True)
    subject: str  # a factor or outcome id from survey.yml
    target: str
    set_on: date
    set_by: str


class PlanProgramme(SQLModel, table=True):
    """A programme from programmes.yml chosen against a priority factor in a handlingsplan."""

    __tablename__ = "plan_programme"
    __table_args__ = (UniqueConstraint("phase_instance_id", "factor_id", "programme_id"),)

    id: int | None = Field(default=None, primary_key=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    phase_instance_id: int = Field(foreign_key="phase_instance.id", index=True)
    factor_id: str
    programme_id: str
    chosen_on: date
    chosen_by: str
    note: str | None = None
    # what the styrgrupp approves and the budget preparation reads: who runs it, when, for how much
    responsible: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    budget_ore: int | None = Field(default=None, sa_type=BigInteger)


class ImplementationRecord(SQLModel, table=True):
    """How a programme ran in an area over a period: sessions, participants, protocol adherence."""

    __tablename__ = "implementation_record"

    id: int | None = Field(default=None, primary_key=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    programme_id: str
    period_end: date
    sessions_planned: int
    sessions_held: int
    participants: int
    adherence: float  # share of the protocol followed, 0–1
    recorded_on: date
    recorded_by: str
    note: str | None = None


class CostEntry(SQLModel, table=True):
    """What CTC cost in a year, per administration and (when it is an area's) per area — the
    annual costs the 2017 KS decision asked to be reported. Amounts in öre, exact."""

    __tablename__ = "cost_entry"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    area_id: str | None = Field(default=None, foreign_key="area.id")  # None: central, city-wide
    administration: str
    amount_ore: int
    category: str | None = None
    note: str | None = None
    source: str  # the imported file's name, or "ctc cost add"
    recorded_on: date
    recorded_by: str


class MandateEntry(SQLModel, table=True):
    """Work on what the KS decision mandated be reported per area: resident participation,
    gender mainstreaming, attention to the consequences of racism and sexism."""

    __tablename__ = "mandate_entry"

    id: int | None = Field(default=None, primary_key=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    kind: str  # boendemedverkan | jamstalldhetsintegrering | rasism_sexism
    happened_on: date
    description: str
    evidence: str | None = None
    recorded_on: date
    recorded_by: str


class ReportArchive(SQLModel, table=True):
    """Every report rendered — the KS report for the city or an area's report — as the bytes
    that were produced, with what they cover, the day they describe and their hash. A rendering
    is never replaced: the same period and as-of date with the same data give the same bytes
    (and no new row); different bytes are a new row beside the old one. ``sent_on``/``sent_to``
    say when and to whom it went (the outbox holds each delivery)."""

    __tablename__ = "report_archive"
    __table_args__ = (
        UniqueConstraint("report_id", "scope", "period_start", "period_end", "as_of", "lang", "format", "sha256",
                         name="uq_report_archive_rendering"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: str  # a report of phases.yml (ks) or "area"
    scope: str = Field(index=True)  # "city" or an area id
    occasion: str | None = None  # the calendar occasion (the due year) it answers, if any
    period_start: date
    period_end: date
    as_of: date
    lang: str
    format: str  # html | pdf | md
    filename: str
    sha256: str
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    rendered_at: datetime
    rendered_by: str
    sent_on: date | None = None
    sent_to: str | None = None  # person ids, comma-separated


class WebTokenUse(SQLModel, table=True):
    """Sign-in links are good for one use: the first use inserts the token's id, a second finds
    it (the primary key refuses it even when two clicks race)."""

    __tablename__ = "web_token_use"

    jti: str = Field(primary_key=True)
    person_id: str
    used_at: datetime
    expires_at: datetime | None = Field(default=None, index=True)  # after this the row is pruned


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random value; only its SHA-256 is kept here, so a
    copy of the database signs nobody in. Ending a row (sign-out, "sign out everywhere", the person
    leaving) ends the session at the next request, whatever the cookie says. A session opened from
    a mail's link is scoped to that link's area (and milestone) until the person signs in fully."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True)
    person_id: str = Field(index=True)
    via: str  # login | link | oidc
    scope_area: str | None = None
    scope_milestone: int | None = None
    created_at: datetime
    expires_at: datetime = Field(index=True)
    ended_at: datetime | None = None
    ended_why: str | None = None  # signed_out | everywhere | person_left


class WebFeed(SQLModel, table=True):
    """A person's calendar subscription for an area: the link carries this row's id, signed; a
    new link ends the old one, and the feed answers only while the person may see the area."""

    __tablename__ = "web_feed"

    jti: str = Field(primary_key=True)
    person_id: str = Field(index=True)
    area_id: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None


class StaffChange(SQLModel, table=True):
    """A dated change of people made on the web: someone joins an area (or the central staff) in
    a role, or leaves it. areas.yml is the baseline; these rows, applied over it in order, are the
    roster every part reads (ctcflow.access.roster). Kept, never edited: the history of who held
    what."""

    __tablename__ = "staff_change"

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # a StaffChangeKind
    person_id: str = Field(index=True)
    on_date: date  # join: the first day; leave: the last day
    name: str | None = None
    role: str | None = None
    area_id: str | None = None  # None: central
    email: str | None = None
    sector: str | None = None
    lang: str | None = None
    recorded_on: date
    recorded_by: str
    note: str | None = None


class PrintedChunk(SQLModel, table=True):
    """A chunk of a long report printed by another worker: the chunk's HTML and its PDF, both
    stored files, so the run joining the pieces finds the PDF whichever host printed it. Removed
    with the files once joined."""

    __tablename__ = "printed_chunk"

    html_sha256: str = Field(primary_key=True, max_length=64)
    pdf_sha256: str = Field(max_length=64)
    printed_at: datetime


class StoredFile(SQLModel, table=True):
    """A document people uploaded (a milestone's evidence, a theme's entry), kept in the database
    under its SHA-256 so every host — the web, any worker — reads the same bytes; the same document
    twice is stored once. Records name it as ``fil:<sha256>:<name>`` (ctcflow.core.evidence)."""

    __tablename__ = "stored_file"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    stored_at: datetime


class Acknowledgement(SQLModel, table=True):
    """"Vi tar det": a person on an escalated thing's ladder owns it until a date, with a plan.
    The climb waits until then; everyone already told hears of it; when the date passes with the
    thing still open, the climb resumes and says so. Kept, never edited: a new one supersedes."""

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(index=True)  # the thing (keys.topic_*): a milestone, a stall, a report, an area
    area_id: str | None = None
    subject: str  # the thing in words, as its escalation told it
    by: str  # the person who took it
    plan: str  # what will happen
    until: date  # the climb waits up to and including this day
    on_date: date  # the day it was said (--as-of)
    recorded_at: datetime
