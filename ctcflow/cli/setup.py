"""`ctc init`, `ctc check`, `ctc sync`: the database and the YAML files in step.

Commands import the application layer when they run, so `ctc --help` starts at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ctcflow.cli.options import AsOf, Lang, day
from ctcflow.cli.output import print_plan
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError

app = typer.Typer()


@app.command("init")
def init(as_of: AsOf = None, lang: Lang = None) -> None:
    """Create or upgrade the database and load phases.yml and areas.yml."""
    from ctcflow.app.setup import init_database

    plan = init_database(day(as_of))
    print(f"database ready at {get_settings().db_url}")
    print_plan(plan)


@app.command("check")
def check(lang: Lang = None) -> None:
    """Validate phases.yml, areas.yml, survey.yml, programmes.yml and the database against them."""
    from ctcflow.app.setup import check_everything

    report = check_everything()
    for line in report.lines:
        print(line)
    if report.pending is not None and not report.pending.empty:
        print_plan(report.pending)
        raise typer.Exit(1)


@app.command("sync")
def sync(as_of: AsOf = None, dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan only")] = False,
         lang: Lang = None,
         by: Annotated[str | None, typer.Option("--by", help="who decided the change (needed when a start moves: "
                                                             "the next report to the board states it)")] = None,
         note: Annotated[str | None, typer.Option("--note", help="why: the decision, for the history and the "
                                                                 "report")] = None) -> None:
    """Apply changes of phases.yml/areas.yml to the areas already running, printing the plan."""
    from ctcflow.app.setup import sync_database

    plan = sync_database(day(as_of), dry_run=dry_run, by=by, note=note)
    print_plan(plan)
    if dry_run and not plan.empty:
        print("(dry run: nothing was changed)")


@app.command("backup")
def backup(to: Annotated[Path | None, typer.Option("--to", help="the file to write (default: <data dir>/backups/"
                                                                "<tenant>-<time>.db, .dump on PostgreSQL)")] = None,
           lang: Lang = None) -> None:
    """Copy the tenant's database as it is now, while it is in use (SQLite's online backup;
    pg_dump of the tenant's schema)."""
    from ctcflow.app.backups import back_up

    made = back_up(to)
    print(f"backup of tenant {get_settings().tenant_id} written to {made.path} "
          f"({made.size // 1024} kB, schema {made.revision})")


@app.command("restore")
def restore(source: Annotated[Path, typer.Argument(metavar="FILE", help="a file `ctc backup` wrote")],
            yes: Annotated[bool, typer.Option("--yes", help="replace the database: what it holds now is lost")] = False,
            lang: Lang = None) -> None:
    """Replace the tenant's database by a backup and bring it to this version's schema. Stop the
    web and the workers first; the next morning takes up what the copy had not finished."""
    from ctcflow.app.backups import put_back

    settings = get_settings()
    if not yes:
        raise CtcError(f"restoring replaces the database of tenant {settings.tenant_id} ({settings.db_url}) with "
                       f"{source}; what it holds now is lost. Stop the web and the workers, then run again with --yes")
    made = put_back(source)
    print(f"tenant {settings.tenant_id} restored from {made.path} (schema {made.revision}, now at this "
          "version's); deliveries the copy had claimed are handed back by the next delivery")
