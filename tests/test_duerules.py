from datetime import date

import pytest

from ctcflow.definition.duerules import (
    AfterMilestone,
    DueRule,
    DueRuleError,
    FromStart,
    Offset,
    Recurring,
    parse_due_rule,
    schedule,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("start", FromStart(Offset(0, "days"))),
    ("start + 2 weeks", FromStart(Offset(2, "weeks"))),
    ("Start + 1 month", FromStart(Offset(1, "months"))),
    ("start + 10 business days", FromStart(Offset(10, "business days"))),
    ("start  +  1 business day", FromStart(Offset(1, "business days"))),
    ("after enkat_genomford + 8 weeks", AfterMilestone("enkat_genomford", Offset(8, "weeks"))),
    ("every 2 years from 2019 in week 10", Recurring(2, 2019, 10, None, None)),
    ("every 2 years from 2020 on 03-31 until 2030", Recurring(2, 2020, None, (3, 31), 2030)),
])
def test_parse(text: str, expected: object) -> None:
    assert parse_due_rule(text) == expected


@pytest.mark.parametrize(("text", "fragment"), [
    ("in two weeks", "cannot read due rule"),
    ("start + 2 fortnights", "cannot read due rule"),
    ("every 2 years from 2019 in week 54", "week 54 does not exist"),
    ("every 2 years from 2020 on 02-30", "02-30 is not a date"),
    ("every 0 years from 2020 on 03-01", "never recurs"),
])
def test_parse_errors_say_what_to_write(text: str, fragment: str) -> None:
    with pytest.raises(DueRuleError, match=fragment):
        parse_due_rule(text)


def test_offsets_land_on_working_days() -> None:
    rules = {
        "a": parse_due_rule("start + 2 weeks"),        # 2024-06-21 is midsommarafton → Mon 24th
        "b": parse_due_rule("start + 1 month"),        # 2024-07-07 is a Sunday → Mon 8th
        "c": parse_due_rule("start + 3 business days"),
    }
    due = schedule(rules, date(2024, 6, 7))
    assert due == {"a": date(2024, 6, 24), "b": date(2024, 7, 8), "c": date(2024, 6, 12)}


def test_after_rules_chain_on_the_referenced_due_date() -> None:
    rules = {
        "survey": parse_due_rule("every 2 years from 2019 in week 10"),
        "analysis": parse_due_rule("after survey + 8 weeks"),
        "profile": parse_due_rule("after analysis + 4 weeks"),
    }
    due = schedule(rules, date(2018, 10, 1))
    assert due["survey"] == date(2019, 3, 4)
    assert due["analysis"] == date(2019, 4, 29)
    assert due["profile"] == date(2019, 5, 27)


def test_recurring_rule_takes_first_occurrence_on_or_after_start() -> None:
    rule = parse_due_rule("every 2 years from 2020 on 03-31")
    assert isinstance(rule, Recurring)
    assert rule.first_on_or_after(date(2020, 3, 31)) == date(2020, 3, 31)
    assert rule.first_on_or_after(date(2020, 4, 1)) == date(2022, 3, 31)
    # 2024-03-31 is Easter Sunday and 04-01 Easter Monday → Tue 2 April
    assert rule.first_on_or_after(date(2023, 1, 1)) == date(2024, 4, 2)


def test_recurring_rule_with_past_until_has_no_occurrence() -> None:
    rules = {"x": parse_due_rule("every 2 years from 2019 on 03-01 until 2021"),
             "y": parse_due_rule("after x + 1 week")}
    assert schedule(rules, date(2022, 1, 1)) == {"x": None, "y": None}


def test_after_counts_from_the_day_the_earlier_milestone_was_done() -> None:
    rules: dict[str, DueRule] = {"survey": Recurring(2, 2019, 10, None, None),
             "analysed": AfterMilestone("survey", Offset(8, "weeks")),
             "profile": AfterMilestone("analysed", Offset(4, "weeks"))}
    start = date(2019, 5, 6)  # opened after week 10: the survey is due in 2021
    planned = schedule(rules, start)
    assert planned["survey"] == date(2021, 3, 8) and planned["analysed"] == date(2021, 5, 3)
    # the survey was run early: what follows counts from then, not from 2021
    early = schedule(rules, start, {"survey": date(2019, 5, 20)})
    assert early["analysed"] == date(2019, 7, 15) and early["profile"] == date(2019, 8, 12)
    # done late: what follows moves later
    late = schedule(rules, start, {"survey": date(2021, 4, 1)})
    assert late["analysed"] == date(2021, 5, 27)
