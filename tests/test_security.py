"""The pages tried as an attacker and as a careless user would, against a real uvicorn server:
concurrent writers, copied cookies, forwarded links, oversized and unsigned uploads, framing,
forged evidence, calendar links that outlive their reason, sign-in floods and bad addresses."""

from __future__ import annotations

import http.client
import re
import socket
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.access.permissions import Scope
from ctcflow.app.sessions import use_once
from ctcflow.core.config import get_settings, reset_settings
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import load_definitions
from ctcflow.engine.marking import mark_done
from db.engine import session_scope
from db.models import Event, MilestoneInstance, Notification, StoredFile, WebTokenUse
from tests.conftest import Project, wait_for
from tests.pages import DAY, Site, _instance_of, _milestone
from tests.webserver import session_for

AREA = "bellevuegarden_lorensborg"


def request(url: str, method: str = "GET", fields: dict[str, str] | None = None, cookie: str = "",
            body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One request on its own connection: status, headers (lower-case names), body text."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = cookie
    if fields is not None:
        body = urllib.parse.urlencode(fields).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=sent)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def at_once(count: int, job: Callable[[int], tuple[int, dict[str, str], str]]) -> list[tuple[int, str, float]]:
    """``count`` threads released together by a barrier: each job's (status, body, seconds)."""
    barrier = threading.Barrier(count)
    results: list[tuple[int, str, float]] = [(0, "", 0.0)] * count

    def run(i: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        status, _, text = job(i)
        results[i] = (status, text, time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def events(kind: str, subject: str) -> int:
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(Event).where(
            col(Event.kind) == kind, col(Event.subject) == subject)).scalar() or 0)


def test_fifty_people_marking_undoing_and_approving_at_once_one_succeeds_the_rest_are_told(site: Site) -> None:
    instance_id = _instance_of(site.link_to("ul_bellevue", "Påminnelse"))
    milestone = _milestone(instance_id).milestone_id
    people = ["ul_bellevue", "samordnare"]
    sessions = [session_for(people[i % 2]) for i in range(50)]
    url = f"{site.url}/omrade/{AREA}/klar/{instance_id}"
    marked = at_once(50, lambda i: request(url, "POST", {"csrf": sessions[i][1], "note": f"skrivare {i}",
                                                         "link": f"https://malmo.se/protokoll/{i}"}, sessions[i][0]))
    statuses = sorted(status for status, _, _ in marked)
    assert statuses.count(303) == 1 and statuses.count(409) == 49, statuses
    winner = next(i for i, (status, _, _) in enumerate(marked) if status == 303)
    done = _milestone(instance_id)
    assert (done.note, done.evidence) == (f"skrivare {winner}", f"https://malmo.se/protokoll/{winner}")
    who = {"ul_bellevue": "Utvecklingsledare Bellevuegården", "samordnare": "Central samordnare CTC"}[done.done_by or ""]
    refusals = [re.sub(r"\s+", " ", text) for status, text, _ in marked if status == 409]
    assert all(f"redan markerad som klar av {who}" in text for text in refusals), refusals[0][-2500:]
    assert events("milestone_done", milestone) == 1
    seconds = sorted(s for _, _, s in marked)
    print(f"\n50 concurrent marks: p50 {statistics.median(seconds) * 1000:.0f} ms, "
          f"p95 {seconds[int(0.95 * len(seconds)) - 1] * 1000:.0f} ms")

    undo = f"{site.url}/omrade/{AREA}/angra/{instance_id}"
    undone = at_once(20, lambda i: request(undo, "POST", {"csrf": sessions[i][1]}, sessions[i][0]))
    assert sorted(s for s, _, _ in undone).count(303) == 1
    assert events("milestone_undone", milestone) == 1 and _milestone(instance_id).status == "open"

    defs = load_definitions()
    phase = defs.process.phases[0]
    with session_scope() as session:  # the team's work done, the gate met
        for m in phase.milestones:
            if m.required and not session.execute(select(MilestoneInstance).where(
                    col(MilestoneInstance.area_id) == AREA, col(MilestoneInstance.milestone_id) == m.id,
                    col(MilestoneInstance.status) == "done")).first():
                mark_done(session, defs, AREA, m.id, by="samordnare", as_of=DAY, evidence="protokoll")
    approvers = [session_for("styrgrupp_bellevue") for _ in range(10)]
    approve = f"{site.url}/omrade/{AREA}/godkann/{phase.id}"
    approved = at_once(10, lambda i: request(approve, "POST", {"csrf": approvers[i][1]}, approvers[i][0]))
    assert sorted(s for s, _, _ in approved).count(303) == 1
    assert all("redan godkänd" in text or "already approved" in text for s, text, _ in approved if s != 303)
    assert events("phase_approved", phase.id) == 1


def test_a_session_ends_on_the_server_sign_out_everywhere_and_when_the_person_leaves(site: Site,
                                                                                    project: Project) -> None:
    area = f"{site.url}/omrade/{AREA}"
    cookie, csrf = session_for("ul_bellevue")
    copied = cookie  # what an attacker copied from the browser
    assert request(area, cookie=cookie)[0] == 200
    assert request(f"{site.url}/logout", "POST", {"csrf": csrf}, cookie)[0] == 303
    status, _, text = request(area, cookie=copied)
    assert status == 401 and "Du är inte inloggad" in text

    phone, laptop = session_for("ul_bellevue"), session_for("ul_bellevue")
    coordinator, coordinator_csrf = session_for("samordnare")
    status, _, people = request(f"{site.url}/personer", cookie=coordinator)
    assert status == 200 and "Logga ut överallt (2 inloggning(ar))" in people
    assert request(f"{site.url}/personer/ul_bellevue/logga-ut", "POST", {"csrf": coordinator_csrf},
                   coordinator)[0] == 303
    assert request(area, cookie=phone[0])[0] == 401 and request(area, cookie=laptop[0])[0] == 401
    assert request(area, cookie=coordinator)[0] == 200  # only that person's sessions

    team, _ = session_for("team_bellevue")
    assert request(area, cookie=team)[0] == 200
    project.edit("areas.yml", "id: team_bellevue, name: ", "id: team_bellevue, until: 2018-09-30, name: ")
    wait_for(lambda: request(area, cookie=team)[0] == 401, 30, "the session of a person who left to end")


def test_a_link_in_a_mail_asks_first_works_once_and_opens_only_what_it_is_about(site: Site) -> None:
    link = site.link_to("ul_bellevue", "Påminnelse")
    instance_id = _instance_of(link)
    coordinator, _ = session_for("samordnare")
    status, headers, asked = request(link, cookie=coordinator)  # another person's link, opened while signed in
    assert status == 200 and "Du är inloggad som Central samordnare CTC" in asked and "Fortsätt som" in asked
    assert "ctc_session" not in headers.get("set-cookie", "")
    assert request(f"{site.url}/oversikt", cookie=coordinator)[0] == 200  # nothing switched by looking

    form_cookie = headers["set-cookie"].split(";")[0]
    csrf = re.findall(r'name="csrf" value="([^"]+)"', asked)[-1]  # the link's form (the header's is sign-out)
    status, headers, _ = request(link, "POST", {"csrf": csrf}, form_cookie)
    assert status == 303
    scoped = headers["set-cookie"].split(";")[0]
    status, _, text = request(f"{site.url}/omrade/{AREA}/redovisning", cookie=scoped)  # about one milestone
    assert status == 403 and "Länken gäller något annat" in text
    page = request(f"{site.url}/omrade/{AREA}", cookie=scoped)[2]
    form_token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    with session_scope() as session:
        process = load_definitions().process
        central_work = [m.id for p in process.phases for m in p.milestones
                        if (role := process.role(m.owner)) is not None and role.scope == "central"]
        other = session.execute(select(col(MilestoneInstance.id)).where(  # one the person marks when fully signed in
            col(MilestoneInstance.area_id) == AREA, col(MilestoneInstance.status) == "open",
            col(MilestoneInstance.milestone_id).not_in(central_work), col(MilestoneInstance.id) != instance_id)).scalars().first()
    status, _, text = request(f"{site.url}/omrade/{AREA}/klar/{other}", "POST",
                              {"csrf": form_token, "link": "https://x.se"}, scoped)
    assert status == 403 and "Länken gäller något annat" in text
    assert request(f"{site.url}/omrade/{AREA}/klar/{instance_id}", "POST",
                   {"csrf": form_token, "link": "https://x.se"}, scoped)[0] == 303

    status, _, again = request(link, "POST", {"csrf": csrf}, form_cookie)  # forwarded: used once already
    assert status == 410 and "redan använd" in again


def _upload_headers(cookie: str, length: int | None) -> bytes:
    lines = [f"POST /omrade/{AREA}/klar/{{id}} HTTP/1.1", "Host: 127.0.0.1",
             "Content-Type: multipart/form-data; boundary=XYZ"]
    lines += [f"Content-Length: {length}"] if length is not None else ["Transfer-Encoding: chunked"]
    lines += [f"Cookie: {cookie}"] if cookie else []
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _raw(url: str, head: bytes, body_chunks: list[bytes] | None = None) -> str:
    """Send the head (and perhaps some body), then read what the server answers."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks or []:
                sock.sendall(chunk)
        except OSError:  # the server stopped reading: what it answers is the point
            pass
        answer = b""
        while b"\r\n\r\n" not in answer:
            got = sock.recv(65536)
            if not got:
                break
            answer += got
    return answer.decode("latin-1")


def stored_files() -> list[str]:
    with session_scope() as session:
        return sorted(session.execute(select(col(StoredFile.sha256))).scalars())


def test_uploads_are_refused_before_reading_and_leave_no_file_behind(site: Site) -> None:
    instance_id = _instance_of(site.link_to("ul_bellevue", "Påminnelse"))
    before = stored_files()
    cookie, csrf = session_for("ul_bellevue")
    head = _upload_headers(cookie, 200 * 2**20).replace(b"{id}", str(instance_id).encode())
    assert _raw(site.url, head).startswith("HTTP/1.1 413")  # 200 MB announced: refused, nothing sent
    head = _upload_headers("", 2**20).replace(b"{id}", str(instance_id).encode())
    assert _raw(site.url, head).startswith("HTTP/1.1 401")  # unsigned: refused before its body

    part = (f"--XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--XYZ\r\n"
            "Content-Disposition: form-data; name=\"document\"; filename=\"big.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    megabyte = b"x" * 2**20
    chunks = [b"%x\r\n%s\r\n" % (len(part), part)] + [b"%x\r\n%s\r\n" % (len(megabyte), megabyte)] * 40
    head = _upload_headers(cookie, None).replace(b"{id}", str(instance_id).encode())
    assert _raw(site.url, head, chunks).startswith("HTTP/1.1 413")  # no length given: cut off past the limit

    record = f"{site.url}/omrade/{AREA}/klar/{instance_id}"
    small = (part + b"%PDF-1.4 protokoll\r\n--XYZ--\r\n")
    content_type = {"Content-Type": "multipart/form-data; boundary=XYZ"}
    mark_done_now = request(record, "POST", {"csrf": csrf, "link": "https://malmo.se/beslut"}, cookie)
    assert mark_done_now[0] == 303
    status, _, _ = request(record, "POST", cookie=cookie, body=small, headers=content_type)
    assert status == 409  # a file for a milestone already done: refused, and not kept
    status, _, _ = request(f"{site.url}/omrade/{AREA}/klar/999999", "POST", cookie=cookie, body=small,
                           headers=content_type)
    assert status == 404
    # an area there is not: the wrong-address page, for a page and for a form alike
    assert request(f"{site.url}/omrade/mollan", cookie=cookie)[0] == 404
    assert request(f"{site.url}/omrade/mollan/klar/{instance_id}", "POST", {"csrf": csrf, "link": "https://malmo.se"},
                   cookie)[0] == 404
    assert stored_files() == before, "a refused upload left a file behind"


def test_every_response_carries_the_security_headers_and_errors_are_the_apps_own_pages(site: Site,
                                                                                      tmp_path: Path) -> None:
    cookie, _ = session_for("ul_bellevue")
    for path, with_cookie in (("/login", ""), (f"/omrade/{AREA}", cookie), ("/finns-inte", cookie),
                              (f"/omrade/{AREA}/angra/abc", cookie), ("/enkater", cookie)):
        status, headers, text = request(f"{site.url}{path}", cookie=with_cookie)
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"an inline script on {path}"
        assert text.lstrip().startswith("<!DOCTYPE html>") and "Traceback" not in text, path
    status, _, text = request(f"{site.url}/omrade/{AREA}/angra/abc", cookie=cookie)
    assert status == 400 and "Felaktig adress" in text and '"detail"' not in text  # not FastAPI's JSON

    with pytest.raises(CtcError, match="at least 32"):
        import os

        from ctcflow.web.app import create_app
        os.environ["CTC_WEB_SECRET_KEY"] = "short"
        reset_settings()
        try:
            create_app(get_settings(), DAY)
        finally:
            os.environ["CTC_WEB_SECRET_KEY"] = "test-key-not-a-secret-0123456789abcdef"
            reset_settings()


def test_evidence_and_calendars_answer_only_those_who_may_see_the_area(site: Site, tmp_path: Path) -> None:
    instance_id = _instance_of(site.link_to("ul_bellevue", "Påminnelse"))
    cookie, csrf = session_for("ul_bellevue")
    record = f"{site.url}/omrade/{AREA}/klar/{instance_id}"
    forged = "https://x.se · fil:" + "a" * 64 + ":protokoll.pdf"
    status, _, text = request(record, "POST", {"csrf": csrf, "link": forged}, cookie)
    assert status == 422 and "webbadress" in text and _milestone(instance_id).status == "open"
    status, _, text = request(record, "POST", {"csrf": csrf, "link": "fil:" + "a" * 64 + ":x.pdf"}, cookie)
    assert status == 422

    boundary = "XYZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n"
            "Content-Disposition: form-data; name=\"document\"; filename=\"protokoll.pdf\"\r\n\r\n"
            f"%PDF-1.4 styrgruppens protokoll\r\n--{boundary}--\r\n").encode()
    assert request(record, "POST", cookie=cookie, body=body,
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})[0] == 303
    page = request(f"{site.url}/omrade/{AREA}", cookie=cookie)[2]
    href = re.search(r'href="(/omrade/[^"]+/bevis/[0-9a-f]{64}[^"]*)"', page).group(1)  # type: ignore[union-attr]
    assert request(f"{site.url}{href}", cookie=cookie)[0] == 200
    stranger, _ = session_for("ul_bunkeflo")
    assert request(f"{site.url}{href}", cookie=stranger)[0] == 403
    own_area = href.replace(AREA, "bunkeflostrand_vintrie")
    assert request(f"{site.url}{own_area}", cookie=stranger)[0] == 404  # a hash alone opens nothing

    feed = re.search(r'href="(http://[^"]+/kalender/[^"]+\.ics)"', page).group(1)  # type: ignore[union-attr]
    assert request(feed)[0] == 200
    assert request(f"{site.url}/omrade/{AREA}/kalender", "POST", {"csrf": csrf}, cookie)[0] == 303
    assert request(feed)[0] == 410  # the old link stops working
    renewed = re.search(r'href="(http://[^"]+/kalender/[^"]+\.ics)"',
                        request(f"{site.url}/omrade/{AREA}", cookie=cookie)[2]).group(1)  # type: ignore[union-attr]
    assert renewed != feed and request(renewed)[0] == 200


def test_sign_in_is_rate_limited_and_used_links_are_pruned_when_they_expire(site: Site) -> None:
    status, headers, text = request(f"{site.url}/login")
    form_cookie = headers["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    answers = [request(f"{site.url}/login", "POST", {"csrf": csrf, "email": f"nobody{i}@test.example"},
                       form_cookie)[0] for i in range(30)]
    assert answers[:20] == [200] * 20 and set(answers[20:]) == {429}

    with session_scope() as session:
        session.add(WebTokenUse(jti="old", person_id="ul_bellevue", used_at=datetime.now(UTC) - timedelta(days=40),
                                expires_at=datetime.now(UTC) - timedelta(days=10)))
    assert use_once(get_settings(), "new", "ul_bellevue", int(time.time()) + 600)
    assert not use_once(get_settings(), "new", "ul_bellevue", int(time.time()) + 600)
    with session_scope() as session:
        assert session.get(WebTokenUse, "old") is None


def test_a_link_for_a_central_person_without_an_area_only_looks(project: Project) -> None:
    from ctcflow.access.permissions import Action, Actor, may

    defs = load_definitions()
    found = defs.org.person("samordnare")
    assert found is not None
    looking = Actor(found[0], None, Scope(None))
    assert may(defs, looking, Action.VIEW_CITY) and may(defs, looking, Action.VIEW_AREA, AREA)
    assert not may(defs, looking, Action.RECORD_AREA_WORK, AREA) and not may(defs, looking, Action.MANAGE_PEOPLE)


def test_the_outbox_holds_no_working_link_the_link_is_signed_as_the_message_leaves(site: Site) -> None:
    from ctcflow.core.tokens import purpose_of

    link = site.link_to("ul_bellevue", "Påminnelse")  # the delivered mail carries a signed link ...
    assert purpose_of(link.rsplit("/", 1)[1]) == "milestone"
    with session_scope() as session:
        bodies = [n.body for n in session.execute(select(Notification)).scalars()]
    assert any("[[link:milestone:ul_bellevue:" in body for body in bodies)
    assert not any(re.search(r"/l/eyJ", body) for body in bodies)  # ... the stored message none
