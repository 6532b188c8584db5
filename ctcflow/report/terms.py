"""The report's closed sets of words — its mandated sections, the effects' verdicts and
comparisons, the charts' legends — marked for the catalogues and translated where shown."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ctcflow.core.words import N_, translated
from ctcflow.survey.comparison import COMPARISON_WORDS

SECTIONS = {
    "boendemedverkan": N_("Resident participation"),
    "jamstalldhetsintegrering": N_("Gender mainstreaming"),
    "rasism_sexism": N_("Attention to the consequences of racism and sexism"),
    "kostnader": N_("Costs"),
    "underlag": N_("The area's input"),
}

EFFECTS_VERDICT = {
    "improved": N_("Improved more than the comparison (clear)"),
    "no_difference": N_("No clear difference from the comparison"),
    "worsened": N_("Worsened more than the comparison (clear)"),
    "too_few": N_("Too few answers to tell"),
    "not_yet": N_("No survey since the decision yet"),
}

EFFECTS_COMPARISON = {
    "rest_of_city": N_("the rest of the city"),
    "comparison_areas": N_("areas without CTC"),
    "other_areas": N_("the other areas"),
}

TIMELINE_LEGEND = (N_("Plan"), N_("Carried out"), N_("Ongoing"))

COMPLETION_LEGEND = (N_("On time"), N_("Late"), N_("Not met"))

# what the Sammanfattning says of a kind of stall, what the paper proposes for one and for many
SUMMARY_STALLS = {
    "not_started": N_("Areas that have not started ({n}): {names}."),
    "inactive": N_("Areas where the work stands still ({n}): {names}."),
}
PROPOSAL_ONE = {
    "not_started": N_("to instruct {responsible} to report back how and when the work in {area} will start"),
    "inactive": N_("to instruct {responsible} to report back how the work in {area} will continue"),
}
PROPOSAL_MANY = {
    "not_started": N_("to instruct {responsible} to report back how and when the work will start in the {n} areas "
                      "that have not started"),
    "inactive": N_("to instruct {responsible} to report back how the work will continue in the {n} areas where it "
                   "stands still"),
    "vacancy": N_("to instruct {responsible} to see that the {n} vacant roles are filled"),
}
STALLS_MANY = {
    "not_started": N_("These {n} areas were to start but have not: {names}."),
    "inactive": N_("In these {n} areas no work has been recorded for long: {names}."),
    "vacancy": N_("These {n} roles are vacant: {names}."),
}
# how an escalated thing stands on the report's day, and an acknowledgement that holds or lapsed
OUTCOMES = {
    "resolved": N_("Resolved"),
    "open": N_("Unresolved"),
    "held": N_("{by} has it, by {until}"),
    "lapsed": N_("{by} had it until {until}; lapsed unresolved"),
}
ACKNOWLEDGED = {
    "holds": N_("{by} has taken it on: {plan} – by {until}."),
    "lapsed": N_("{by} took it on ({plan}) until {until}; that day passed without it being resolved."),
}


@lru_cache(maxsize=4)
def report_terms(lang: str) -> dict[str, Any]:
    """Every set above in ``lang``, for the templates (``terms.sections[…]``)."""
    said: dict[str, Any] = translated(lang, {"sections": SECTIONS, "effects_verdict": EFFECTS_VERDICT,
                             "effects_comparison": EFFECTS_COMPARISON, "timeline_legend": TIMELINE_LEGEND,
                             "completion_legend": COMPLETION_LEGEND, "compared_in": COMPARISON_WORDS["in"]})
    return said
