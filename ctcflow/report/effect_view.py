"""The effects in words and pictures, one way for every place that shows them: the change with
its interval as the report, `ctc effects` and the områdesprofil write it, and the profile's
part — a chart per priority factor with the programmes' periods, the verdicts in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ctcflow.core.templating import points
from ctcflow.core.words import N_, Words
from ctcflow.report.effect_charts import ChartWords, Period, effect_chart
from ctcflow.report.terms import EFFECTS_COMPARISON, EFFECTS_VERDICT

EFFECTS_NOTE = N_("The difference is the area's change less the comparison's, with a 95 % confidence interval. "
                  "Differences smaller than {detectable} percentage points cannot be told from chance here. A "
                  "clear difference shows the area moved differently from the comparison – not by itself that "
                  "the programmes caused it. Shares that could reveal individual pupils are not shown.")

if TYPE_CHECKING:  # numpy and the models load only where effects are evaluated
    from ctcflow.survey.effects import Effect
    from ctcflow.survey.evaluation import Story


def change_in_words(effect: Effect, t: Words, lang: str) -> str:
    """'−12,3 procentenheter (−18,0 till −6,6)', or '–' where nothing could be estimated."""
    if effect.estimate is None or effect.low is None or effect.high is None:
        return "–"
    return t("{change} percentage points ({low} to {high})").format(
        change=points(effect.estimate, lang), low=points(effect.low, lang), high=points(effect.high, lang))


def detectable_in_words(effects: list[Effect], lang: str) -> str:
    """The largest minimum detectable difference among the measures, in points: what the note
    under the effects says the survey cannot tell from chance."""
    return points(max((e.detectable for e in effects if e.detectable is not None), default=0), lang).lstrip("+")


def gap_in_words(gaps: list[tuple[str, float]], intro: str, lang: str) -> str:
    """'Prioriterade faktorer mot jämförelsen …: 2019 +9,0, 2021 +4,2' — the overview's trend as text."""
    return intro + ": " + ", ".join(f"{wave} {points(gap / 100, lang)}" for wave, gap in gaps)


def profile_effects(story: Story, names: dict[str, dict[str, str]], t: Words, lang: str) -> dict[str, Any]:
    """The områdesprofil's effects part: each priority factor charted against its comparison
    with the periods of the programmes chosen for it, and every measure's verdict."""
    rows = []
    for effect in story.effects.effects:
        trend = story.trends[effect.measure]
        title = names["factor"].get(effect.measure, effect.measure)
        chart = None
        if effect.prioritised:
            words = ChartWords(t("The area"), t(EFFECTS_COMPARISON[trend.comparison]),
                               t("baseline"), t("nothing reported on how it ran yet"), t("{name} {start} – {end}"))
            periods = [Period(names["programme"].get(p.programme_id, p.programme_id), p.chosen_on, p.ran_until)
                       for p in story.effects.programmes if p.factor_id == effect.measure]
            chart = Markup(effect_chart(title, trend, story.wave_days, effect.waves_before[0]  # noqa: S704
                                        if effect.waves_before else "", periods, words, lang))
        rows.append({"title": title, "prioritised": effect.prioritised, "chart": chart,
                     "verdict": t(EFFECTS_VERDICT[effect.verdict]), "change": change_in_words(effect, t, lang),
                     "comparison": t(EFFECTS_COMPARISON[effect.comparison])})
    return {"rows": rows, "detectable": detectable_in_words(story.effects.effects, lang),
            "note": t(EFFECTS_NOTE).format(detectable=detectable_in_words(story.effects.effects, lang)),
            "decided_wave": story.effects.decided_wave}
