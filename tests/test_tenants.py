"""Several municipalities on one installation: each tenant's data, mail, pages and Prefect
artifacts are its own — with the same area ids and the same env: names in both, the worst case;
on SQLite (a file per tenant) and on PostgreSQL (a schema per tenant in one database)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ctcflow.cli.main import main
from ctcflow.core.config import get_settings, reset_settings
from ctcflow.definition.loader import load_definitions
from demo.mailserver import LocalMailServer, free_port
from tests import postgres
from tests.conftest import Project, add_tenant
from tests.webserver import web_server

FIRST_DAY = date(2018, 9, 3)
AREA = "bellevuegarden_lorensborg"


def status(capsys: pytest.CaptureFixture[str], *tenant: str) -> dict[str, dict[str, Any]]:
    capsys.readouterr()
    assert main([*tenant, "status", "--json", "--as-of", "2018-10-20"]) == 0
    return {a["area_id"]: a for a in json.loads(capsys.readouterr().out)["areas"]}


def test_each_tenant_keeps_its_own_data_and_an_unknown_tenant_is_refused(
        project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    assert main(["init", "--as-of", "2018-08-01"]) == 0
    assert main(["--tenant", "lund", "init", "--as-of", "2018-08-01"]) == 0
    assert main(["--tenant", "lund", "done", AREA, "kontaktperson_utsedd", "--by", "samordnare",
                 "--as-of", "2018-09-10"]) == 0

    assert status(capsys, "--tenant", "lund")[AREA]["milestones_done"] == 1
    assert status(capsys)[AREA]["milestones_done"] == 0  # Malmö's own area of the same id: untouched
    assert (project.root / "data" / "tenants" / "lund" / "ctc.db").exists()
    capsys.readouterr()
    assert main(["--tenant", "lund", "history", AREA]) == 0
    assert "kontaktperson_utsedd" in capsys.readouterr().out
    assert main(["history", AREA]) == 0
    assert "kontaktperson_utsedd" not in capsys.readouterr().out

    assert main(["--tenant", "uppsala", "status"]) == 2
    error = capsys.readouterr().err
    assert "no tenant 'uppsala': the tenants are malmo, lund" in error and "Traceback" not in error
    assert get_settings().tenant_id == "malmo"  # a --tenant is for its command only


@pytest.mark.both_databases
def test_notices_reach_only_the_tenants_own_people(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    with LocalMailServer() as malmo, LocalMailServer() as lund:
        for person in load_definitions().org.everyone():
            variable = person.notify.removeprefix("env:")
            monkeypatch.setenv(variable, malmo.url(f"{person.id}@malmo.example"))
        for tenant in (None, "lund"):
            assert main([*(["--tenant", tenant] if tenant else []), "init", "--as-of", "2018-08-01"]) == 0

        # Lund's references are not set yet: its notices wait — none goes to Malmö's people
        assert main(["--tenant", "lund", "sweep", "--as-of", FIRST_DAY.isoformat()]) == 1
        assert "LUND__CTC_NOTIFY_SAMORDNARE" in capsys.readouterr().out
        assert malmo.received == []

        for person in load_definitions().org.everyone():
            variable = person.notify.removeprefix("env:")
            monkeypatch.setenv(f"LUND__{variable}", lund.url(f"{person.id}@lund.example"))
        assert main(["--tenant", "lund", "outbox", "--retry"]) == 0  # set now: sent at the next delivery
        assert main(["--tenant", "lund", "deliver", "--as-of", FIRST_DAY.isoformat()]) == 0
        assert main(["sweep", "--as-of", FIRST_DAY.isoformat()]) == 0

        assert lund.received and malmo.received
        assert {m.to.split("@")[1] for m in lund.received} == {"lund.example"}
        assert {m.to.split("@")[1] for m in malmo.received} == {"malmo.example"}
        assert all("Malmö" not in m.body for m in lund.received if m.subject.startswith("CTC vecka"))
        assert {m.sender.split(" <")[0] for m in lund.received} == {"CTC Lunds kommun"}  # from its own CTC
        assert {m.sender.split(" <")[0] for m in malmo.received} == {"CTC Malmö stad"}
        # the same morning in both cities: the same mails each, once each
        assert sorted((m.to.split("@")[0], m.subject) for m in lund.received) == \
            sorted((m.to.split("@")[0], m.subject) for m in malmo.received)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.mark.both_databases
def test_a_tenants_sign_in_link_opens_only_its_own_pages(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    malmo_port, lund_port = free_port(), free_port()
    monkeypatch.setenv("CTC_WEB_BASE_URL", f"http://127.0.0.1:{malmo_port}")
    add_tenant(project, monkeypatch, "lund", "Lunds kommun", f"web_base_url: http://127.0.0.1:{lund_port}\n")
    for tenant in ([], ["--tenant", "lund"]):
        assert main([*tenant, "init", "--as-of", "2018-08-01"]) == 0
    capsys.readouterr()
    assert main(["--tenant", "lund", "web-link", "samordnare"]) == 0
    lund_link = capsys.readouterr().out.strip().splitlines()[-1]
    assert lund_link.startswith(f"http://127.0.0.1:{lund_port}/l/")

    with web_server(malmo_port) as malmo:  # Lund's link, brought to Malmö's pages: refused
        answer, page = _get(lund_link.replace(f"127.0.0.1:{lund_port}", f"127.0.0.1:{malmo_port}"))
        assert "Länken är ogiltig" in page and "Lunds kommun" not in page
        assert _get(f"{malmo}/oversikt")[0] == 401

    monkeypatch.setenv("CTC_TENANT", "lund")
    reset_settings()
    with web_server(lund_port):  # on Lund's own pages it is the samordnare's sign-in
        answer, page = _get(lund_link)
        assert answer == 200 and "Länken är ogiltig" not in page and "Central samordnare CTC" in page
        assert "CTC Lunds kommun" in page and "Malmö" not in page  # its own name, not the first city's


def test_a_tenants_board_paper_names_its_own_municipality_and_not_the_decisions_of_another(
        project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The process (phases.yml) is shared; the title, the decision behind the report, the
    diarienummer and the meetings are each municipality's own (its areas.yml `reports:`)."""
    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    for tenant, out in (([], tmp_path / "malmo"), (["--tenant", "lund"], tmp_path / "lund")):
        assert main([*tenant, "init", "--as-of", "2018-08-01"]) == 0
        assert main([*tenant, "report", "ks", "--period", "2024", "--as-of", "2024-04-30", "--format", "html",
                     "--out", str(out)]) == 0
    [malmo] = [p.read_text(encoding="utf-8") for p in (tmp_path / "malmo").glob("*.html")]
    [lund] = [p.read_text(encoding="utf-8") for p in (tmp_path / "lund").glob("*.html")]
    assert "Communities That Care i Malmö – rapport till kommunstyrelsen" in malmo
    assert "STK-2016-166" in malmo and "STK-2024-512" in malmo  # Malmö's decision and diarienummer
    assert "Communities That Care i Lunds kommun – rapport till kommunstyrelsen" in lund
    assert "Malmö" not in lund and "STK-" not in lund
    assert "Kommunen arbetar med Communities That Care (CTC)" in lund  # no decision it did not take


def test_a_municipalitys_wording_of_a_report_the_process_does_not_have_is_refused_with_its_line(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit("areas.yml", "reports:\n  ks:\n", "reports:\n  kss:\n")
    assert main(["check"]) == 2
    said = capsys.readouterr()
    assert "reports: 'kss' is not a report of phases.yml" in said.out + said.err
    assert "use a report id from phases.yml: ks" in said.out + said.err


@pytest.mark.usefixtures("prefect_server")
def test_each_tenants_flow_runs_publish_their_own_artifacts(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from demo.prefect_server import artifact_of
    from flows.deadline_sweep import deadline_sweep

    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    for tenant in ([], ["--tenant", "lund"]):
        assert main([*tenant, "init", "--as-of", "2018-08-01"]) == 0
    assert main(["--tenant", "lund", "done", AREA, "kontaktperson_utsedd", "--by", "samordnare",
                 "--as-of", "2018-09-03"]) == 0
    deadline_sweep(as_of=FIRST_DAY, deliver=False, tenant="lund")
    deadline_sweep(as_of=FIRST_DAY, deliver=False)
    assert get_settings().tenant_id == "malmo"  # the flow's tenant was its own run's only

    def done_in_area(key: str) -> str:
        artifact = artifact_of(key)
        assert artifact is not None, key
        rows = json.loads(str(artifact.data))
        [row] = [r for r in rows if r["område"] == "Bellevuegården/Lorensborg"]
        return str(row["klart"])

    assert done_in_area("ctc-lund-status").startswith("1/")
    assert done_in_area("ctc-malmo-status").startswith("0/")


def test_on_postgresql_each_tenant_is_a_schema_of_its_own(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import text

    from db.engine import get_engine

    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    with postgres.postgres_server() as url:
        monkeypatch.setenv("CTC_DATABASE_URL", url)
        reset_settings()
        for tenant in ([], ["--tenant", "lund"]):
            assert main([*tenant, "init", "--as-of", "2018-08-01"]) == 0
        assert main(["--tenant", "lund", "done", AREA, "kontaktperson_utsedd", "--by", "samordnare",
                     "--as-of", "2018-09-10"]) == 0
        assert status(capsys, "--tenant", "lund")[AREA]["milestones_done"] == 1
        assert status(capsys)[AREA]["milestones_done"] == 0
        with get_engine().connect() as connection:
            schemas = set(connection.execute(text(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'event'")).scalars())
            lund_events = connection.execute(text("SELECT count(*) FROM ctc_lund.event WHERE kind = 'milestone_done'")).scalar()
        assert schemas == {"public", "ctc_lund"} and lund_events == 1
        get_engine().dispose()
