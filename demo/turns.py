"""Two turns of the story the demo tells, through the use cases a person would use.

- **Vi tar det.** The first time an area's late work has climbed past the avdelningschef to the
  director, the avdelningschef takes it on for ten working days: the director, already told,
  reads who has it in the next brief, and the climb to the board waits for that day.
- **A handover.** In the 2024 reorganisation the areas' utvecklingsledare move to
  fritidsförvaltningen, and Bunkeflostrand/Vintrie's is replaced: a new utvecklingsledare takes
  the role over on 2 September (added as the people page adds people). Their first brief is the
  handover: everything open in the role, whole.
"""

from __future__ import annotations

from datetime import date

from ctcflow.app.acks import acknowledge, open_things
from ctcflow.app.people import add_person, current_definitions
from ctcflow.core import calendar
from ctcflow.core.config import get_settings
from ctcflow.definition.loader import Definitions

HANDOVER = date(2024, 9, 2)
HANDED_OVER = ("bunkeflostrand_vintrie", "ul_bunkeflo")  # the area, and who leaves the role
NEW_HOLDER = ("Ny utvecklingsledare Bunkeflostrand", "ny.ul.bunkeflo@demo.local")
PLAN = "Samordnaren och utvecklingsledaren går igenom planen med områdesteamet"


class Turns:
    def __init__(self) -> None:
        self.acknowledged: str | None = None  # what the avdelningschef took on, in words
        self.handed_over = False

    def after_morning(self, defs: Definitions, day: date) -> Definitions:
        """Called after each working day's morning; returns the definitions for the next one (the
        roster changes at the handover)."""
        if self.acknowledged is None:
            self.acknowledged = _take_on(defs, day)
        if not self.handed_over and calendar.add_business_days(day, 1) >= HANDOVER > day:  # recorded the day before
            coordinator = defs.org.people_with_role(defs.process.coordinator, day, None)[0].id
            add_person(defs, get_settings(), name=NEW_HOLDER[0], email=NEW_HOLDER[1], role=defs.process.area_lead,
                       area_id=HANDED_OVER[0], sector=None, lang="sv", start=HANDOVER, by=coordinator, as_of=day,
                       replaces=HANDED_OVER[1])
            self.handed_over = True
            return current_definitions()
        return defs


def _take_on(defs: Definitions, day: date) -> str | None:
    _, things = open_things(day, defs=defs)
    chief, director = defs.process.role_of("chief"), defs.process.role_of("director")
    found = next((e for e in things if e.kind == "area_late" and e.highest == director and e.ack is None), None)
    holders = defs.org.people_with_role(chief or "", day, None)
    if found is None or not holders:
        return None
    acknowledge(found.topic, by=holders[0].id, plan=PLAN, until=calendar.add_business_days(day, 10), as_of=day,
                defs=defs)
    return found.subject
