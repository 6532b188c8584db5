"""Delivery throughput: messages through ``deliver_pending`` to a local SMTP server running in a
process of its own, beside the server's own accept rate (bare smtplib, one reused connection
per thread, no database) — and what a server that refuses connections, or never answers,
costs a run of 608 messages."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage

from sqlalchemy import delete, insert
from sqlmodel import col

from bench.timing import clock
from ctcflow.core.config import reset_settings
from db.engine import session_scope
from db.models import Notification
from demo.mailserver import SilentServer, free_port, loopback_url

BODY = "Påminnelse: Kontaktperson och ambassadör utsedda – senast måndag 17 september 2018.\n" * 12
WORKERS = 4
SENDER, RECIPIENT = "ctc@bench.local", "p@bench.local"


def _server(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", f"from demo.mailserver import serve_forever; "
                                f"serve_forever({port})"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP("127.0.0.1", port, "bench", timeout=1).quit()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the local SMTP server did not start")


def bare_rate(port: int, count: int) -> float:
    """Messages per second the server accepts from bare smtplib: WORKERS threads, one connection each."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, RECIPIENT, "Påminnelse"
    message.set_content(BODY, cte="quoted-printable")
    payload = message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire

    def send(n: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, "bench", timeout=30) as connection:
            for _ in range(n):
                connection.sendmail(SENDER, [RECIPIENT], payload)

    threads = [threading.Thread(target=send, args=(count // WORKERS,)) for _ in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (count // WORKERS * WORKERS) / (time.perf_counter() - started)


def _queue(count: int, reference: str) -> None:
    now = datetime.now(tz=UTC)
    with session_scope() as session:
        session.execute(delete(Notification).where(col(Notification.key).like("bench/%")))
        session.execute(insert(Notification), [
            {"key": f"bench/{i}", "kind": "reminder", "as_of": date(2021, 3, 1), "recipient": "samordnare",
             "reference": reference, "subject": f"Påminnelse {i}", "body": BODY, "status": "pending",
             "created_at": now, "next_attempt_at": now - timedelta(minutes=1)} for i in range(count)])


def _run(label: str, count: int, url: str) -> tuple[int, float]:
    from ctcflow.delivery.sender import deliver_pending

    os.environ["CTC_BENCH_CHANNEL"] = url
    _queue(count, "env:CTC_BENCH_CHANNEL")
    report, seconds = clock(label, deliver_pending)
    return len(report.sent), seconds


def bench_delivery(count: int = 3000) -> None:
    """On the database set up (a fresh one: every pending message in it is sent)."""
    port = free_port()
    server = _server(port)
    try:
        rate, _ = clock(f"bare smtplib: {count} messages, {WORKERS} connections", lambda: bare_rate(port, count))
        print(f"    {rate:6.0f} messages/s — the local server's own accept rate")
        url = loopback_url(port, RECIPIENT, SENDER)
        sent, seconds = _run(f"deliver_pending: {count} messages ({WORKERS} workers)", count, url)
        print(f"    {sent / seconds:6.0f} messages/s, {sent} sent — {sent / seconds / rate:.0%} of the bare rate "
              "(each claimed, marked in flight and recorded in its own commit)")
    finally:
        server.terminate()
        server.wait()
    refused = loopback_url(free_port(), RECIPIENT, SENDER)
    _, seconds = _run("608 messages, the server refuses connections", 608, refused)
    print(f"    {seconds / 608 * 1000:.1f} ms per message (tried once per run; all kept pending)")
    timeout = 2.0
    os.environ["CTC_DELIVERY_TIMEOUT_SECONDS"] = str(timeout)
    reset_settings()
    with SilentServer() as silent:
        hung = loopback_url(silent.port, RECIPIENT, SENDER)
        _, seconds = _run(f"608 messages, the server never answers ({timeout:.0f} s timeout)", 608, hung)
        print(f"    {len(silent.accepted)} connection tried for the run")
    os.environ.pop("CTC_DELIVERY_TIMEOUT_SECONDS")
    reset_settings()


def main() -> None:
    import tempfile

    from ctcflow.app.setup import init_database

    with tempfile.TemporaryDirectory(prefix="ctc-bench-delivery-") as tmp:
        os.environ["CTC_DATA_DIR"] = tmp
        os.environ.pop("CTC_DATABASE_URL", None)
        reset_settings()
        init_database(date(2018, 8, 1))
        bench_delivery()
