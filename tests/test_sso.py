"""Single sign-on against a real OpenID provider — the certified `oidc-provider` package under
the OS's Node, started on loopback (tests/oidc) — in a real Chromium: a known person signs in
with the city's account and lands on their area; a person the provider knows but CTC does not
is refused; a callback whose state was changed signs nobody in."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from ctcflow.core.config import reset_settings
from demo.mailserver import LocalMailServer, free_port
from tests.browser import chromium, element, submit
from tests.conftest import Project, pages_port, wait_for
from tests.pages import DAY
from tests.webserver import web_server

PROVIDER = Path(__file__).parent / "oidc"
CLIENT_SECRET = "client-secret-for-the-tests-only"
ACCOUNTS = {"anna": {"email": "UL_Bellevue@test.example", "name": "Anna"},  # case as the provider has it
            "okand": {"email": "someone.else@malmo.example", "name": "Okänd"}}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def openid_provider(port: int, redirect_uri: str) -> Iterator[str]:
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_ID": "ctcflow", "OIDC_CLIENT_SECRET": CLIENT_SECRET,
           "OIDC_REDIRECT_URI": redirect_uri, "OIDC_ACCOUNTS": json.dumps(ACCOUNTS), "NODE_ENV": "test"}
    process = subprocess.Popen(["node", str(PROVIDER / "provider.mjs")], cwd=PROVIDER, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: process.poll() is not None or _answers(f"{issuer}/.well-known/openid-configuration"),
                 60, "the OpenID provider to start")
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def sso_site(project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The pages with single sign-on configured; the people's work addresses those of ``mail``."""
    port = pages_port(monkeypatch)
    with openid_provider(free_port(), f"http://127.0.0.1:{port}/sso/callback") as issuer:
        monkeypatch.setenv("CTC_OIDC_ISSUER", issuer)
        monkeypatch.setenv("CTC_OIDC_CLIENT_ID", "ctcflow")
        monkeypatch.setenv("CTC_OIDC_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("CTC_OIDC_LABEL", "Malmö stads konto")
        reset_settings()
        with web_server(port, as_of=DAY) as url:
            yield url


def _sign_in_at_the_provider(browser: object, login: str) -> None:
    element(browser, "input[name=login]").send_keys(login)  # type: ignore[arg-type]
    browser.find_element(By.NAME, "password").send_keys("any")  # type: ignore[attr-defined]
    submit(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))  # type: ignore[arg-type, attr-defined]
    consent = browser.find_elements(By.CSS_SELECTOR, "button[type=submit]")  # type: ignore[attr-defined]
    if consent and "Continue" in consent[0].text:
        submit(browser, consent[0])  # type: ignore[arg-type]


def test_a_person_signs_in_with_the_citys_account_and_a_stranger_or_a_forged_state_does_not(sso_site: str) -> None:
    with chromium() as browser:
        browser.get(f"{sso_site}/login")
        submit(browser, element(browser, "a#sso"))
        assert "/sso/" not in browser.current_url  # at the provider now
        _sign_in_at_the_provider(browser, "anna")
        wait_for(lambda: "/omrade/bellevuegarden_lorensborg" in browser.current_url, 30, "the area page")
        assert "Inloggad som Utvecklingsledare Bellevuegården" in browser.page_source.replace("\n", " ")
        assert any(c["name"] == "ctc_session" for c in browser.get_cookies())

    with chromium() as stranger:
        stranger.get(f"{sso_site}/login")
        submit(stranger, element(stranger, "a#sso"))
        _sign_in_at_the_provider(stranger, "okand")
        wait_for(lambda: "/sso/callback" in stranger.current_url, 30, "the way back")
        assert "finns inte bland" in stranger.page_source
        assert not any(c["name"] == "ctc_session" for c in stranger.get_cookies())

    with chromium() as forger:
        forger.get(f"{sso_site}/login")
        submit(forger, element(forger, "a#sso"))  # a sign-in begun (its state in this browser's cookie) ...
        forger.get(f"{sso_site}/sso/callback?code=stolen-code&state=forged-state")  # ... answered with another
        assert "Inloggningen kunde inte slutföras" in forger.page_source
        assert not any(c["name"] == "ctc_session" for c in forger.get_cookies())
