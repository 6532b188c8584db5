"""What an operator runs, whole, as the city grows: `ctc init`, the morning `ctc sweep` (and its
dry run), `ctc status --json`, `ctc check` and the `deadline-sweep` flow run on a Prefect
server — each in a process of its own (start-up, definitions, imports and all), on synthetic
cities of 1,000 / 4,000 / 16,000 areas in the shape of the shipped areas.yml, with the first
phase open everywhere. Beside each: the bare SQL of the same rows, the growth per 4× areas
and the process's peak memory. Printed, never asserted."""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from bench.city import write_city
from bench.timing import high_water_mib
from demo.prefect_server import prefect_server

SIZES = (1000, 4000, 16000)
START = date(2018, 8, 1)  # ctc init
FIRST = date(2019, 3, 4)  # every area has started (the last 2019-02-25): the first phase open everywhere
MORNING = date(2019, 3, 5)  # the morning measured: what the day adds after the first sweep
FLOW_DAY = date(2019, 3, 6)
GOALS = {"ctc sweep": "16k < 10 s", "growth": "≤ 4.4× per 4× areas", "flow": "≤ 1.3× ctc sweep",
         "memory": "sweep at 16k < 600 MiB", "start-up": "< 1 s"}


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + system seconds of the process (and its children)
    peak_mib: float
    ok: bool


def run_whole(args: list[str], env: dict[str, str]) -> Run:
    """One command in a process of its own, as an operator runs it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, high_water_mib(process.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode not in (0, 1):  # 1: the command found something to report (e.g. failures)
        said = process.stderr.read().decode()[-400:] if process.stderr else ""
        print(f"    {' '.join(args[1:])} exited {process.returncode}: {said}")
    return Run(wall, cpu, peak, process.returncode in (0, 1))


def bare(database: Path, query: Any) -> float:
    """The rows the command rests on, fetched with nothing around them (best of three)."""
    engine = create_engine(f"sqlite:///{database}")
    best = float("inf")
    with engine.connect() as connection:
        for _ in range(3):
            started = time.perf_counter()
            connection.execute(query).all()
            best = min(best, time.perf_counter() - started)
    engine.dispose()
    return best


def queries() -> dict[str, Callable[[], Any]]:
    from ctcflow.core import calendar
    from ctcflow.engine.status import phase_matrix_query
    from ctcflow.notices.open_work import open_milestones_query
    from db.models import MilestoneInstance

    horizon = calendar.add_business_days(MORNING, 10)
    return {
        "ctc sweep": lambda: open_milestones_query(MORNING, horizon),
        "ctc sweep --dry-run": lambda: open_milestones_query(MORNING, horizon),
        "ctc status --json": lambda: phase_matrix_query(MORNING),
        "ctc check": lambda: select(MilestoneInstance),
        "flow deadline-sweep": lambda: open_milestones_query(FLOW_DAY, horizon),
    }


WORK_DONE = "(setup) four in five deadlines met"


def most_work_done(database: Path) -> None:
    """A city at work, not one where nobody ever did anything: four in five deadlines already
    passed were met on the day, the rest are overdue (and escalate)."""
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE milestone_instance SET status = 'done', done_on = due_date, done_by = 'bench' "
                           "WHERE due_date < ? AND id % 5 != 0", (FIRST.isoformat(),))


def commands(city: Path) -> list[tuple[str, list[str]]]:
    ctc = [sys.executable, "-m", "ctcflow.cli"]
    flow = (f"from datetime import date; from flows.deadline_sweep import deadline_sweep; "
            f"deadline_sweep(as_of=date.fromisoformat('{FLOW_DAY}'), deliver=False)")
    return [
        ("ctc --help (start-up)", [*ctc, "--help"]),
        ("ctc init", [*ctc, "init", "--as-of", str(START)]),
        ("ctc sync (opens every first phase)", [*ctc, "sync", "--as-of", str(FIRST)]),
        (WORK_DONE, []),
        ("first ctc sweep", [*ctc, "sweep", "--no-deliver", "--as-of", str(FIRST)]),
        ("ctc sweep --dry-run", [*ctc, "sweep", "--dry-run", "--as-of", str(MORNING)]),
        ("ctc sweep", [*ctc, "sweep", "--no-deliver", "--as-of", str(MORNING)]),
        ("ctc status --json", [*ctc, "status", "--json", "--as-of", str(MORNING)]),
        ("ctc check", [*ctc, "check"]),
        ("flow deadline-sweep", [sys.executable, "-c", flow]),
    ]


def measure(sizes: tuple[int, ...]) -> dict[str, dict[int, tuple[Run, float | None]]]:
    figures: dict[str, dict[int, tuple[Run, float | None]]] = {}
    sql = queries()
    with tempfile.TemporaryDirectory(prefix="ctc-bench-scaling-") as tmp, prefect_server(Path(tmp) / "prefect") as api:
        for areas in sizes:
            city = Path(tmp) / f"city{areas}"
            write_city(city, areas)
            env = {**os.environ, "CTC_PHASES_FILE": str(city / "phases.yml"),
                   "CTC_AREAS_FILE": str(city / "areas.yml"), "CTC_DATA_DIR": str(city / "data"),
                   "PREFECT_API_URL": api, "PREFECT_HOME": str(Path(tmp) / "prefect"),
                   "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
            env.pop("CTC_DATABASE_URL", None)
            for label, args in commands(city):
                if label == WORK_DONE:
                    most_work_done(city / "data" / "ctc.db")
                    continue
                run = run_whole(args, env)
                query = sql.get(label)
                seconds = bare(city / "data" / "ctc.db", query()) if query and run.ok else None
                figures.setdefault(label, {})[areas] = (run, seconds)
                print(f"  {areas:>6} areas  {label:<36} {run.wall:6.2f} s wall {run.cpu:6.2f} s CPU "
                      f"{run.peak_mib:6.0f} MiB" + (f"   bare SQL {seconds:.3f} s" if seconds is not None else ""),
                      flush=True)
    return figures


def table(figures: dict[str, dict[int, tuple[Run, float | None]]], sizes: tuple[int, ...]) -> list[str]:
    """The scaling table for the README: CPU seconds per size, growth per 4×, peak memory."""
    head = " | ".join(f"{n:,} areas" for n in sizes)
    biggest = f"{sizes[-1]:,}"
    lines = [f"| command (whole process, CPU s) | {head} | growth per 4× | bare SQL at {biggest} "
             f"| peak MiB at {biggest} |",
             "|---|" + "---|" * (len(sizes) + 3)]
    for label, by_size in figures.items():
        runs = [by_size.get(n) for n in sizes]
        cells = [f"{r[0].cpu:.2f}" if r else "–" for r in runs]
        growth = [b[0].cpu / a[0].cpu for a, b in zip(runs, runs[1:], strict=False) if a and b and a[0].cpu]
        last = runs[-1]
        sql = f"{last[1]:.3f}" if last and last[1] is not None else "–"
        lines.append(f"| `{label}` | " + " | ".join(cells) + f" | {' / '.join(f'{g:.1f}×' for g in growth) or '–'} | "
                     f"{sql} | {last[0].peak_mib:.0f} |" if last else "")
    return lines


def main(sizes: tuple[int, ...] = SIZES) -> None:
    print("whole commands as the city grows (each its own process; first phase open everywhere)")
    figures = measure(sizes)
    print()
    print("\n".join(table(figures, sizes)))
    print("goals: " + "; ".join(f"{k} {v}" for k, v in GOALS.items()))
