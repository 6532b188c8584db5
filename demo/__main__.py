"""`python -m demo` (what `./run demo` runs): Malmö's five areas replayed on a fresh local database."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from demo.replay import run_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run demo", description="Replay Malmö's five CTC areas from 2018.")
    parser.add_argument("--until", type=date.fromisoformat, default=date(2024, 12, 31), help="last day (YYYY-MM-DD)")
    parser.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the output")
    parser.add_argument("--workdir", type=Path, help="where the demo keeps its database (default .ctc/demo)")
    args = parser.parse_args(argv)
    return run_demo(until=args.until, lang=args.lang, workdir=args.workdir)


if __name__ == "__main__":
    sys.exit(main())
