"""A long report's PDF printed over the workers of the pool: the ks-report run keeps one share
of the chunks (printed over its host's cores) and hands each other online worker a share, as a
run of the tenant's ``report-pages`` deployment; the pieces come back through the database and
are joined in order, numbered through."""

from __future__ import annotations

from collections.abc import Iterable

from prefect import flow

from ctcflow.app.printing import keep_chunks, print_kept, take_printed
from ctcflow.report.pdf import print_here
from flows.common import per_tenant
from flows.fanout import spread


@flow(name="report-pages", flow_run_name="{tenant} · {first}", log_prints=True,
      description="A share of a long report's PDF chunks, handed out by ks-report to another worker of the pool.")
@per_tenant
def report_pages(chunks: list[str], first: int = 0, tenant: str | None = None) -> int:
    printed = print_kept(chunks)
    print(f"{printed} chunks of the report printed, from chunk {first + 1}")
    return printed


def print_on_workers(documents: list[str]) -> Iterable[bytes]:
    """The chunks' PDFs in order: this run's share printed here, the others by the workers that
    took them (a chunk is seconds of work, so one chunk is share enough)."""
    here: list[bytes] = []
    handed: list[list[str]] = []

    def hand_out(chunk: list[str]) -> dict[str, object]:
        handed.append(keep_chunks(chunk))
        return {"chunks": handed[-1], "first": next(i for i, d in enumerate(documents) if d is chunk[0])}

    spread("report-pages", documents, hand_out, here=lambda chunk: here.extend(print_here(chunk)), smallest=1,
           redo_late=False)  # a chunk printed here would not join the others' in order: fail, and be retried
    return [*here, *(pdf for shas in handed for pdf in take_printed(shas))]
