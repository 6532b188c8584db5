"""Why something was refused, in the reader's words — one sentence per reason, the same on the
pages and on the command line: a form field that is wrong (``Invalid``), a milestone that
cannot be marked now (``Refused``) and a file that cannot be imported, by problem (what is
wrong, how to fix it)."""

from __future__ import annotations

from ctcflow.core.errors import CtcError, Invalid
from ctcflow.core.words import N_, words

INVALID = {
    "required": N_("Say what will happen."),
    "no_reason": N_("Say why it is no longer relevant – the report to the board shows it."),
    "kept_gone": N_("The file chosen before is no longer kept. Choose it again."),
    "period_not_over": N_("The period is not over yet. Tick the box to send the report anyway – that you did "
                          "is recorded."),
    "too_long": N_("Shorter, please – at most 500 characters."),
    "out_of_range": N_("Choose a day from today and no further ahead than shown."),
    "not_open": N_("This is no longer open – the page has been updated."),
    "empty": N_("Write what was done."),
    "future": N_("The date is in the future. Report what has happened."),
    "before_start": N_("The last day cannot be before the first."),
    "not_amount": N_("Give the budget in kronor, e.g. 250 000."),
    "date_format": N_("Enter a date, for example 2024-10-01."),
    "unknown_theme": N_("Unknown theme."),
    "not_a_link": N_("Write a web address starting with https://, or upload the file instead."),
    "cost_year": N_("Give the year, for example 2024."),
    "amount": N_("Give an amount in kronor, for example 1 250 000 or 1250000.50."),
    "unknown_administration": N_("Choose an administration from the list."),
    "empty_name": N_("Write the person's name."),
    "bad_email": N_("Write an e-mail address, for example anna.svensson@malmo.se."),
    "email_taken": N_("The address already belongs to another active person."),
    "wrong_role": N_("The role does not fit – a central role has no area, an area role needs one."),
    "unknown_area": N_("Choose an area from the list."),
    "unknown_sector": N_("Choose a sector from the list."),
    "too_early": N_("The date is too far back or before the person started."),
    "already_left": N_("The person has already left."),
    "unknown_person": N_("No such person."),
    "wave_name": N_("Give the wave's name, usually the year, for example 2025."),
    "wave_exists": N_("That wave is already imported. Tick the box below if the file is to replace it."),
    "file_kind": N_("Choose a CSV or Excel file."),
    "unknown_subject": N_("Choose a factor or a problem behaviour from the list."),
    "empty_target": N_("Write the goal, for example from 49 % to 40 % by the next survey."),
    "not_priority": N_("The factor is not among the team's priority factors."),
    "not_for_factor": N_("The programme does not target this factor. Choose one from the list."),
    "already_chosen": N_("The programme is already in the plan against this factor."),
    "adherence_range": N_("Give the adherence in per cent, between 0 and 100, for example 85."),
    "counts": N_("Give whole numbers. Sessions held cannot be more than those planned."),
    "count": N_("Give a whole number, for example 10."),
    "unknown_factor": N_("Choose factors from the list."),
    "two_to_five": N_("Choose between 2 and 5 factors – that is how CTC works."),
    "link_minutes": N_("A sign-in link is valid for at least a minute and at most a day (1 440 minutes)."),
    "too_large": N_("The number is larger than anything this can be. Check it."),
    "period_outside": N_("The period must end after the programme was chosen and not after today."),
    "before_wave": N_("The decision cannot come before the survey it rests on was taken."),
    "too_long_name": N_("Shorter, please – a name of at most 200 characters."),
    "too_far_ahead": N_("The date is too far ahead – at most a year from now."),
}

REFUSALS = {
    "not_on_ladder": N_("You are not on this matter's escalation ladder and cannot take it on."),
    "evidence_required": N_("Add evidence – a link or a document – before the milestone can be marked done."),
    "waiting": N_("This can be marked done only once this is done: {names}."),
    "already_done": N_("The milestone is already marked done by {who}."),
    "phase_approved": N_("The phase is already approved; its milestones can no longer change."),
    "phase_not_open": N_("The phase has not started yet."),
    "retired": N_("The milestone is no longer part of the process."),
    "dated_before": N_("The change is dated before what it depends on, which happened on {names}. Date it that day "
                       "or later."),
    "not_open": N_("It is no longer open – someone may have done or closed it meanwhile. The page has been updated."),
    "not_done": N_("The milestone is not marked done (any more) – someone may have undone it meanwhile. There is "
                   "nothing to undo."),
    "phase_approved_by": N_("The phase is already approved, by {who}. The page has been updated."),
    "gate_not_met": N_("The phase cannot be approved yet: what it still needs is shown under the phase."),
    "plan_closed": N_("The handlingsplan is no longer being written – it has been approved. Nothing was added."),
    "no_plan_yet": N_("The area has no handlingsplan yet. It is written while the phase Handlingsplan is open."),
    "no_wave_yet": N_("No survey has answers from the area yet. The profile is made once a survey is imported."),
    "not_in_plan": N_("The programme is not in the area's handlingsplan. Choose it in the plan first."),
}


PROBLEMS = {
    "personal_column": (
        N_("The column looks like personal data – the survey is anonymous."),
        N_("Remove the column from the export before uploading it."),
    ),
    "repeated_column": (N_("The column appears more than once."), N_("Keep one of them.")),
    "missing_columns": (
        N_("Missing columns: {columns}"),
        N_("The header must have delomrade, arskurs, kon and every question of the survey."),
    ),
    "personal_value": (
        N_("A value looks like a personal identity number or an e-mail address."),
        N_("The survey is anonymous: remove the personal data from the export."),
    ),
    "unknown_value": (N_("'{value}' is not a known value."), N_("Use one of: {options}")),
    "empty_value": (N_("The value is missing."), N_("Use one of: {options}")),
    "empty_delomrade": (
        N_("The sub-area is missing."),
        N_("Every pupil needs the sub-area of the school or home."),
    ),
    "near_delomrade": (
        N_("'{value}' is not a sub-area of any area. Did you mean '{near}'?"),
        N_("Correct the spelling or ask the coordinator to add the sub-area."),
    ),
    "not_on_scale": (
        N_("'{value}' is not an answer on this question's scale."),
        N_("Use {codes} or the answers' text."),
    ),
    "missing_cost_columns": (
        N_("Missing columns: {columns}"),
        N_("The header must have year, administration and amount (area and category may be there)."),
    ),
    "not_a_year": (N_("'{value}' is not a year."), N_("Write the year, for example 2023.")),
    "not_an_amount": (
        N_("'{value}' is not an amount in kronor."),
        N_("Write for example 1 250 000 or 1250000.50."),
    ),
    "near_administration": (N_("Unknown administration '{value}'."), N_("Did you mean {near}?")),
    "unknown_administration_row": (
        N_("Unknown administration '{value}'."),
        N_("Use one of the city's administrations as the organisation names them."),
    ),
    "unknown_area_row": (
        N_("Unknown area '{value}'."),
        N_("Use the area's name or leave it empty for central costs."),
    ),
}


def in_words(exc: CtcError, lang: str) -> str | None:
    """The reader's sentence for a refusal the catalogues know, else None (the message stands)."""
    t = words(lang)
    if isinstance(exc, Invalid) and exc.reason in INVALID:
        return t(INVALID[exc.reason])
    reason, names = getattr(exc, "reason", None), getattr(exc, "names", ())
    if isinstance(reason, str) and reason in REFUSALS:
        listed = t(", ").join(names)
        return t(REFUSALS[reason]).format(names=listed, who=listed)
    return None
