"""What the Prefect UI shows: the city's status as a table artifact (key ``ctc-status``) and a
markdown summary of what the flow did, both with history on the Artifacts page."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from ctcflow.app.progress import status_report

SHOWN = 50  # lines of notices in a summary; the rest is counted


def status_rows(as_of: date) -> list[dict[str, Any]]:
    defs, areas, _ = status_report(as_of, None)
    titles = {p.id: p.title.sv for p in defs.process.phases}
    return [{"område": a.area_name, "fas": titles.get(a.phase_id or "", "ej startad"), "cykel": a.cycle or "",
             "sedan": a.phase_opened_on.isoformat() if a.phase_opened_on else "",
             "klart": f"{a.milestones_done}/{a.milestones_total}", "försenade": a.overdue} for a in areas]


def summary_markdown(title: str, as_of: date, sections: dict[str, list[str]]) -> str:
    lines = [f"# {title} — {as_of.isoformat()}", ""]
    for heading, items in sections.items():
        lines += [f"## {heading} ({len(items)})", ""]
        lines += [f"- {item}" for item in items[:SHOWN]] or ["- –"]
        if len(items) > SHOWN:
            lines.append(f"- … {len(items) - SHOWN} more")
        lines.append("")
    return "\n".join(lines)


@task(name="publish-status")
def publish_status(as_of: date, flow_key: str, title: str, sections: dict[str, list[str]]) -> str:
    create_table_artifact(key="ctc-status", table=status_rows(as_of),
                          description=f"CTC-status per område, {as_of.isoformat()}")
    markdown = summary_markdown(title, as_of, sections)
    create_markdown_artifact(key=flow_key, markdown=markdown, description=title)
    return markdown
