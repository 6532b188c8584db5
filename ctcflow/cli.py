"""The `ctc` command: a thin shell over the domain functions; no logic of its own.

Errors the user can fix are printed as one clear message (exit 2), never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctcflow import calendar
from ctcflow.config import get_settings
from ctcflow.definitions import Definitions, load_definitions
from ctcflow.errors import CtcError, DefinitionError
from ctcflow.i18n import t
from ctcflow.sync import SyncPlan
from ctcflow.texttable import render_table

if TYPE_CHECKING:
    from ctcflow.delivery import DeliveryReport
    from ctcflow.jobs import SweepResult


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD") from None


def _as_of(args: argparse.Namespace) -> date:
    return args.as_of or calendar.today()


def _lang(args: argparse.Namespace) -> str:
    return args.lang or get_settings().lang


def cmd_init(args: argparse.Namespace) -> int:
    from ctcflow.commands import init_database

    plan = init_database(_as_of(args))
    print(f"database ready at {get_settings().db_url}")
    _print_plan(plan)
    return 0


def _print_plan(plan: SyncPlan) -> None:
    if plan.empty:
        print("nothing to change: the database matches phases.yml and areas.yml")
        return
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(plan.counts().items()))
    print(f"{len(plan.steps)} change(s) — {counts}")
    shown = [s for s in plan.steps if s.kind != "area_added"][:200]
    for step in shown:
        print("  " + step.describe())
    if plan.new_areas:
        print(f"  area_added           {len(plan.new_areas)} area(s): {', '.join(plan.new_areas[:10])}"
              + (" …" if len(plan.new_areas) > 10 else ""))


def cmd_check(args: argparse.Namespace) -> int:
    from ctcflow.commands import check_database

    defs = load_definitions()
    phases = len(defs.process.phases)
    milestones = sum(len(p.milestones) for p in defs.process.phases)
    reports = ", ".join(f"{r.id} due {r.due}" for r in defs.process.reports)
    print(f"phases.yml: {phases} phases, {milestones} milestones" + (f", reports: {reports}" if reports else "")
          + " — ok")
    print(f"areas.yml: {len(defs.org.areas)} areas — ok")
    from ctcflow.programmes import load_programmes
    from ctcflow.survey.definition import load_survey

    survey = load_survey()
    print(f"survey.yml: {len(survey.items)} items, {len(survey.factors)} factors, {len(survey.outcomes)} outcomes — ok")
    print(f"programmes.yml: {len(load_programmes().programmes)} programmes — ok")
    _print_channels(defs)
    pending = check_database(defs)
    if pending is None:
        print("database: not initialised (run `ctc init`)")
    elif pending.empty:
        print("database: in step with the definitions — ok")
    else:
        print(f"database: {len(pending.steps)} change(s) pending — run `ctc sync` to apply them:")
        _print_plan(pending)
        return 1
    return 0


def _print_channels(defs: Definitions) -> None:
    from ctcflow.channels import unset_references

    references: dict[str, list[str]] = {}
    for person in defs.org.everyone():
        references.setdefault(person.notify, []).append(person.id)
    missing = unset_references(references)
    if not missing:
        print(f"channels: {len(references)} references — all env: ones are set")
        return
    print(f"channels: {len(missing)} of {len(references)} references are not set here; notices to them will "
          "wait in the outbox until they are:")
    for reference, people in list(missing.items())[:20]:
        print(f"  {reference}  ({', '.join(people)})")
    if len(missing) > 20:
        print(f"  … {len(missing) - 20} more")


def cmd_sync(args: argparse.Namespace) -> int:
    from ctcflow.commands import sync_database

    plan = sync_database(_as_of(args), dry_run=args.dry_run)
    _print_plan(plan)
    if args.dry_run and not plan.empty:
        print("(dry run: nothing was changed)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from ctcflow.commands import status_report

    lang, as_of = _lang(args), _as_of(args)
    defs, areas, milestones = status_report(as_of, args.area)
    if args.json:
        payload = {"as_of": as_of.isoformat(),
                   "areas": [a.as_json() for a in areas],
                   **({"milestones": [m.as_json() for m in milestones]} if args.area else {})}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(f"{t('status_title', lang)} ({t('as_of', lang)} {as_of})")
    print(render_table(
        [t(key, lang) for key in ("area", "phase", "cycle", "since", "done_share", "overdue")],
        [[a.area_name, _phase_title(defs, a.phase_id, lang), a.cycle or "", a.phase_opened_on or "",
          f"{a.milestones_done}/{a.milestones_total} ({a.share_done:.0%})" if a.phase_id else "",
          a.overdue or ""] for a in areas]))
    if args.area:
        print()
        print(render_table(
            [t("phase", lang), t("milestone", lang), t("owner", lang), t("due", lang), t("state", lang),
             t("done_by", lang), t("evidence", lang)],
            [[m.phase_id, _milestone_title(defs, m.milestone_id, lang) + ("" if m.required else " (*)"),
              _role_title(defs, m.owner, lang), m.due_date or "–", t(f"state.{m.state}", lang),
              f"{m.done_by} {m.done_on}" if m.done_by else "", m.evidence or ""] for m in milestones]))
    return 0


def _phase_title(defs: Definitions, phase_id: str | None, lang: str) -> str:
    if phase_id is None:
        return t("not_started", lang)
    phase = next((p for p in defs.process.phases if p.id == phase_id), None)
    return phase.title.get(lang) if phase else phase_id


def _role_title(defs: Definitions, role_id: str, lang: str) -> str:
    role = defs.process.role(role_id)
    return role.title.get(lang) if role else role_id


def _milestone_title(defs: Definitions, milestone_id: str, lang: str) -> str:
    found = defs.milestone(milestone_id)
    return found[1].title.get(lang) if found else milestone_id


def cmd_done(args: argparse.Namespace) -> int:
    from ctcflow.commands import record_done

    mi = record_done(args.area, args.milestone, by=args.by, as_of=_as_of(args),
                     evidence=args.evidence, note=args.note)
    print(f"✓ {args.area}: {args.milestone} done {mi.done_on} by {mi.done_by}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from ctcflow.commands import record_undo

    record_undo(args.area, args.milestone, by=args.by, as_of=_as_of(args), note=args.note)
    print(f"↺ {args.area}: {args.milestone} reopened (the earlier 'done' stays in the history)")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from ctcflow.commands import record_approval

    opened = record_approval(args.area, args.phase, by=args.by, as_of=_as_of(args), note=args.note)
    print(f"✓ {args.area}: {args.phase} approved by {args.by}")
    for pi in opened:
        print(f"  → {pi.phase_id} (cycle {pi.cycle}) opened {pi.opened_on}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from ctcflow.commands import history

    lang = _lang(args)
    events = history(args.area)
    print(render_table(
        [t("when", lang), t("who", lang), t("what", lang), "", t("change", lang), ""],
        [[e.effective_on, e.actor, e.kind, e.subject or "",
          f"{e.old or ''} → {e.new or ''}" if (e.old or e.new) else "", e.note or ""] for e in events]))
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from ctcflow.commands import calendar_file

    text = calendar_file(args.area, _as_of(args), _lang(args))
    target = Path(args.output or f"{args.area}.ics")
    target.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {target} ({text.count('BEGIN:VEVENT')} deadlines)")
    return 0


def _print_notices(result: SweepResult, lang: str) -> None:
    shown = result.enqueued
    if not shown:
        return
    print(render_table(
        [t("kind", lang), t("area", lang), t("subject", lang), t("recipient", lang)],
        [[t(f"kind.{p.kind}", lang), p.area_id or "", p.subject, p.recipient] for p in shown[:500]]))
    if len(shown) > 500:
        print(f"… {len(shown) - 500} more")


def _print_delivery(report: DeliveryReport | None, lang: str) -> None:
    if report is None:
        print(t("no_delivery_today", lang))
        return
    if report.recovered:
        print(f"{report.recovered} " + t("recovered", lang))
    if report.cancelled:
        print(f"{report.cancelled} " + t("cancelled", lang))
    print(f"{t('sent', lang)}: {len(report.sent)}, {t('failed', lang)}: {len(report.failed)}")
    for outcome in report.failed:
        print(f"  ✗ #{outcome.id} {outcome.recipient} ({outcome.attempts}): {outcome.error}")


def cmd_sweep(args: argparse.Namespace) -> int:
    from ctcflow.jobs import sweep

    lang, as_of = _lang(args), _as_of(args)
    defs = load_definitions()
    result = sweep(as_of, digest=args.digest, dry_run=args.dry_run, deliver=not args.no_deliver, defs=defs)
    if not result.business_day:
        print(f"{as_of}: {t('not_business_day', lang)}")
    for area_id, phase_id, cycle in result.opened:
        print(f"→ {area_id}: {_phase_title(defs, phase_id, lang)} ({t('cycle', lang).lower()} {cycle})")
    verb = t("would_enqueue", lang) if args.dry_run else t("enqueued", lang)
    print(f"{as_of}: {len(result.planned)} {t('decided', lang)}, {len(result.enqueued)} {verb}")
    _print_notices(result, lang)
    if args.dry_run:
        print(t("dry_run", lang))
    elif not args.no_deliver:
        _print_delivery(result.delivery, lang)
    return 1 if result.delivery and result.delivery.failed else 0


def cmd_deliver(args: argparse.Namespace) -> int:
    from ctcflow.jobs import deliver

    lang = _lang(args)
    report = deliver(_as_of(args), force=args.force)
    _print_delivery(report, lang)
    return 1 if report and report.failed else 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from ctcflow.commands import outbox_rows, retry_now

    lang = _lang(args)
    if args.retry is not None:
        count = retry_now(args.retry)
        print(f"{count} {t('retry_scheduled', lang)}")
        return 0
    rows = outbox_rows(args.status, args.area, args.limit)
    print(render_table(
        ["#", t("kind", lang), t("when", lang), t("area", lang), t("recipient", lang), t("state", lang),
         t("attempts", lang), t("subject", lang)],
        [[n.id, t(f"kind.{n.kind}", lang), n.as_of, n.area_id or "", n.recipient, n.status, n.attempts, n.subject]
         for n in rows]))
    failing = [n for n in rows if n.status == "pending" and n.last_error]
    for n in failing:
        print(f"✗ #{n.id} {n.recipient} ({n.reference}), {n.attempts}× — {n.last_error}")
    if failing:
        print(t("retry_hint", lang))
    return 0


def cmd_survey_import(args: argparse.Namespace) -> int:
    from ctcflow.survey.service import import_wave

    report = import_wave(args.wave, args.file, _as_of(args))
    wave = report.wave
    print(f"survey wave {wave.id}: {wave.respondents} answers from {wave.source}, {wave.valid} valid "
          f"(excluded: {wave.excluded_fictitious} fictitious drug, {wave.excluded_implausible} implausible, "
          f"{wave.excluded_inconsistent} inconsistent)")
    if report.outside_areas:
        listed = ", ".join(f"{name} {count}" for name, count in sorted(report.outside_areas.items()))
        print(f"  pupils from delområden outside the CTC areas (counted for the city only): {listed}")
    if report.ignored_columns:
        print(f"  columns not in survey.yml, ignored: {', '.join(report.ignored_columns)}")
    print(f"  areas with answers: {len(report.areas_with_answers)}; compared with wave {report.previous or '–'}")
    by_area: dict[str, list[str]] = {}
    for candidate in report.candidates:
        by_area.setdefault(candidate.area_id, []).append(candidate.factor_id)
    for area_id in report.areas_with_answers:
        print(f"  {area_id}: suggested {', '.join(by_area.get(area_id, [])) or '(nothing stands out)'}")
    for area_id, milestone_id in report.milestones_done:
        print(f"  ✓ {area_id}: {milestone_id} done (evidence: CTC-enkät {wave.id})")
    for area_id, milestone_id, why in report.milestones_waiting:
        print(f"  … {area_id}: {milestone_id} still open: {why}")
    return 0


def cmd_survey_profile(args: argparse.Namespace) -> int:
    from ctcflow.commands import survey_profile

    return _write_page(survey_profile(args.area, args.wave, _lang(args)),
                       args.output or f"omradesprofil-{args.area}-{args.wave}.html")


def _write_page(html: str, target: str) -> int:
    Path(target).write_text(html, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def cmd_survey_decide(args: argparse.Namespace) -> int:
    from ctcflow.survey.service import record_decision

    factors = [f.strip() for f in args.factors.split(",") if f.strip()]
    decision, why_not = record_decision(args.area, args.wave, factors, by=args.by, as_of=_as_of(args), note=args.note)
    print(f"✓ {args.area}: priority factors {', '.join(factors)} decided {decision.decided_on} "
          f"by {decision.decided_by}")
    if why_not:
        print(f"  the decision is recorded; its milestone is not marked done: {why_not}")
    return 0


def cmd_survey_calibrate(args: argparse.Namespace) -> int:
    from ctcflow.survey.service import calibrate_file

    points = calibrate_file(args.file, args.share)
    print(f"# cut points putting {args.share:.0%} of this wave's valid pupils above; paste into survey.yml")
    for factor_id, point in points.items():
        print(f"{factor_id}: {point}")
    return 0


def cmd_survey_waves(args: argparse.Namespace) -> int:
    from ctcflow.commands import survey_waves

    print(render_table(["wave", "source", "answers", "valid", "imported"],
                       [[w.id, w.source, w.respondents, w.valid, w.imported_at.date()] for w in survey_waves()]))
    return 0


def cmd_plan_goal(args: argparse.Namespace) -> int:
    from ctcflow.commands import plan_goal

    plan_goal(args.area, args.subject, args.target, by=args.by, as_of=_as_of(args))
    print(f"✓ {args.area}: goal for {args.subject}: {args.target}")
    return 0


def cmd_plan_programme(args: argparse.Namespace) -> int:
    from ctcflow.commands import plan_programme

    plan_programme(args.area, args.factor, args.programme, by=args.by, as_of=_as_of(args), note=args.note)
    print(f"✓ {args.area}: {args.programme} against {args.factor}")
    return 0


def cmd_plan_show(args: argparse.Namespace) -> int:
    from ctcflow.commands import plan_document

    return _write_page(plan_document(args.area, _lang(args)), args.output or f"handlingsplan-{args.area}.html")


def cmd_implementation(args: argparse.Namespace) -> int:
    from ctcflow.commands import implementation

    low = implementation(args.area, args.programme, period_end=args.period_end or _as_of(args),
                         sessions_planned=args.sessions_planned, sessions_held=args.sessions_held,
                         participants=args.participants, adherence=args.adherence, by=args.by,
                         as_of=_as_of(args), note=args.note)
    print(f"✓ {args.area}: {args.programme} {args.sessions_held}/{args.sessions_planned} sessions, "
          f"{args.participants} participants, adherence {args.adherence:.0%}")
    if low:
        print("  ⚠ below the programme's minimum adherence: the utvecklingsledare is told at the next sweep")
    return 0


def cmd_phases_check(args: argparse.Namespace) -> int:
    from ctcflow.commands import phase_findings

    lang, as_of = _lang(args), _as_of(args)
    defs, findings = phase_findings(as_of, args.area)
    if not findings:
        print(f"{as_of}: " + ("inget saknas" if lang == "sv" else "nothing missing"))
        return 0
    print(render_table(
        [t("area", lang), t("phase", lang), t("cycle", lang), "gate", t("recipient", lang), ""],
        [[f.area_id, _phase_title(defs, f.phase_id, lang), f.cycle, "✗" if f.blocks_gate else "", f.tell,
          f.text(lang)] for f in findings]))
    return 0


def cmd_cost_import(args: argparse.Namespace) -> int:
    from ctcflow.commands import cost_import
    from ctcflow.records import kronor

    result = cost_import(args.file, by=args.by, as_of=_as_of(args))
    print(f"✓ {result.rows} cost rows, {kronor(result.total_ore)}, years {', '.join(map(str, result.years))}"
          + (f" (replacing {result.replaced} rows from the earlier import of {args.file.name})" if result.replaced
             else ""))
    return 0


def cmd_cost_add(args: argparse.Namespace) -> int:
    from ctcflow.commands import cost_add

    cost_add(year=args.year, administration=args.administration, amount=args.amount, area_id=args.area,
             category=args.category, note=args.note, by=args.by, as_of=_as_of(args))
    print(f"✓ {args.year} {args.administration}: {args.amount}")
    return 0


def cmd_cost_list(args: argparse.Namespace) -> int:
    from ctcflow.commands import cost_table
    from ctcflow.records import kronor

    rows = cost_table(args.year)
    print(render_table(["år", t("area", _lang(args)), "förvaltning", "belopp"],
                       [[y, a or "(central)", adm, kronor(o)] for y, a, adm, o in rows]))
    by_year: dict[int, int] = {}
    for year, _, _, ore in rows:
        by_year[year] = by_year.get(year, 0) + ore
    for year, total in sorted(by_year.items()):
        print(f"{year}: {kronor(total)}")
    return 0


def cmd_entry_add(args: argparse.Namespace) -> int:
    from ctcflow.commands import mandate_add

    mandate_add(args.area, args.kind, happened_on=args.date or _as_of(args), description=args.description,
                evidence=args.evidence, by=args.by, as_of=_as_of(args))
    print(f"✓ {args.area}: {args.kind} recorded")
    return 0


def cmd_entry_list(args: argparse.Namespace) -> int:
    from ctcflow.commands import mandate_list
    from ctcflow.records import MANDATES

    lang = _lang(args)
    entries = mandate_list(args.area, args.kind)
    print(render_table([t("area", lang), t("what", lang), t("when", lang), "", t("evidence", lang)],
                       [[e.area_id, MANDATES[e.kind].get(lang), e.happened_on, e.description, e.evidence or ""]
                        for e in entries]))
    return 0


def cmd_report_make(args: argparse.Namespace) -> int:
    from ctcflow.commands import report_make
    from ctcflow.delivery import deliver_pending

    area = getattr(args, "area", None)
    content, files, sent_to = report_make(args.report if area is None else "ks", args.period, as_of=_as_of(args),
                                          lang=_lang(args), area_id=area, formats=tuple(args.format),
                                          send=args.send, by=args.by)
    out = args.out or Path(".")
    out.mkdir(parents=True, exist_ok=True)
    for rendering in files:
        (out / rendering.filename).write_bytes(rendering.content)
        print(f"wrote {out / rendering.filename}  sha256 {rendering.sha256[:16]}")
    if "pdf" in args.format and not any(f.format == "pdf" for f in files):
        from ctcflow.report.render import PDF_MAX_AREAS

        print(f"no PDF: {len(content.areas)} areas is more than the {PDF_MAX_AREAS} a PDF is made for; "
              "the HTML prints the same (and is what --send attaches)", file=sys.stderr)
    for gap in content.gaps:
        where = next((a.name for a in content.areas if a.id == gap.area_id), "city") if gap.area_id else "city"
        owed = ", ".join(gap.people) or "nobody holds the role"
        print(f"gap: {where}: {gap.section}{f' {gap.year}' if gap.year else ''} (owed by {gap.role}: {owed})",
              file=sys.stderr)
    if sent_to:
        print(f"✓ sent to {', '.join(sent_to)}")
        _print_delivery(deliver_pending(), _lang(args))
    return 0


def cmd_report_list(args: argparse.Namespace) -> int:
    from ctcflow.commands import report_archive, report_calendar

    as_of = _as_of(args)
    rows = [[o.key, o.due.isoformat(), o.period.label(),
             f"sent {sent}" if sent else ("OVERDUE" if o.due < as_of else "due")]
            for o, sent in report_calendar(as_of)]
    print(render_table(["report", "due", "period", "state"], rows))
    archived = report_archive(args.report)
    if archived:
        print()
        print(render_table(["id", "report", "scope", "period", "as of", "file", "sha256", "sent"],
                           [[a.id, a.report_id, a.scope, f"{a.period_start}..{a.period_end}", a.as_of, a.filename,
                             a.sha256[:16], f"{a.sent_on} → {a.sent_to}" if a.sent_on else ""] for a in archived]))
    return 0


def cmd_report_get(args: argparse.Namespace) -> int:
    from ctcflow.commands import report_file

    name, content = report_file(args.id)
    target = args.output or Path(name)
    target.write_bytes(content)
    print(f"wrote {target}")
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from ctcflow.web.server import run

    return run(args.host, args.port, as_of=args.as_of)


def cmd_web_link(args: argparse.Namespace) -> int:
    from ctcflow.definitions import load_definitions
    from ctcflow.web.links import Links

    found = load_definitions().org.person(args.person)
    if found is None:
        raise CtcError(f"'{args.person}' is not a person in areas.yml")
    print(Links().login(found[0].id, minutes=args.minutes))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ctcflow.serve import serve

    return serve(args.port)


def cmd_demo(args: argparse.Namespace) -> int:
    from ctcflow.demo import run_demo

    return run_demo(until=args.until, lang=_lang(args), workdir=args.workdir)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("sv", "en"), help="language of the output (default sv)")
    timed = argparse.ArgumentParser(add_help=False)
    timed.add_argument("--as-of", type=_date, help="the day to act as of (YYYY-MM-DD); default today in Stockholm")
    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument("--by", required=True, help="person id from areas.yml")
    actor.add_argument("--note")

    parser = argparse.ArgumentParser(prog="ctc", description="Communities That Care, run as a process.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
            parents: Sequence[argparse.ArgumentParser] = (), under: Any = sub) -> argparse.ArgumentParser:
        cmd = under.add_parser(name, help=help_text, parents=[common, *parents])
        cmd.set_defaults(handler=handler)
        return cmd

    add("init", cmd_init, "create or upgrade the database and load phases.yml and areas.yml", [timed])
    add("check", cmd_check, "validate phases.yml, areas.yml and the database against them")
    add("sync", cmd_sync, "apply changes of phases.yml/areas.yml, printing the plan", [timed]).add_argument(
        "--dry-run", action="store_true", help="print the plan only")
    status = add("status", cmd_status, "every area's phase and progress", [timed])
    status.add_argument("--area", help="show one area's milestones")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    done = add("done", cmd_done, "record a milestone as done", [timed, actor])
    done.add_argument("area")
    done.add_argument("milestone")
    done.add_argument("--evidence", help="a link, document reference or file name")
    undo = add("undo", cmd_undo, "reopen a milestone marked done (recorded, not erased)", [timed, actor])
    undo.add_argument("area")
    undo.add_argument("milestone")
    approve = add("approve", cmd_approve, "approve a phase whose gate is met", [timed, actor])
    approve.add_argument("area")
    approve.add_argument("phase")
    add("history", cmd_history, "the area's event log").add_argument("area")
    cal = add("calendar", cmd_calendar, "write the area's deadlines as an .ics file", [timed])
    cal.add_argument("area")
    cal.add_argument("--output", "-o", help="file to write (default AREA.ics)")
    sweep = add("sweep", cmd_sweep, "open phases, decide today's reminders and escalations, and send them", [timed])
    sweep.add_argument("--dry-run", action="store_true", help="print what would be sent; change nothing")
    sweep.add_argument("--no-deliver", action="store_true", help="write to the outbox only")
    sweep.add_argument("--digest", action="store_true", help="also the weekly digest to the central samordnare")
    deliver = add("deliver", cmd_deliver, "send what is pending in the outbox (retries included)", [timed])
    deliver.add_argument("--force", action="store_true", help="send even on a weekend or holiday")
    outbox = add("outbox", cmd_outbox, "list the notification outbox; retry failed deliveries now")
    outbox.add_argument("--status", choices=("pending", "sending", "sent", "cancelled", "failing"))
    outbox.add_argument("--area")
    outbox.add_argument("--limit", type=int, default=50)
    outbox.add_argument("--retry", nargs="*", type=int, metavar="ID",
                        help="send these pending ids (all failing ones without ids) at the next delivery")
    survey = sub.add_parser("survey", help="the CTC-enkät: import a wave, profiles, the team's decision")
    survey_sub = survey.add_subparsers(dest="survey_command", required=True)

    def add_survey(name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
                   parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
        return add(name, handler, help_text, parents, under=survey_sub)

    imp = add_survey("import", cmd_survey_import, "import a wave from a CSV or XLSX export (all or nothing)", [timed])
    imp.add_argument("wave", help="the wave's name, e.g. 2023")
    imp.add_argument("file", type=Path)
    prof = add_survey("profile", cmd_survey_profile, "write an area's områdesprofil as HTML")
    prof.add_argument("area")
    prof.add_argument("--wave", required=True)
    prof.add_argument("--output", "-o")
    dec = add_survey("decide", cmd_survey_decide, "record the områdesteam's 2–5 priority factors", [timed, actor])
    dec.add_argument("area")
    dec.add_argument("--wave", required=True)
    dec.add_argument("--factors", required=True, help="comma-separated factor ids from survey.yml")
    cal = add_survey("calibrate", cmd_survey_calibrate, "suggest cut points from a reference wave")
    cal.add_argument("file", type=Path)
    cal.add_argument("--share", type=float, default=0.3, help="share of pupils above the cut point (default 0.3)")
    add_survey("waves", cmd_survey_waves, "the imported waves")
    plan = sub.add_parser("plan", help="the handlingsplan: goals, programmes, the document")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    goal = add("goal", cmd_plan_goal, "a measurable goal for a priority factor or behaviour", [timed, actor],
               under=plan_sub)
    goal.add_argument("area")
    goal.add_argument("--subject", required=True, help="a factor or outcome id from survey.yml")
    goal.add_argument("--target", required=True, help='e.g. "from 49 % to 40 % by the 2025 survey"')
    prog = add("programme", cmd_plan_programme, "a programme from programmes.yml against a priority factor",
               [timed, actor], under=plan_sub)
    prog.add_argument("area")
    prog.add_argument("--factor", required=True)
    prog.add_argument("--programme", required=True)
    show = add("show", cmd_plan_show, "write the area's handlingsplan as HTML for approval", under=plan_sub)
    show.add_argument("area")
    show.add_argument("--output", "-o")
    impl = add("implementation", cmd_implementation, "record how a programme ran: sessions, reach, fidelity",
               [timed, actor])
    impl.add_argument("area")
    impl.add_argument("programme")
    impl.add_argument("--period-end", type=_date, help="last day of the period (default: the as-of day)")
    impl.add_argument("--sessions-planned", type=int, required=True)
    impl.add_argument("--sessions-held", type=int, required=True)
    impl.add_argument("--participants", type=int, required=True)
    impl.add_argument("--adherence", type=float, required=True, help="share of the protocol followed, 0–1")
    phases = sub.add_parser("phases", help="what each phase's own checks find in the data")
    phases_sub = phases.add_subparsers(dest="phases_command", required=True)
    add("check", cmd_phases_check, "list what is missing per area and phase (changes nothing)", [timed],
        under=phases_sub).add_argument("--area")
    cost = sub.add_parser("cost", help="CTC's annual costs per administration and area")
    cost_sub = cost.add_subparsers(dest="cost_command", required=True)
    cimp = add("import", cmd_cost_import, "import a cost sheet (CSV/XLSX: år, område, förvaltning, belopp)",
               [timed, actor], under=cost_sub)
    cimp.add_argument("file", type=Path)
    cadd = add("add", cmd_cost_add, "record one cost", [timed, actor], under=cost_sub)
    cadd.add_argument("--year", type=int, required=True)
    cadd.add_argument("--administration", required=True)
    cadd.add_argument("--amount", required=True, help='kronor, e.g. "1 250 000" or 1250000,50')
    cadd.add_argument("--area", help="the area the cost belongs to (empty: central)")
    cadd.add_argument("--category")
    add("list", cmd_cost_list, "costs per year, area and administration", under=cost_sub).add_argument(
        "--year", type=int, nargs="*")
    entry = sub.add_parser("entry", help="work on the mandated themes: boendemedverkan, jämställdhet, rasism/sexism")
    entry_sub = entry.add_subparsers(dest="entry_command", required=True)
    eadd = add("add", cmd_entry_add, "record what was done on a mandated theme", [timed, actor], under=entry_sub)
    eadd.add_argument("area")
    eadd.add_argument("--kind", required=True, choices=("boendemedverkan", "jamstalldhetsintegrering",
                                                         "rasism_sexism"))
    eadd.add_argument("--date", type=_date, help="when it happened (default: the as-of day)")
    eadd.add_argument("--description", required=True)
    eadd.add_argument("--evidence")
    elist = add("list", cmd_entry_list, "the recorded entries", under=entry_sub)
    elist.add_argument("--area")
    elist.add_argument("--kind")
    report = sub.add_parser("report", help="the report to KS and the areas' reports: render, archive, send")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    rks = add("ks", cmd_report_make, "the report to the municipal board for a period", [timed], under=report_sub)
    rarea = add("area", cmd_report_make, "one area's report for its team", [timed], under=report_sub)
    rarea.add_argument("area")
    for cmd in (rks, rarea):
        cmd.set_defaults(report="ks")
        cmd.add_argument("--period", required=cmd is rks,
                         help="the year a report is due (e.g. 2022) or FROM..TO (e.g. 2020-01-01..2021-12-31)")
        cmd.add_argument("--format", nargs="+", choices=("html", "pdf", "md"), default=["html", "pdf", "md"])
        cmd.add_argument("--out", type=Path, help="folder to write the files to (default: here)")
        cmd.add_argument("--send", action="store_true", help="send it to its recipients now (PDF attached)")
        cmd.add_argument("--by", default="ctc report", help="person id from areas.yml, for the archive and log")
    rlist = add("list", cmd_report_list, "the report calendar and the archive", [timed], under=report_sub)
    rlist.add_argument("--report", help="only this report (ks, area)")
    rget = add("get", cmd_report_get, "write an archived report file", under=report_sub)
    rget.add_argument("id", type=int)
    rget.add_argument("--output", type=Path)
    web = add("web", cmd_web, "the web pages for the samordnare and the area teams", [timed])
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8000)
    link = add("web-link", cmd_web_link, "print a one-time sign-in link to the web pages for a person")
    link.add_argument("person", help="person id from areas.yml")
    link.add_argument("--minutes", type=int, default=30, help="how long the link is valid (default 30)")
    add("serve", cmd_serve, "run the scheduled flows of prefect.yaml on a local Prefect server").add_argument(
        "--port", type=int, default=4200, help="port of the local Prefect server and UI (default 4200)")
    demo = add("demo", cmd_demo, "replay Malmö's five areas from 2018 on a fresh local database")
    demo.add_argument("--until", type=_date, default=date(2024, 12, 31))
    demo.add_argument("--workdir", type=Path, help="where the demo keeps its database (default .ctc/demo)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except DefinitionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except CtcError as exc:
        print(f"ctc: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
