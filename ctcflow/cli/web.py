"""`ctc web`, `ctc web-link`, `ctc serve`: the pages, a sign-in link, the scheduled flows."""

from __future__ import annotations

from typing import Annotated

import typer

from ctcflow.app.schedules import FIRST_RUNS_WAIT_SECONDS
from ctcflow.cli.options import AsOf, Lang
from ctcflow.core.errors import CtcError

app = typer.Typer()


@app.command("web")
def web(as_of: AsOf = None, lang: Lang = None,
        host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option()] = 8000) -> None:
    """The web pages for the coordinator and the area teams."""
    from ctcflow.web.server import run

    run(host, port, as_of=as_of)


@app.command("web-link")
def web_link(person: Annotated[str, typer.Argument(help="person id from areas.yml")], lang: Lang = None,
             minutes: Annotated[int, typer.Option(help="how long the link is valid")] = 30) -> None:
    """Print a one-time sign-in link to the web pages for a person."""
    from ctcflow.app.signin import login_link

    print(login_link(person, minutes))


@app.command("serve")
def serve(lang: Lang = None,
          port: Annotated[int, typer.Option(help="port of the local Prefect server and UI")] = 4200) -> None:
    """Run the scheduled flows of prefect.yaml on a local Prefect server."""
    from ctcflow.app.serve import serve as serve_flows

    raise typer.Exit(serve_flows(port))


@app.command("deploy")
def deploy(pool: Annotated[str | None, typer.Option(help="work pool; default: the one prefect.yaml names")] = None,
           only: Annotated[list[str] | None, typer.Option("--only", metavar="TENANT",
                                                          help="only these tenants (repeat); default: all")] = None,
           wait: Annotated[float, typer.Option(help="seconds to wait for the server to schedule the first runs "
                                                    "(0: do not check)")] = FIRST_RUNS_WAIT_SECONDS,
           watchdog_block: Annotated[str | None, typer.Option(
               help="the Prefect notification block the watchdog tells (default: CTC_WATCHDOG_BLOCK)")] = None,
           ) -> None:
    """Register every tenant's deployments of prefect.yaml with a work pool on the Prefect server,
    then show when each scheduled one first runs — or say that the server schedules nothing."""
    from ctcflow.app.deploy import deploy as register
    from ctcflow.app.schedules import first_runs, schedule_report  # Prefect, only when deploying
    from ctcflow.app.watchdog import watch

    done = register(pool, only or None)
    print(f"work pool {done.pool}" + (" (made now, type process)" if done.created_pool else ""))
    for name in done.names:
        print(f"  {name}")
    print(f"{len(done.names)} deployments; start workers with: prefect worker start --pool {done.pool}")
    watching = watch(done.pool, watchdog_block)
    print(f"watchdog: {len(watching.names)} automations on the server — " + (
        f"told through the notification block {watching.notifies}" if watching.notifies else
        "runs that went silent are marked crashed, but nobody is told: set CTC_WATCHDOG_BLOCK (or "
        "--watchdog-block) to a Prefect notification block"))
    if wait <= 0 or not done.scheduled:
        return
    lines, failure = schedule_report(first_runs(done.scheduled, wait), wait)
    print("\n".join(lines))
    if failure:
        raise CtcError(f"{failure}; then run `ctc deploy` again to check")
