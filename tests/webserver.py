"""The web app on a real uvicorn server on loopback, in a thread of the test process."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import uvicorn

from ctcflow.access.permissions import Scope
from ctcflow.app.sessions import open_session
from ctcflow.core.config import get_settings
from ctcflow.core.tokens import csrf_token, secret_key
from ctcflow.web.app import create_app


@contextmanager
def web_server(port: int, as_of: date | None = None, root_path: str = "") -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(create_app(get_settings(), as_of), host="127.0.0.1", port=port,
                                           log_level="warning", limit_concurrency=200, root_path=root_path))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def session_for(person: str, scope: Scope | None = None) -> tuple[str, str]:
    """A live session for ``person`` as signing in opens one: the cookie header and the form
    token bound to it (for requests made without a browser)."""
    settings = get_settings()
    value = open_session(settings, person, "login" if scope is None else "link", scope)
    return f"ctc_session={value}", csrf_token(secret_key(settings), hashlib.sha256(value.encode()).hexdigest())
