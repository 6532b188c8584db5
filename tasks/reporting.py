"""What the Prefect UI shows: the city's status as a table artifact (key ``ctc-<tenant>-status``)
and a markdown summary of what the flow did (``ctc-<tenant>-<flow>``), both with history on the
Artifacts page; keyed per tenant, so one municipality's never overwrites another's."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from ctcflow.app.progress import status_report
from ctcflow.core.config import get_settings
from tasks.words import flow_text

SHOWN = 50  # lines of notices in a summary; the rest is counted


def status_rows(as_of: date) -> list[dict[str, Any]]:
    defs, areas, _ = status_report(as_of, None)
    lang = get_settings().lang
    titles = defs.names(lang)["phase"]
    column = {key: flow_text("status", key) for key in ("area", "phase", "cycle", "since", "done", "overdue")}
    not_started = flow_text("status", "not_started")
    return [{column["area"]: a.area_name, column["phase"]: titles.get(a.phase_id or "", not_started),
             column["cycle"]: a.cycle or "",
             column["since"]: a.phase_opened_on.isoformat() if a.phase_opened_on else "",
             column["done"]: f"{a.milestones_done}/{a.milestones_total}", column["overdue"]: a.overdue}
            for a in areas]


def summary_markdown(title: str, as_of: date, sections: dict[str, list[str]]) -> str:
    lines = [f"# {title} — {as_of.isoformat()}", ""]
    for heading, items in sections.items():
        lines += [f"## {flow_text('sections', heading)} ({len(items)})", ""]
        lines += [f"- {item}" for item in items[:SHOWN]] or ["- –"]
        if len(items) > SHOWN:
            lines.append(f"- {flow_text('lines', 'more', n=len(items) - SHOWN)}")
        lines.append("")
    return "\n".join(lines)


@task(name="publish-status")
def publish_status(as_of: date, flow: str, sections: dict[str, list[str]], **title: str) -> str:
    """The status table and the flow's summary of the tenant; ``sections`` are keyed by the
    headings of templates/<lang>/flows.yml."""
    tenant = get_settings().tenant_id
    create_table_artifact(key=f"ctc-{tenant}-status", table=status_rows(as_of),
                          description=flow_text("status", "description", day=as_of.isoformat()))
    heading = flow_text("titles", flow, **title)
    markdown = summary_markdown(heading, as_of, sections)
    create_markdown_artifact(key=f"ctc-{tenant}-{flow}", markdown=markdown, description=heading)
    return markdown
