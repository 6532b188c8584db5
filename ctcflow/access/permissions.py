"""The one permission rule. The command line (``--by``), the web (the signed-in person) and the
flows all ask :func:`require`; nothing else decides who may do what.

- Anyone listed in areas.yml and active on the day is an *actor*. An area's people belong to
  that area; central people to the whole city.
- **See** an area (its page, history, evidence, reports): its own people and every central person.
  **See the city** (the overview): central people.
- **Mark or undo a milestone**: the area's own people; the coordinator in any area; another
  central person only for milestones their own role owns (the analysis function's survey work).
- **Record an area's work** (priority decision, handlingsplan, implementation, mandated themes):
  the area's own people and the coordinator.
- **Approve a phase**: only a holder of the gate's approver role — of that area, or central when
  the approver role is a central one.
- **Record costs**: the coordinator and the chief above them.
- **Send a report** (preview it, send it to its recipients): the holder of the report's owner role.
- **Run the deliveries** (retry failing ones now): the coordinator.
- **Acknowledge an escalated thing** ("vi tar det", until a date): a person whose role is on an
  escalation ladder — of the thing's own area, or central; a city-wide thing, central people only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef


class Action(StrEnum):
    VIEW_AREA = "view_area"
    VIEW_CITY = "view_city"
    CHANGE_MILESTONE = "change_milestone"
    RECORD_AREA_WORK = "record_area_work"
    APPROVE_GATE = "approve_gate"
    RECORD_COSTS = "record_costs"
    SEND_REPORT = "send_report"
    RUN_DELIVERY = "run_delivery"
    IMPORT_SURVEY = "import_survey"
    MANAGE_PEOPLE = "manage_people"
    ACKNOWLEDGE = "acknowledge"
    CLOSE_MILESTONE = "close_milestone"  # as no longer relevant, with a reason


class NotAllowed(CtcError):
    """The person exists and is active, but the rule does not let them do this."""


class BeyondLink(NotAllowed):
    """The person may, but the web session acting for them was opened from a link for something else."""


@dataclass(frozen=True)
class Scope:
    """What a session opened from a mail's link covers until the person signs in fully: the
    link's area — seeing it and doing its work — and, for a reminder, only its one milestone.
    Without an area (a brief to a central person): a look at the city, nothing changed."""

    area_id: str | None
    milestone: int | None = None

    def covers(self, action: Action, area_id: str | None, subject: int | None) -> bool:
        if self.area_id is None:
            return action in (Action.VIEW_CITY, Action.VIEW_AREA)
        if area_id != self.area_id:
            return False
        if action is Action.VIEW_AREA:
            return True
        if action is Action.CHANGE_MILESTONE:
            return self.milestone is None or subject == self.milestone
        return self.milestone is None and action in (Action.RECORD_AREA_WORK, Action.APPROVE_GATE,
                                                     Action.ACKNOWLEDGE)


@dataclass(frozen=True)
class Actor:
    person: PersonDef
    area_id: str | None  # None: a central person
    scope: Scope | None = None  # None: signed in fully (and always on the command line and in flows)

    @property
    def id(self) -> str:
        return self.person.id

    @property
    def central(self) -> bool:
        return self.area_id is None


def active_actor(defs: Definitions, person_id: str, as_of: date, scope: Scope | None = None) -> Actor | None:
    """The person with this id as an actor, if they are in the roster and active on ``as_of``
    (what the web asks of every session, link and feed: None is simply "not signed in")."""
    found = defs.org.person(person_id)
    if found is None or not found[0].active_on(as_of):
        return None
    return Actor(found[0], found[1].id if found[1] else None, scope)


def actor_on(defs: Definitions, person_id: str, as_of: date, scope: Scope | None = None) -> Actor:
    """The person of areas.yml with this id, active on ``as_of``; CtcError saying which otherwise."""
    actor = active_actor(defs, person_id, as_of, scope)
    if actor is not None:
        return actor
    found = defs.org.person(person_id)
    if found is None:
        raise CtcError(f"'{person_id}' is not a person in areas.yml")
    raise CtcError(f"{found[0].id} ({found[0].name}) is not active on {as_of} according to areas.yml")


def may(defs: Definitions, actor: Actor, action: Action, area_id: str | None = None, *,
        role: str | None = None, subject: int | None = None) -> bool:
    """``role``: the milestone's owner role (CHANGE_MILESTONE) or the gate's approver (APPROVE_GATE);
    ``subject``: the milestone (CHANGE_MILESTONE), which a reminder's scope must cover."""
    if actor.scope is not None and not actor.scope.covers(action, area_id, subject):
        return False
    own_area = area_id is not None and actor.area_id == area_id
    coordinator = actor.person.role == defs.process.coordinator
    if action is Action.VIEW_AREA:
        return actor.central or own_area
    if action is Action.VIEW_CITY:
        return actor.central
    if action is Action.CHANGE_MILESTONE:
        return coordinator or _marks(defs, actor, role, own_area)
    if action is Action.RECORD_AREA_WORK:
        return own_area or coordinator
    if action is Action.APPROVE_GATE:
        return actor.person.role == role and (own_area or actor.central)
    if action is Action.RECORD_COSTS:
        return coordinator or actor.person.role == defs.process.role_of("chief")
    if action is Action.SEND_REPORT:
        return actor.central and actor.person.role == role
    if action in (Action.RUN_DELIVERY, Action.MANAGE_PEOPLE, Action.CLOSE_MILESTONE):
        return coordinator
    if action is Action.IMPORT_SURVEY:
        return coordinator or actor.person.role == defs.process.role_of("analyst")
    if action is Action.ACKNOWLEDGE:
        return actor.person.role in defs.process.ladder_roles and (actor.central or own_area)
    raise AssertionError(action)


def _marks(defs: Definitions, actor: Actor, owner: str | None, own_area: bool) -> bool:
    """Who marks a milestone besides the coordinator: the holders of the role that owns it — in
    their own area when it is an area role — and the area's lead for every area role's work (the
    utvecklingsledare leads the team). Nobody marks another central role's work (the analysis
    function's survey), and the steering group or a team member never marks another role's."""
    owner_role = defs.process.role(owner) if owner else None
    if owner_role is None:  # no owner named: the area's work
        return own_area
    if owner_role.scope == "central":
        return actor.central and actor.person.role == owner
    return own_area and actor.person.role in (owner, defs.process.area_lead)


def require(defs: Definitions, person_id: str, action: Action, as_of: date, area_id: str | None = None, *,
            role: str | None = None, subject: int | None = None, scope: Scope | None = None) -> Actor:
    """The actor, if the rule allows ``action``; a NotAllowed saying who may, otherwise.
    ``scope``: what the web session acting for the person covers (None: everything they may)."""
    actor = actor_on(defs, person_id, as_of, scope)
    if may(defs, actor, action, area_id, role=role, subject=subject):
        return actor
    if beyond_link(defs, actor, action, area_id, role=role, subject=subject):
        raise BeyondLink(f"{actor.id} opened a link for something else; sign in fully to do this")
    raise NotAllowed(refusal(defs, actor, action, area_id, role))


def beyond_link(defs: Definitions, actor: Actor, action: Action, area_id: str | None = None, *,
                role: str | None = None, subject: int | None = None) -> bool:
    """Refused only because the session was opened from a link for something else: signed in
    fully, the person may."""
    return actor.scope is not None and may(defs, replace(actor, scope=None), action, area_id, role=role,
                                           subject=subject)


# what the action is, in the refusal's words, for the actions one role does (the coordinator,
# unless refusal() names another)
ONE_ROLE_DOES = {Action.RECORD_COSTS: "record costs", Action.SEND_REPORT: "send this report",
                 Action.RUN_DELIVERY: "run the deliveries", Action.MANAGE_PEOPLE: "change people and roles",
                 Action.IMPORT_SURVEY: "import a survey",
                 Action.CLOSE_MILESTONE: "close a milestone as no longer relevant"}


def refusal(defs: Definitions, actor: Actor, action: Action, area_id: str | None, role: str | None) -> str:
    who = f"{actor.id} ({actor.person.role})"
    if action is Action.APPROVE_GATE:
        return f"only the {role} may approve this phase; {actor.id} is {actor.person.role}"
    if action in ONE_ROLE_DOES:
        whose = {Action.SEND_REPORT: role, Action.IMPORT_SURVEY: defs.process.role_of("analyst")}.get(
            action, defs.process.coordinator)
        return f"{who} may not {ONE_ROLE_DOES[action]}; the {whose} does"
    if action is Action.ACKNOWLEDGE and actor.person.role not in defs.process.ladder_roles:
        return (f"{who} is on no escalation ladder, so may not take an escalated matter on; those whose roles are: "
                f"{', '.join(sorted(defs.process.ladder_roles))}")
    if area_id is None:
        return f"{who} may not do this for the whole city"
    area = defs.org.area(area_id)
    allowed = [*(p.id for p in area.people), *(p.id for p in defs.org.central
                                              if p.role in (defs.process.coordinator, role))] if area else []
    if actor.area_id not in (None, area_id):
        lead = f"{actor.id} is not a person of area '{area_id}'"
    else:
        lead = f"{who} may not do this in '{area_id}'"
    return f"{lead}; those who may: {', '.join(allowed)}"
