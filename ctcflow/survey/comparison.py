"""What a wave compares each area with, and how pages name it — apart from the publication gate
(ctcflow.survey.publication) that decides it, so that naming it loads no analysis."""

from __future__ import annotations

from ctcflow.core.words import N_, translated

CITY_WIDE = "city"  # the comparison is the whole city: the areas and the pupils outside them
AREAS_TOGETHER = "areas"  # the comparison is the areas together: the few pupils outside are left out
# how pages name the comparison: as a column's head, in a sentence ("… in the city"), and its rest
COMPARISON_WORDS = {
    "head": {CITY_WIDE: N_("The city"), AREAS_TOGETHER: N_("The areas together")},
    "in": {CITY_WIDE: N_("in the city"), AREAS_TOGETHER: N_("in the areas together")},
    "rest": {CITY_WIDE: N_("the rest of the city"), AREAS_TOGETHER: N_("the other areas")},
}


def comparison_words(comparison: str, lang: str) -> dict[str, str]:
    """The comparison's names in ``lang`` (``head``, ``in``, ``rest``), for a page to say it."""
    said: dict[str, str] = translated(lang, {form: names.get(comparison, names[CITY_WIDE])
                                             for form, names in COMPARISON_WORDS.items()})
    return said
