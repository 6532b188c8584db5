"""The `ctc` command: Typer sub-apps per domain, each command a few lines over the application
layer (ctcflow.app). Errors the user can fix are printed as one clear message (exit 2), never as
a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from typer.main import get_command

from ctcflow.cli import effects, escalations, morning, plan, progress, records, report, setup, survey, web
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError, DefinitionError
from ctcflow.core.refusals import in_words
from ctcflow.core.scope import tenant_scope

app = typer.Typer(name="ctc", help="Communities That Care, run as a process.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
for domain in (setup.app, progress.app, morning.app, escalations.app, web.app):
    app.add_typer(domain)
app.add_typer(survey.app, name="survey")
app.add_typer(plan.app, name="plan")
app.add_typer(progress.phases, name="phases")
app.add_typer(records.cost, name="cost")
app.add_typer(records.entry, name="entry")
app.add_typer(report.app, name="report")
app.add_typer(effects.app, name="effects")


@app.callback()
def _choose_tenant(ctx: typer.Context, tenant: Annotated[str | None, typer.Option(
        "--tenant", metavar="ID", help="the municipality to act for (a folder under tenants/); default: the "
                                       "checkout's own, or CTC_TENANT")] = None) -> None:
    """Communities That Care, run as a process."""
    # for this command only: given back when its context closes (the tests call main() many times)
    ctx.with_resource(tenant_scope(tenant))

# Options that take several values as one list (`--format html md`, `--retry 12 13`, `--year 2023 2024`),
# as the README writes them; click wants the option repeated, so the arguments are spread before parsing.
LIST_OPTIONS = {"--format": None, "--year": None, "--retry": morning.ALL, "--release": morning.ALL}


def spread_lists(args: Sequence[str]) -> list[str]:
    """`--format html md` → `--format html --format md`; `--retry` (`--release`) alone → `--retry all`."""
    spread: list[str] = []
    current: str | None = None
    taken = 0
    for arg in [*args, ""]:
        if current is not None and arg and not arg.startswith("-"):
            spread += [current, arg]
            taken += 1
            continue
        if current is not None and taken == 0:  # no values: the default, or click says one is needed
            spread += [current] if LIST_OPTIONS[current] is None else [current, str(LIST_OPTIONS[current])]
        current, taken = (arg, 0) if arg in LIST_OPTIONS else (None, 0)
        if current is None and arg:
            spread.append(arg)
    return spread


@functools.cache
def _command() -> Callable[..., Any]:
    """The command tree, built from the Typer app once per process: Typer rebuilds it on every
    call (a seventh of a second), which a process calling ``main`` many times — the web's tests,
    a script — would pay each time."""
    return get_command(app).main


def main(argv: Sequence[str] | None = None) -> int:
    args = spread_lists(sys.argv[1:] if argv is None else argv)
    try:
        result = _command()(args, prog_name="ctc", standalone_mode=False)
    except DefinitionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except CtcError as exc:
        said = in_words(exc, get_settings().lang)  # the reader's sentence first, then the detail
        print(f"ctc: {said}\n  {exc}" if said else f"ctc: {exc}", file=sys.stderr)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("ctc: aborted", file=sys.stderr)
        return 130
    except typer.TyperException as exc:  # a wrong option or argument (click's errors, as Typer ships them)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"ctc: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 2) or 2)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
