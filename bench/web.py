"""The web pages under load on loopback: `ctc web` in its own process over the synthetic city,
the coordinator's overview of every area timed, then 50 area teams at once each opening their
reminder's link, loading their page and marking a milestone done — every write checked in the
database afterwards."""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlmodel import col

from bench.timing import high_water_mib
from ctcflow.core.links import Links
from ctcflow.definition.loader import Definitions
from db.engine import session_scope
from db.models import MilestoneInstance, PhaseInstance
from demo.mailserver import free_port

USERS = 50
AS_OF = date(2021, 3, 1)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _request(port: int, method: str, path: str, cookie: str = "", body: str = "") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, data
    connection.close()
    return result


def _session(port: int, link: str) -> str:
    status, headers, _ = _request(port, "GET", urlsplit(link).path)
    assert status == 303, status
    return headers["set-cookie"].split(";", 1)[0]


def _targets(defs: Definitions) -> list[tuple[str, str, int]]:
    """(person, area, milestone instance) for 50 areas: an open milestone with nothing it waits for."""
    free = {m.id for p in defs.process.phases for m in p.milestones if not m.depends_on}
    mi, pi = MilestoneInstance, PhaseInstance
    with session_scope() as session:
        rows = session.execute(select(col(mi.area_id), col(mi.id), col(mi.milestone_id))
                               .join(pi, col(pi.id) == col(mi.phase_instance_id))
                               .where(col(mi.status) == "open", col(pi.completed_on).is_(None),
                                      col(mi.retired).is_(False))
                               .order_by(col(mi.area_id), col(mi.id))).all()
    chosen: dict[str, tuple[str, str, int]] = {}
    for area_id, instance_id, milestone_id in rows:
        if milestone_id in free and area_id not in chosen:
            chosen[area_id] = (f"ul_{area_id.rsplit('_', 1)[1]}", area_id, instance_id)
        if len(chosen) == USERS:
            break
    return list(chosen.values())


def bench_web(defs: Definitions) -> None:
    port = free_port()
    env = {**os.environ, "CTC_WEB_BASE_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen([sys.executable, "-c", "from ctcflow.cli.main import main; raise SystemExit(main())",
                               "web", "--port", str(port), "--as-of", AS_OF.isoformat()],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("ctc web did not start") from None
                time.sleep(0.2)
        links = Links()
        links.base = f"http://127.0.0.1:{port}"
        coordinator = _session(port, links.login("samordnare"))
        _request(port, "GET", "/oversikt", coordinator)  # definitions loaded, caches warm
        timings, size = [], 0
        for _ in range(5):
            started = time.perf_counter()
            status, _, body = _request(port, "GET", "/oversikt", coordinator)
            timings.append(time.perf_counter() - started)
            assert status == 200
            size = len(body)
        rows = body.count(b"<tr data-area=")
        print(f"  {'overview of every area (GET /oversikt), median of 5':<52} {statistics.median(timings):7.2f} s")
        print(f"    {rows} areas, {size / 2**20:.1f} MiB of HTML; slowest {max(timings):.2f} s")

        targets = _targets(defs)
        start = threading.Barrier(len(targets))
        latencies: list[float] = []
        errors: list[str] = []

        def user(person: str, area_id: str, instance_id: int) -> None:
            try:
                cookie = _session(port, links.milestone(person, area_id, instance_id))
                start.wait()
                began = time.perf_counter()
                status, _, page = _request(port, "GET", f"/omrade/{area_id}", cookie)
                found = CSRF.search(page.decode())
                assert status == 200 and found, status
                status, _, _ = _request(port, "POST", f"/omrade/{area_id}/klar/{instance_id}", cookie,
                                        f"csrf={found.group(1)}&link=https%3A%2F%2Fexempel.se%2Fbevis&note=last")
                if status != 303:
                    errors.append(f"{area_id}: HTTP {status}")
                latencies.append(time.perf_counter() - began)
            except Exception as exc:  # counted, not raised: the figure is how many failed
                errors.append(f"{area_id}: {type(exc).__name__}: {exc}")

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(targets)) as pool:
            for target in targets:
                pool.submit(user, *target)
        wall = time.perf_counter() - began
        with session_scope() as session:
            marked = session.execute(select(col(MilestoneInstance.id), col(MilestoneInstance.done_by)).where(
                col(MilestoneInstance.id).in_([t[2] for t in targets]), col(MilestoneInstance.status) == "done")).all()
        lost = len(targets) - sum(1 for _, by in marked if by and by.startswith("ul_"))
        latencies.sort()
        print(f"  {f'{len(targets)} users at once: open page + mark done':<52} {wall:7.2f} s")
        print(f"    per user p50 {latencies[len(latencies) // 2]:.2f} s, p95 "
              f"{latencies[int(len(latencies) * 0.95) - 1]:.2f} s; {len(errors)} errors, {lost} writes lost")
        for error in errors[:5]:
            print(f"    {error}")
        print(f"    peak memory of the ctc web process: {high_water_mib(server.pid):.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=20)
