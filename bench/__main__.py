"""`./run bench [--areas 4000] [--only scaling|delivery|attention|survey]`: the whole commands as
the city grows (1,000 / 4,000 / 16,000 areas); figures for a synthetic city on SQLite — init, sync,
status, the sweep, phase work, the report to KS, the web pages under load, the CTC-enkät; delivery to a local
mail server that accepts, refuses or never answers — and a
replay of a city of Malmö's shape: the mails each person gets and who knew of each failure when."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import date
from pathlib import Path

from bench.city import write_city
from bench.timing import clock
from ctcflow.core.config import reset_settings


def bench_attention(folder: Path) -> None:
    from rich.progress import Progress

    from bench.attention import LONG, replay
    from bench.attention_figures import report
    from bench.timing import clock

    days = (LONG.until - LONG.start).days
    with Progress(transient=True) as bar:
        task = bar.add_task("replaying", total=days)

        def advance(day: date) -> None:
            bar.update(task, completed=(day - LONG.start).days)

        figures, _ = clock(f"replay {LONG.start} – {LONG.until}, 14 areas, sweep + briefs + SMTP daily",
                           lambda: replay(folder, LONG, advance))
    print("\n".join(report(figures)))


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--areas", type=int, help="the city's areas (default 4000; workers: 2000 per tenant)")
    parser.add_argument("--only", choices=["scaling", "attention", "delivery", "survey", "workers"],
                        help="run one part only")
    parser.add_argument("--sizes", type=int, nargs="+", help="the scaling table's cities (default 1000 4000 16000)")
    args = parser.parse_args()
    if args.only == "survey":
        return survey_part()
    if args.only == "workers":
        return workers_part(args.areas or 2000)
    if args.only in (None, "scaling"):
        from bench.scaling import SIZES
        from bench.scaling import main as bench_scaling

        bench_scaling(tuple(args.sizes or SIZES))
        if args.only:
            return None
    if args.only is None:
        bench_city(args.areas or 4000)
    if args.only in (None, "delivery"):
        from bench.delivery import main as bench_delivery

        print("delivery: the outbox to a local SMTP server in its own process")
        bench_delivery()
        if args.only:
            return
    with tempfile.TemporaryDirectory(prefix="ctc-bench-attention-") as tmp:
        print("who knew, and when: a city of Malmö's shape replayed every working day")
        bench_attention(Path(tmp))
    if args.only is None:
        workers_part()


def bench_city(areas: int) -> None:
    with tempfile.TemporaryDirectory(prefix="ctc-bench-") as tmp:
        folder = Path(tmp)
        write_city(folder, areas)
        os.environ.update(CTC_PHASES_FILE=str(folder / "phases.yml"), CTC_AREAS_FILE=str(folder / "areas.yml"),
                          CTC_DATA_DIR=str(folder / "data"))
        os.environ.pop("CTC_DATABASE_URL", None)
        reset_settings()
        from ctcflow.app.progress import status_report
        from ctcflow.app.setup import init_database, sync_database
        from ctcflow.definition.loader import load_definitions

        print(f"synthetic city: {areas} areas, SQLite at {folder / 'data'}")
        clock("load + validate definitions", load_definitions)
        plan, _ = clock("ctc init (schema + all areas + milestones)", lambda: init_database(date(2018, 8, 1)))
        print(f"    {len(plan.new_areas)} areas created")
        clock("ctc sync (nothing to change)", lambda: sync_database(date(2019, 1, 1)))
        text = (folder / "phases.yml").read_text(encoding="utf-8")
        (folder / "phases.yml").write_text(text.replace("due: start + 6 months", "due: start + 7 months"), "utf-8")
        plan, _ = clock("ctc sync (a due rule changed everywhere)", lambda: sync_database(date(2019, 1, 1)))
        print(f"    {len(plan.steps)} due dates moved")

        def status_json() -> str:
            _, areas, _ = status_report(date(2019, 6, 1), None)
            return json.dumps([a.as_json() for a in areas])

        out, _ = clock("ctc status --json (all areas)", status_json)
        print(f"    {len(out) // 1024} KiB of JSON")

        from bench.sweep import bench_phase_work, bench_sweep

        print("deadline sweep")
        defs = load_definitions()
        bench_sweep(defs, date(2021, 3, 1))
        print("phase work")
        bench_phase_work(defs, date(2021, 3, 1))
        from bench.report import bench_report

        print("report to KS")
        bench_report(load_definitions())
        from bench.web import bench_web

        print("web pages (ctc web on loopback)")
        bench_web(load_definitions())
    survey_part()


def workers_part(areas: int = 2000) -> None:
    from bench.workers import main as bench_workers

    print(f"many municipalities: two tenants × {areas} areas, one Prefect server, PostgreSQL, process workers")
    bench_workers(areas)


def survey_part() -> None:
    with tempfile.TemporaryDirectory(prefix="ctc-bench-survey-") as tmp:
        from bench.survey import bench_survey

        print("CTC-enkät: the publication gate on four small cities")
        from bench.survey_shapes import bench_shapes

        bench_shapes()
        print("CTC-enkät")
        bench_survey(Path(tmp))


if __name__ == "__main__":
    main()
