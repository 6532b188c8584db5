"""Every working morning: the report to KS goes out on its due date if nobody sent it before —
rendered from what is recorded that day, its gaps stated, the PDF attached, archived with its
hash. (Before the due date, the deadline sweep reminds the coordinator and tells the gaps.) A
long report's PDF is printed over the pool's workers (``flows.report_pages``)."""

from __future__ import annotations

from datetime import date

from prefect import flow

from ctcflow.report.pdf import chunks_printed_by
from flows.common import day, per_tenant
from flows.deliver_notifications import deliver_notifications
from flows.report_pages import print_on_workers
from tasks.models import ReportsSummary
from tasks.reporting import publish_status
from tasks.reports import send_due_reports


@flow(name="ks-report", log_prints=True)
@per_tenant
def ks_report(as_of: date | None = None, deliver: bool = True, tenant: str | None = None) -> ReportsSummary:
    today = day(as_of)
    with chunks_printed_by(print_on_workers):
        result = send_due_reports(today)
    sections = {"reports_sent": result.lines()}
    if deliver and result.sent:
        sections |= deliver_notifications(today, briefs=False).sections()
    publish_status(today, "ks-report", sections)
    return result
