"""`ctc web`: the pages on uvicorn. Behind the city's reverse proxy, CTC_WEB_BASE_URL is the
public address (its path becomes the app's root path) and the proxy's X-Forwarded-* headers are
trusted from the proxy's address (FORWARDED_ALLOW_IPS, default 127.0.0.1)."""

from __future__ import annotations

import os
from datetime import date
from urllib.parse import urlsplit

import uvicorn

from ctcflow.core.config import get_settings
from ctcflow.web.app import create_app


def run(host: str, port: int, as_of: date | None = None) -> int:
    settings = get_settings()
    app = create_app(settings, as_of)
    root = urlsplit(settings.web_base_url).path.rstrip("/")
    print(f"ctcflow web on http://{host}:{port}{root or '/'} (public address {settings.web_base_url}); "
          "sign in with `ctc web-link PERSON` or a reminder's link. Ctrl-C stops.")
    uvicorn.run(app, host=host, port=port, root_path=root, proxy_headers=True,
                forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"), log_level="info")
    return 0
