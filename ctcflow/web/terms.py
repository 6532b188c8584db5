"""The pages' closed sets of words — errors by reason, the history's lines and events,
ordinals, the escalations' kinds — marked for the catalogues and translated where shown (a
refusal's words and a refused file's problems are ``core.refusals``, shared with the CLI)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ctcflow.core.refusals import PROBLEMS
from ctcflow.core.words import N_, translated
from ctcflow.report.terms import SECTIONS, TIMELINE_LEGEND

ERRORS = {
    "signed_out": (
        N_("You are not signed in"),
        N_("Sign in with a link to your own channel, or open the link in a reminder."),
    ),
    "link_tampered": (
        N_("The link is not valid"),
        N_("The link was changed or copied incompletely. Open it again from the message, or sign in and ask for a new "
           "one."),
    ),
    "link_wrong": (N_("The link is not valid"), N_("The link is not meant for this.")),
    "link_expired": (
        N_("The link has expired"),
        N_("Links are valid for a limited time. Sign in and ask for a new link – nothing has changed."),
    ),
    "link_used": (
        N_("The link has been used"),
        N_("Each link in a message works once. Sign in and ask for a new link – nothing has changed."),
    ),
    "link_person": (
        N_("The link is no longer valid"),
        N_("The person is not listed or not active in areas.yml."),
    ),
    "other_area": (
        N_("Not your area"),
        N_("You can only see and change your own area. Nothing has changed."),
    ),
    "central_only": (
        N_("For the central coordination only"),
        N_("The city overview is for the central roles."),
    ),
    "survey_only": (
        N_("Not your task"),
        N_("Surveys are uploaded by the analysis function or the central coordinator. Nothing has changed."),
    ),
    "coordinator_only": (
        N_("Not your task"),
        N_("The central coordinator does this. Nothing has changed."),
    ),
    "bad_form": (
        N_("The form has expired"),
        N_("Reload the page and try again. Nothing has changed."),
    ),
    "not_marked": (N_("Could not mark it"), N_("Nothing has changed:")),
    "not_undone": (N_("Could not undo it"), N_("Nothing has changed:")),
    "not_approved": (N_("Could not approve the phase"), N_("Nothing has changed:")),
    "not_saved": (N_("Could not save it"), N_("Nothing has changed:")),
    "not_closed": (N_("Could not close it"), N_("Nothing has changed:")),
    "nothing_yet": (N_("Nothing to show yet"), N_("There is nothing here yet:")),
    "milestone_role": (
        N_("Not your task"),
        N_("A milestone is marked by the role that owns it, the area's development lead (for the area's roles) or "
           "the central coordinator – the milestone says who. Nothing has changed."),
    ),
    "approver_only": (
        N_("Not your task"),
        N_("The phase is approved by its approver role – the phase says who approves. Nothing has changed."),
    ),
    "not_found": (N_("No such page"), N_("Check the address.")),
    "bad_request": (N_("Bad request"), N_("Check the address.")),
    "report_owner_only": (
        N_("For the report's owner only"),
        N_("The report is previewed and sent by the one responsible for it."),
    ),
    "too_big": (
        N_("The file is too big"),
        N_("Upload at most 25 MB or link to the document."),
    ),
    "link_scope": (
        N_("The link is for something else"),
        N_("You opened this page from a link in a message, and it covers only what the link is about. Sign in to see "
           "and do more – nothing has changed."),
    ),
    "sso_state": (
        N_("The sign-in could not be completed"),
        N_("The sign-in did not begin in this browser, was changed on the way or took too long. Start again from the "
           "sign-in page – nothing has changed."),
    ),
    "sso_refused": (
        N_("The sign-in was cancelled"),
        N_("The sign-in service did not accept the sign-in. Start again from the sign-in page, or ask for a link to "
           "your e-mail."),
    ),
    "sso_unknown": (
        N_("You are not among the people of CTC"),
        N_("Your account is not among the people of CTC. Contact the central coordinator, who can add you."),
    ),
    "sso_unavailable": (
        N_("The sign-in service does not answer"),
        N_("Try again in a while, or ask for a sign-in link to your e-mail."),
    ),
    "too_many": (
        N_("Too many attempts"),
        N_("Wait a while and try again. Nothing has changed."),
    ),
    "bad_value": (
        N_("Wrong address"),
        N_("The address contains something that cannot be right. Go back and try again."),
    ),
    "not_allowed": (N_("Not possible here"), N_("This page does not accept what was sent.")),
    "definitions_invalid": (
        N_("A settings file has a mistake"),
        N_("This page cannot be shown until the mistake below is corrected in the settings file. Nothing has "
           "changed; the central coordinator is told on the overview."),
    ),
    "server_error": (
        N_("Something went wrong on our side"),
        N_("Nothing has changed. Try again in a while; if it goes on, contact the central coordinator."),
    ),
}


ORDINALS = (
    N_("First"),
    N_("Second"),
    N_("Third"),
    N_("Fourth"),
    N_("Fifth"),
    N_("Sixth"),
    N_("Seventh"),
    N_("Eighth"),
    N_("Ninth"),
    N_("Tenth"),
)


HISTORY_LINES = {
    "milestone_done": N_("marked {what} done"),
    "milestone_undone": N_("reopened {what}"),
    "milestone_closed": N_("closed {what} as no longer relevant"),
    "phase_opened": N_("– the phase {what} opened"),
    "phase_approved": N_("approved the phase {what}"),
    "priorities_decided": N_("decided the priority factors: {detail}"),
    "plan_goal": N_("added a goal for {what}: {detail}"),
    "plan_programme": N_("chose the programme {what} against {detail}"),
    "implementation": N_("reported how {what} ran"),
    "mandate_entry": N_("reported on {what}: {detail}"),
    "cost_added": N_("recorded costs for {what}"),
    "report_sent": N_("handed the report for {detail} over for sending"),
    "due_changed": N_("– new date for {what}: {detail}"),
    "milestone_added": N_("– {what} was added"),
    "milestone_retired": N_("– {what} is no longer part of it"),
    "area_added": N_("– the area was added"),
    "person_joined": N_("added {what} as {role} from {detail}"),
    "person_left": N_("ended {what}'s role as {role}, last day {detail}"),
    "person_address": N_("corrected {what}'s e-mail address to {detail}"),
    "wave_corrected": N_("– the survey {what}, which the priorities decided {detail} rest on, was imported "
                         "again; the decision stands"),
    "other": N_("– {what}"),
}


LANG_NAMES = {
    "sv": N_("Swedish"),
    "en": N_("English"),
}

ESC_KINDS = {
    "report_escalation": N_("Report not delivered"),
    "not_started": N_("The area has not started"),
    "inactive": N_("Nothing happens in the area"),
    "vacancy": N_("Vacant role"),
    "area_late": N_("The area's late milestones"),
    "escalation": N_("Late milestone"),
}


@lru_cache(maxsize=4)
def web_terms(lang: str) -> dict[str, Any]:
    """Every set above in ``lang``, for the templates (``terms.errors[…]``)."""
    said: dict[str, Any] = translated(lang, {"errors": ERRORS, "problems": PROBLEMS, "esc_kinds": ESC_KINDS,
                             "lang_names": LANG_NAMES, "sections": SECTIONS, "timeline_legend": TIMELINE_LEGEND})
    return said
