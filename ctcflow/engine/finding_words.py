"""What a phase's own check found, in words for the one who can fix it: a headline (the mail's
subject), the finding itself from its details, and how to fix it."""

from __future__ import annotations

from typing import Any

from ctcflow.core.templating import percent
from ctcflow.core.words import N_, words

HEADLINES = {
    "team_sectors": N_("sectors missing in the area team"),
    "survey_wave": N_("survey data missing"),
    "priority_decision": N_("decision on priority factors missing"),
    "programme_coverage": N_("programmes missing for priority factors"),
    "fidelity": N_("low programme fidelity"),
}
HOW = {
    "team_sectors": N_("add members from the missing sectors (the coordinator does it under People and roles)"),
    "survey_wave": N_("the analysis function uploads the survey under Surveys"),
    "priority_decision": N_("the team chooses 2–5 factors under Priorities and action plan on the area's page"),
    "programme_coverage": N_("choose programmes against each factor under Priorities and action plan on the area's "
                             "page"),
    "fidelity": N_("review the delivery with the programme's supervisors and record the next period"),
}


def headline(check: str, lang: str) -> str:
    return words(lang)(HEADLINES[check])


def how_to_fix(check: str, lang: str) -> str:
    return words(lang)(HOW[check])


def finding_text(check: str, details: dict[str, Any], lang: str) -> str:
    """The finding in one line, its names already the reader's (factors by title, never id)."""
    t = words(lang)
    listed = t(", ")
    if check == "team_sectors":
        return t("The area team lacks the sectors: {missing}").format(missing=listed.join(details["missing"]))
    if check == "survey_wave":
        text = t("No survey wave with answers from the area is imported")
        return text + (t(" (the survey is due {due})").format(due=details["due"]) if details.get("due") else "")
    if check == "priority_decision":
        suggested = listed.join(details["suggested"]) if details.get("suggested") else t("none")
        return t("The area team's decision on 2–5 priority factors is missing (suggested: {suggested})").format(
            suggested=suggested)
    if check == "programme_coverage":
        if details.get("no_decision"):
            return t("The action plan has no decided priority factors")
        return t("Priority factors without a programme in the plan: {uncovered}").format(
            uncovered=listed.join(details["uncovered"]))
    return t("Low fidelity in {programme}: {adherence} (minimum {minimum})").format(
        programme=details["programme"], adherence=percent(details["adherence"], lang),
        minimum=percent(details["minimum"], lang))
